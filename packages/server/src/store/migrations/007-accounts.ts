import { type Kysely, sql } from 'kysely';
import { newId } from '../../ids.js';
import type { Dialect } from '../dialect.js';

/** The team that jobs and groups created before teams existed move to. */
const DEFAULT_TEAM = 'default';

/**
 * Accounts: users, teams and their members, console sessions, API tokens
 * owned by users, login throttling, the audit log, and tombstones that keep
 * a deleted job's team so its runs stay readable by that team only.
 *
 * Every job and group gets a team: rows without one move to `default`, and
 * every team named by a job or group becomes a row of `teams`. A store that
 * already holds a (bootstrap) token gets a local admin user `admin` owning
 * it, without a password (`jobcenter user passwd admin` sets one).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  await db.schema
    .createTable('teams')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(256)')
    .addColumn('email', 'varchar(320)')
    .addColumn('phone', 'varchar(64)')
    // 'local' (password here) or 'directory' (password checked by LDAP).
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    // Admin granted here, and admin granted by a directory group (replaced at each directory login).
    .addColumn('admin', 'integer', (c) => c.notNull())
    .addColumn('directory_admin', 'integer', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('last_login_at', ms)
    .execute();

  // A user's role in a team, by where it comes from: set here ('local') or
  // by a directory group ('directory', replaced at each directory login).
  await db.schema
    .createTable('team_members')
    .addColumn('team', 'varchar(128)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team', 'user_id', 'source'])
    .execute();
  await db.schema.createIndex('team_members_user').on('team_members').columns(['user_id']).execute();

  await db.schema
    .createTable('sessions')
    // SHA-256 of the cookie value: a copy of the table cannot be replayed.
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('last_seen_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(256)')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

  await db.schema.alterTable('api_tokens').addColumn('user_id', 'varchar(26)').execute();
  // JSON {admin, teams: [{team, role}]}; null: the owner's own rights, as they are at each call.
  await db.schema.alterTable('api_tokens').addColumn('scope', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', ms).execute();
  await db.schema.alterTable('api_tokens').addColumn('revoked_at', ms).execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id']).execute();

  await db.schema
    .createTable('login_throttle')
    // 'user:<name>' or 'ip:<address>'.
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', ms, (c) => c.notNull())
    .addColumn('locked_until', ms)
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('actor', 'varchar(128)')
    .addColumn('actor_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('token_id', 'varchar(26)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('target', 'varchar(256)')
    .addColumn('team', 'varchar(128)')
    .addColumn('details', 'text')
    .execute();
  // Lists are newest first by id (ULIDs grow with time); filters narrow by team or actor.
  await db.schema.createIndex('audit_log_team').on('audit_log').columns(['team', 'id']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'id']).execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();

  await db.schema
    .createTable('job_tombstones')
    .addColumn('job_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('team', 'varchar(128)', (c) => c.notNull())
    .addColumn('deleted_at', ms, (c) => c.notNull())
    .execute();

  await sql`UPDATE jobs SET team = ${DEFAULT_TEAM} WHERE team IS NULL OR team = ''`.execute(db);
  await sql`UPDATE worker_groups SET team = ${DEFAULT_TEAM} WHERE team IS NULL OR team = ''`.execute(db);
  const now = Date.now();
  await sql`INSERT INTO teams (name, description, created_at) VALUES (${DEFAULT_TEAM}, '', ${now})`.execute(
    db,
  );
  await sql`
    INSERT INTO teams (name, description, created_at)
    SELECT DISTINCT t.team, '', CAST(${now} AS BIGINT) FROM (
      SELECT team FROM jobs UNION SELECT team FROM worker_groups
    ) t WHERE t.team <> ${DEFAULT_TEAM}`.execute(db);

  const tokens = await sql<{ n: number | string }>`SELECT count(*) AS n FROM api_tokens`.execute(db);
  if (Number(tokens.rows[0]?.n ?? 0) > 0) {
    const adminId = newId(now);
    await sql`
      INSERT INTO users (id, name, display_name, email, phone, source, password_hash, admin, directory_admin,
                         disabled, created_at, updated_at, last_login_at)
      VALUES (${adminId}, 'admin', 'Administrator', NULL, NULL, 'local', NULL, 1, 0, 0, ${now}, ${now}, NULL)`.execute(
      db,
    );
    await sql`UPDATE api_tokens SET user_id = ${adminId}, scope = ${JSON.stringify({ admin: true, teams: [] })}`.execute(
      db,
    );
  }
}
