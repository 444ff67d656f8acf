/** Team names to offer in a form: the teams where the user holds the role, or every team the server lists. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { type Permission, teamsAllowing } from '../auth/permissions';
import { useSession } from '../auth/session';

export function useTeamOptions(permission: Permission): string[] {
  const { session } = useSession();
  const allowed = teamsAllowing(session, permission);
  const all = useQuery({
    queryKey: ['teams'],
    queryFn: () => api.teams.list(),
    enabled: allowed === null,
    retry: false,
    staleTime: 60_000,
  });
  if (allowed !== null) return allowed;
  return (all.data?.items ?? []).map((team) => team.name);
}
