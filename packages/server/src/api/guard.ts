/**
 * Permission checks for routes. A caller who may not even read a team's
 * things gets the same 404 as for a thing that does not exist, so ids of
 * other teams' jobs and runs cannot be probed; a caller who may read but
 * not act gets a 403 naming the role needed.
 */
import type { FastifyRequest } from 'fastify';
import { allows, type Permission, readableTeams } from '../domain/access.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import { ApiError } from '../errors.js';
import { type Caller, callerOf } from './caller.js';

export { callerOf };

const ROLE_FOR: Record<Permission, string> = {
  read: 'viewer',
  operate: 'operator',
  edit: 'editor',
  own: 'owner',
};

/**
 * Throws unless the caller may do `permission` on things of `team`.
 * `hidden` builds the error for a caller who may not read them at all.
 */
export function requireTeam(
  request: FastifyRequest,
  team: string,
  permission: Permission,
  what: string,
  hidden: () => ApiError,
): Caller {
  const caller = callerOf(request);
  if (allows(caller.access, team, permission)) return caller;
  if (!allows(caller.access, team, 'read')) throw hidden();
  const held = caller.access.teams.get(team);
  throw new ApiError(
    'forbidden',
    `${what} needs the ${ROLE_FOR[permission]} role in team ${team}${held ? ` (you are ${held})` : ''}`,
  );
}

/** Throws unless the caller is an admin. */
export function requireAdmin(request: FastifyRequest, what: string): Caller {
  const caller = callerOf(request);
  if (!caller.access.admin) throw new ApiError('forbidden', `${what} needs the admin role`);
  return caller;
}

/** The teams the caller may read, null for all (admin). */
export function visibleTeams(request: FastifyRequest): string[] | null {
  return readableTeams(callerOf(request).access);
}

/** The team of a job or group; rows always have one since migration 007. */
export function teamOf(thing: { team: string | null }): string {
  return thing.team ?? DEFAULT_TEAM;
}

/**
 * Checks the team a create or edit puts a job or group in (editor there);
 * a team that does not exist yet (only an admin gets this far) is created.
 */
export async function requireTeamForWrite(
  request: FastifyRequest,
  teams: { ensure(names: readonly string[], now: number): Promise<void> },
  now: number,
  team: string,
  what: string,
): Promise<Caller> {
  const caller = requireTeam(
    request,
    team,
    'edit',
    what,
    () => new ApiError('forbidden', `${what} needs the editor role in team ${team}`, 'team'),
  );
  await teams.ensure([team], now);
  return caller;
}
