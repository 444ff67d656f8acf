/** Users, teams, tokens and audit entries as the API shows them: no password hashes, no token values. */
import { iso } from '../clock.js';
import type { Access } from '../domain/access.js';
import type { Membership, User } from '../domain/user.js';
import type { AuditEntry } from '../store/audit-repo.js';
import type { Team, TeamMember, TeamUsage } from '../store/teams-repo.js';
import type { ApiToken } from '../store/tokens-repo.js';
import type { TeamView, TokenView, UserView } from './account-schemas.js';

export function meView(user: User, access: Access, memberships: readonly Membership[]) {
  return {
    id: user.id,
    name: user.name,
    displayName: user.displayName,
    email: user.email,
    phone: user.phone,
    source: user.source,
    admin: access.admin,
    teams: [...access.teams].map(([team, role]) => ({ team, role })),
    memberships: [...memberships],
  };
}

/** A user; contact details and rights only for admins and the user themself (`full`). */
export function userView(user: User, full: boolean, memberships?: readonly Membership[]): UserView {
  const base = {
    id: user.id,
    name: user.name,
    displayName: user.displayName,
    source: user.source,
    disabled: user.disabled,
  };
  if (!full) return base;
  return {
    ...base,
    email: user.email,
    phone: user.phone,
    admin: user.admin,
    directoryAdmin: user.directoryAdmin,
    hasPassword: user.hasPassword,
    ...(memberships ? { memberships: [...memberships] } : {}),
    createdAt: iso(user.createdAt) as string,
    lastLoginAt: iso(user.lastLoginAt),
  };
}

export function teamView(
  team: Team & TeamUsage & { members: number },
  members?: readonly TeamMember[],
): TeamView {
  return {
    name: team.name,
    description: team.description,
    createdAt: iso(team.createdAt) as string,
    jobs: team.jobs,
    groups: team.groups,
    memberCount: team.members,
    ...(members
      ? {
          members: members.map((m) => ({
            user: m.user,
            displayName: m.displayName,
            role: m.role,
            source: m.source,
          })),
        }
      : {}),
  };
}

export function tokenStatus(token: ApiToken, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

export function tokenView(token: ApiToken, userName: string, now: number): TokenView {
  return {
    id: token.id,
    name: token.name,
    user: userName,
    scope: token.scope === null ? null : { admin: token.scope.admin, teams: [...token.scope.teams] },
    status: tokenStatus(token, now),
    createdAt: iso(token.createdAt) as string,
    expiresAt: iso(token.expiresAt),
    revokedAt: iso(token.revokedAt),
    lastUsedAt: iso(token.lastUsedAt),
  };
}

export function auditView(entry: AuditEntry) {
  return {
    id: entry.id,
    at: iso(entry.at) as string,
    actor: entry.actor,
    actorKind: entry.actorKind,
    tokenId: entry.tokenId,
    ip: entry.ip,
    action: entry.action,
    targetType: entry.targetType,
    target: entry.target,
    team: entry.team,
    details: entry.details,
  };
}
