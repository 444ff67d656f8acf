import type { Kysely, Selectable } from 'kysely';
import { accessOf, type Grant, isTeamRole } from '../domain/access.js';
import type { Membership, User, UserSource } from '../domain/user.js';
import { isId } from '../ids.js';
import type { Dialect } from './dialect.js';
import { decodeCursor, encodeCursor } from './json.js';
import type { Database, UsersTable } from './schema.js';

function userFromRow(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    email: row.email,
    phone: row.phone,
    source: row.source as UserSource,
    admin: row.admin === 1,
    directoryAdmin: row.directory_admin === 1,
    disabled: row.disabled === 1,
    hasPassword: row.password_hash !== null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
  };
}

export interface NewUser {
  id: string;
  name: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  source: UserSource;
  passwordHash: string | null;
  admin: boolean;
}

export interface ProfilePatch {
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  admin?: boolean;
  disabled?: boolean;
}

/** What a directory login found: the profile and the rights its groups map to. */
export interface DirectoryProfile {
  name: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  grant: Grant;
}

/** Users and their team memberships. */
export class UsersRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Inserts a user; 'exists' when the name is taken. */
  async insert(user: NewUser, now: number): Promise<User | 'exists'> {
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          name: user.name,
          display_name: user.displayName,
          email: user.email,
          phone: user.phone,
          source: user.source,
          password_hash: user.passwordHash,
          admin: user.admin ? 1 : 0,
          directory_admin: 0,
          disabled: 0,
          created_at: now,
          updated_at: now,
          last_login_at: null,
        })
        .execute();
    } catch (err) {
      if (this.dialect.isUniqueViolation(err)) return 'exists';
      throw err;
    }
    return (await this.find(user.id)) as User;
  }

  /** By id or by name. */
  async find(idOrName: string): Promise<User | null> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where(isId(idOrName) ? 'id' : 'name', '=', idOrName)
      .executeTakeFirst();
    return row ? userFromRow(row) : null;
  }

  /** The user and the stored password hash, for a login. */
  async findForLogin(name: string): Promise<{ user: User; passwordHash: string | null } | null> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { user: userFromRow(row), passwordHash: row.password_hash } : null;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A page of users by name. */
  async list(
    limit: number,
    cursor: string | undefined,
    q?: string,
  ): Promise<{ users: User[]; nextCursor: string | null } | 'bad_cursor'> {
    let query = this.db.selectFrom('users').selectAll();
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      if (parts?.length !== 2 || parts[1] !== 'users' || typeof parts[0] !== 'string') return 'bad_cursor';
      query = query.where('name', '>', parts[0]);
    }
    if (q) query = query.where('name', 'like', `%${q.toLowerCase().replace(/[\\%_]/g, '')}%`);
    const rows = await query
      .orderBy('name')
      .limit(limit + 1)
      .execute();
    const users = rows.slice(0, limit).map(userFromRow);
    const last = users[users.length - 1];
    return { users, nextCursor: rows.length > limit && last ? encodeCursor([last.name, 'users']) : null };
  }

  async update(id: string, patch: ProfilePatch, now: number): Promise<User | null> {
    const set: Partial<Selectable<UsersTable>> = { updated_at: now };
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.phone !== undefined) set.phone = patch.phone;
    if (patch.admin !== undefined) set.admin = patch.admin ? 1 : 0;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    return this.find(id);
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async recordLogin(id: string, now: number): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: now }).where('id', '=', id).execute();
  }

  /** The user's roles by team, from both sources. */
  async memberships(userId: string): Promise<Membership[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .select(['team', 'role', 'source'])
      .where('user_id', '=', userId)
      .orderBy('team')
      .execute();
    return rows.flatMap((r) =>
      isTeamRole(r.role) ? [{ team: r.team, role: r.role, source: r.source as UserSource }] : [],
    );
  }

  /**
   * Creates or updates a directory user after the directory accepted its
   * password, replacing its directory-granted admin flag and team roles in
   * one transaction; teams its groups map to are created when missing.
   * 'local_user' when a local user already has the name (never taken over).
   */
  async syncDirectoryUser(
    profile: DirectoryProfile,
    newUserId: string,
    now: number,
  ): Promise<User | 'local_user'> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('users')
        .selectAll()
        .where('name', '=', profile.name)
        .executeTakeFirst();
      if (existing && existing.source !== 'directory') return 'local_user';
      const id = existing?.id ?? newUserId;
      const fields = {
        display_name: profile.displayName,
        email: profile.email,
        phone: profile.phone,
        directory_admin: profile.grant.admin ? 1 : 0,
        updated_at: now,
        last_login_at: now,
      };
      if (existing) {
        await trx.updateTable('users').set(fields).where('id', '=', id).execute();
      } else {
        await trx
          .insertInto('users')
          .values({
            id,
            name: profile.name,
            source: 'directory',
            password_hash: null,
            admin: 0,
            disabled: 0,
            created_at: now,
            ...fields,
          })
          .execute();
      }
      await trx
        .deleteFrom('team_members')
        .where('user_id', '=', id)
        .where('source', '=', 'directory')
        .execute();
      const roles = [...accessOf(profile.grant).teams];
      const teams = roles.map(([team]) => team);
      if (teams.length > 0) {
        await trx
          .insertInto('teams')
          .values(teams.map((name) => ({ name, description: '', created_at: now })))
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        await trx
          .insertInto('team_members')
          .values(
            roles.map(([team, role]) => ({ team, user_id: id, source: 'directory', role, created_at: now })),
          )
          .execute();
      }
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return userFromRow(row);
    });
  }
}
