/**
 * Who may do what: the roles and the pure permission rule. No I/O; the API
 * resolves a caller into an `Access` and asks `allows` before each action.
 */

/** Per-team roles, weakest first. Each includes everything the ones before it may do. */
export const TEAM_ROLES = ['viewer', 'operator', 'editor', 'owner'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** What an action on a team's jobs, groups or runs needs. */
export type Permission =
  /** Read jobs, groups, runs, logs, trend and overview counts. */
  | 'read'
  /** Pause, resume, run now, cancel. */
  | 'operate'
  /** Create, edit and delete jobs and worker groups. */
  | 'edit'
  /** Manage the team's members, reveal and rotate its groups' secrets. */
  | 'own';

const NEEDS: Record<Permission, TeamRole> = {
  read: 'viewer',
  operate: 'operator',
  edit: 'editor',
  own: 'owner',
};

export function isTeamRole(value: unknown): value is TeamRole {
  return typeof value === 'string' && (TEAM_ROLES as readonly string[]).includes(value);
}

export function roleRank(role: TeamRole): number {
  return TEAM_ROLES.indexOf(role);
}

/** The stronger of two roles. */
export function strongerRole(a: TeamRole, b: TeamRole): TeamRole {
  return roleRank(a) >= roleRank(b) ? a : b;
}

/** The weaker of two roles. */
export function weakerRole(a: TeamRole, b: TeamRole): TeamRole {
  return roleRank(a) <= roleRank(b) ? a : b;
}

/** A caller's rights: global admin, or a role per team name. */
export interface Access {
  admin: boolean;
  teams: ReadonlyMap<string, TeamRole>;
}

export const NO_ACCESS: Access = { admin: false, teams: new Map() };

/** Whether `access` may do `permission` on things of `team`. */
export function allows(access: Access, team: string, permission: Permission): boolean {
  if (access.admin) return true;
  const role = access.teams.get(team);
  return role !== undefined && roleRank(role) >= roleRank(NEEDS[permission]);
}

/** The teams whose things `access` may read; null means every team (admin). */
export function readableTeams(access: Access): string[] | null {
  if (access.admin) return null;
  return [...access.teams.keys()].sort();
}

/** A grant of rights, as stored on a user or an API token's scope. */
export interface Grant {
  admin: boolean;
  teams: ReadonlyArray<{ team: string; role: TeamRole }>;
}

export function accessOf(grant: Grant): Access {
  const teams = new Map<string, TeamRole>();
  for (const { team, role } of grant.teams) {
    const had = teams.get(team);
    teams.set(team, had ? strongerRole(had, role) : role);
  }
  return { admin: grant.admin, teams };
}

/**
 * What a token scoped to `scope` may do for a user who holds `user` today:
 * never more than either. A null scope inherits the user's rights. Taking
 * the intersection at each request (not at creation) means a user who loses
 * a role loses it on their tokens too.
 */
export function narrowAccess(user: Access, scope: Grant | null): Access {
  if (scope === null) return user;
  if (scope.admin && user.admin) return user;
  const teams = new Map<string, TeamRole>();
  for (const { team, role } of scope.teams) {
    const held = user.admin ? 'owner' : user.teams.get(team);
    if (held === undefined) continue;
    const had = teams.get(team);
    const granted = weakerRole(held, role);
    teams.set(team, had ? strongerRole(had, granted) : granted);
  }
  return { admin: false, teams };
}

/**
 * Why `scope` is wider than `user` may grant, or null when it is not:
 * a token can carry no right its owner does not hold.
 */
export function scopeExcess(user: Access, scope: Grant): string | null {
  if (scope.admin && !user.admin) return 'scope.admin: only an admin may create an admin token';
  if (user.admin) return null;
  for (const { team, role } of scope.teams) {
    const held = user.teams.get(team);
    if (held === undefined) return `scope.teams: you have no role in team ${team}`;
    if (roleRank(role) > roleRank(held)) {
      return `scope.teams: ${role} in team ${team} is wider than your own role (${held})`;
    }
  }
  return null;
}
