import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Dynamic members and member health: a member row is static (listed in the
 * group) or dynamic (joined by heartbeat); `last_seen_at` is its latest
 * heartbeat. For a dynamic row `created_at` is when it (re)joined, which
 * orders dynamic members. Groups may carry an active probe.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  await db.schema
    .alterTable('group_members')
    .addColumn('dynamic', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('group_members').addColumn('last_seen_at', ms).execute();
  await db.schema.alterTable('worker_groups').addColumn('probe_path', 'varchar(2048)').execute();
  await db.schema.alterTable('worker_groups').addColumn('probe_interval_ms', ms).execute();
}
