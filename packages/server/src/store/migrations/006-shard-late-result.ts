import type { Kysely } from 'kysely';

/** A broadcast shard keeps a result that came after its run was cancelled or lost (PROTOCOL.md §2, per shard). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('run_shards').addColumn('late_result', 'text').execute();
}
