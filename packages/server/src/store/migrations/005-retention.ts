import type { Kysely } from 'kysely';

/**
 * A job's own retention limits, as columns rather than inside `spec`, so the
 * pruner reads them for thousands of jobs without parsing any JSON. Null
 * columns take the server's defaults. Runs need no new index: pruning walks
 * `runs_job_scheduled (job_id, scheduled_at, id)`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('retention_days', 'integer').execute();
  await db.schema.alterTable('jobs').addColumn('retention_count', 'integer').execute();
}
