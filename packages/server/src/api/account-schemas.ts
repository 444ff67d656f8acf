/** Request and answer shapes of accounts, teams, tokens and the audit log (OpenAPI). */
import { type Static, Type } from '@sinclair/typebox';
import { TEAM_ROLES } from '../domain/access.js';
import { JOB_NAME_PATTERN, Nullable, StringEnum } from './schemas.js';

const Iso = Type.String({ format: 'date-time' });
export const Role = StringEnum(TEAM_ROLES);
export const AccountName = Type.String({ pattern: JOB_NAME_PATTERN, minLength: 1, maxLength: 128 });

export const TeamRoleView = Type.Object({ team: Type.String(), role: Role });
export const MembershipView = Type.Object({
  team: Type.String(),
  role: Role,
  source: StringEnum(['local', 'directory'] as const),
});

export const MeView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  displayName: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  source: StringEnum(['local', 'directory'] as const),
  admin: Type.Boolean({ description: 'The rights of this call: false for a token scoped below admin' }),
  teams: Type.Array(TeamRoleView, { description: 'The role per team this call has' }),
  memberships: Type.Array(MembershipView, { description: "The user's roles and where they come from" }),
});

export const UserView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  displayName: Nullable(Type.String()),
  source: StringEnum(['local', 'directory'] as const),
  disabled: Type.Boolean(),
  // Admins and the user themself only:
  email: Type.Optional(Nullable(Type.String())),
  phone: Type.Optional(Nullable(Type.String())),
  admin: Type.Optional(Type.Boolean()),
  directoryAdmin: Type.Optional(Type.Boolean()),
  hasPassword: Type.Optional(Type.Boolean()),
  memberships: Type.Optional(Type.Array(MembershipView)),
  createdAt: Type.Optional(Iso),
  lastLoginAt: Type.Optional(Nullable(Iso)),
});
export type UserView = Static<typeof UserView>;

const Email = Nullable(Type.String({ maxLength: 320 }));
const Phone = Nullable(Type.String({ maxLength: 64 }));
const DisplayName = Nullable(Type.String({ maxLength: 256 }));

export const UserCreateInput = Type.Object(
  {
    name: AccountName,
    password: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    admin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UserPatchInput = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    admin: Type.Optional(Type.Boolean({ description: 'Admins only' })),
    disabled: Type.Optional(Type.Boolean({ description: 'Admins only' })),
  },
  { additionalProperties: false },
);

export const PasswordInput = Type.Object(
  {
    password: Type.String({ maxLength: 1024 }),
    currentPassword: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Required when changing your own' }),
    ),
  },
  { additionalProperties: false },
);

export const TeamView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  createdAt: Iso,
  jobs: Type.Integer(),
  groups: Type.Integer(),
  memberCount: Type.Integer(),
  members: Type.Optional(
    Type.Array(
      Type.Object({
        user: Type.String(),
        displayName: Nullable(Type.String()),
        role: Role,
        source: StringEnum(['local', 'directory'] as const),
      }),
    ),
  ),
});
export type TeamView = Static<typeof TeamView>;

export const TeamInput = Type.Object(
  { name: AccountName, description: Type.Optional(Type.String({ maxLength: 4000 })) },
  { additionalProperties: false },
);

export const Scope = Type.Object(
  {
    admin: Type.Optional(Type.Boolean()),
    teams: Type.Optional(Type.Array(TeamRoleView, { maxItems: 200 })),
  },
  { additionalProperties: false },
);

export const TokenInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    expiresAt: Type.Optional(Nullable(Iso)),
    scope: Type.Optional(Nullable(Scope)),
  },
  { additionalProperties: false },
);

export const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.String(),
  scope: Nullable(Type.Object({ admin: Type.Boolean(), teams: Type.Array(TeamRoleView) })),
  status: StringEnum(['active', 'revoked', 'expired'] as const),
  createdAt: Iso,
  expiresAt: Nullable(Iso),
  revokedAt: Nullable(Iso),
  lastUsedAt: Nullable(Iso),
  token: Type.Optional(Type.String({ description: 'The token itself: in the creation answer only' })),
});
export type TokenView = Static<typeof TokenView>;

export const AuditView = Type.Object({
  id: Type.String(),
  at: Iso,
  actor: Nullable(Type.String()),
  actorKind: Type.String(),
  tokenId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  action: Type.String(),
  targetType: Type.String(),
  target: Nullable(Type.String()),
  team: Nullable(Type.String()),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
