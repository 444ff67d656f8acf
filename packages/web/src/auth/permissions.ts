/**
 * What the signed-in user may do, mirroring the server's rule (viewer <
 * operator < editor < owner per team; admin everywhere). The console hides
 * what is not allowed; the API refuses it anyway.
 */
import { type Me, TEAM_ROLES, type TeamRole } from '../api/types';

export type Permission = 'read' | 'operate' | 'edit' | 'own';

/** The weakest role that grants each permission. */
export const ROLE_NEEDED: Record<Permission, TeamRole> = {
  read: 'viewer',
  operate: 'operator',
  edit: 'editor',
  own: 'owner',
};

export type SessionState =
  /** The server has no accounts yet (no auth routes): everything is allowed. */
  { kind: 'open' } | { kind: 'anonymous' } | { kind: 'user'; user: Me; csrfToken: string };

const rank = (role: TeamRole) => TEAM_ROLES.indexOf(role);

/** The user's role in a team, the strongest if granted twice. */
export function roleIn(user: Me, team: string): TeamRole | null {
  let best: TeamRole | null = null;
  for (const grant of user.teams) {
    if (grant.team === team && (best === null || rank(grant.role) > rank(best))) best = grant.role;
  }
  return best;
}

/** Whether the session may do `permission` on things of `team` (null: no team, admins only). */
export function can(session: SessionState, team: string | null, permission: Permission): boolean {
  if (session.kind === 'open') return true;
  if (session.kind === 'anonymous') return false;
  if (session.user.admin) return true;
  if (team === null) return false;
  const role = roleIn(session.user, team);
  return role !== null && rank(role) >= rank(ROLE_NEEDED[permission]);
}

/** Whether the session may do `permission` in at least one team (e.g. to offer "New job"). */
export function canSomewhere(session: SessionState, permission: Permission): boolean {
  if (session.kind === 'open') return true;
  if (session.kind === 'anonymous') return false;
  if (session.user.admin) return true;
  return session.user.teams.some((g) => rank(g.role) >= rank(ROLE_NEEDED[permission]));
}

/** The teams in which the session may do `permission`; null means any team. */
export function teamsAllowing(session: SessionState, permission: Permission): string[] | null {
  if (session.kind === 'open' || (session.kind === 'user' && session.user.admin)) return null;
  if (session.kind === 'anonymous') return [];
  const teams = session.user.teams
    .filter((g) => rank(g.role) >= rank(ROLE_NEEDED[permission]))
    .map((g) => g.team);
  return [...new Set(teams)].sort();
}

export function isAdmin(session: SessionState): boolean {
  return session.kind === 'open' || (session.kind === 'user' && session.user.admin);
}
