import type { Grant, TeamRole } from './access.js';

/** Team of jobs and groups that name none, and of everything created before teams existed. */
export const DEFAULT_TEAM = 'default';

/** Where a user's password is checked. */
export type UserSource = 'local' | 'directory';

export interface User {
  id: string;
  /** Login name: lower-case, unique. */
  name: string;
  displayName: string | null;
  /** Alert recipient for `user:NAME` by email. */
  email: string | null;
  /** Alert recipient for `user:NAME` by SMS. */
  phone: string | null;
  source: UserSource;
  /** Admin granted here (CLI or API). */
  admin: boolean;
  /** Admin granted by a directory group at the latest directory login. */
  directoryAdmin: boolean;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

/** A user's role in a team and where it comes from. */
export interface Membership {
  team: string;
  role: TeamRole;
  source: UserSource;
}

/** The user's own rights: admin from either source, the strongest role per team. */
export function grantOfUser(user: User, memberships: readonly Membership[]): Grant {
  return {
    admin: user.admin || user.directoryAdmin,
    teams: memberships.map(({ team, role }) => ({ team, role })),
  };
}

/** Names of users and teams: like job names, so they can appear in recipients (`user:NAME`). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
