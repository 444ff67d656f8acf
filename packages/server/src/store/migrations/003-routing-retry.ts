import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Broadcast shards, round-robin positions, execution retries and run
 * heartbeats: the state the remaining routing strategies and failure modes
 * keep per run and per job.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  // Re-runs still allowed after this run, copied from the job's retry.count when the run is made.
  await db.schema
    .alterTable('runs')
    .addColumn('retries_left', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The job's heartbeatSec in ms when the run was made; null: no heartbeat limit.
  await db.schema.alterTable('runs').addColumn('heartbeat_ms', ms).execute();
  // Broadcast: the number of shards (0 for every other routing).
  await db.schema
    .alterTable('runs')
    .addColumn('shard_total', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // At most one re-run per run, whichever node writes it.
  await sql`CREATE UNIQUE INDEX runs_retry_of ON runs (retry_of) WHERE retry_of IS NOT NULL`.execute(db);
  // Runs that may be re-run, by the time they ended: the retry sweep reads recent ones only.
  await sql`CREATE INDEX runs_retry_due ON runs (finished_at) WHERE retries_left > 0`.execute(db);
  // Running runs with a heartbeat limit: the monitor's heartbeat sweep.
  await sql`CREATE INDEX runs_open_heartbeat ON runs (last_heartbeat_at)
    WHERE status IN ('pending', 'running') AND heartbeat_ms IS NOT NULL`.execute(db);

  await db.schema.alterTable('attempts').addColumn('shard', 'integer').execute();

  await db.schema
    .createTable('run_shards')
    .addColumn('run_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('member', 'varchar(2048)', (c) => c.notNull())
    .addColumn('notify_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('fired_at', ms)
    .addColumn('finished_at', ms)
    .addColumn('duration_ms', ms)
    .addColumn('progress', 'integer')
    .addColumn('message', 'text')
    .addColumn('output', 'text')
    .addColumn('last_heartbeat_at', ms)
    .addPrimaryKeyConstraint('run_shards_pk', ['run_id', 'idx'])
    .execute();

  await db.schema
    .createTable('routing_positions')
    .addColumn('job_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('next_index', ms, (c) => c.notNull())
    .execute();
}
