import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Per-minute trend rollups (a read-through cache of closed minutes) and the
 * index of a job's open runs that tells which minutes are closed.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  await db.schema
    .createTable('trend_minutes')
    .addColumn('job_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('minute', ms, (c) => c.notNull())
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('max_duration_ms', ms)
    .addColumn('timed_out', 'integer', (c) => c.notNull())
    .addColumn('last_run_id', 'varchar(26)', (c) => c.notNull())
    .addPrimaryKeyConstraint('trend_minutes_pk', ['job_id', 'minute'])
    .execute();
  await db.schema
    .createTable('trend_state')
    .addColumn('job_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('rolled_until', ms, (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX runs_open_job ON runs (job_id, scheduled_at) WHERE status IN ('pending', 'running')`.execute(
    db,
  );
}
