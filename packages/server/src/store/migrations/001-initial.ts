import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/** The first schema: jobs, worker groups, runs and their attempts and events, leases, settings, tokens. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('team', 'varchar(128)')
    .addColumn('owner', 'varchar(128)')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('tags_index', 'text', (c) => c.notNull())
    .addColumn('cron', 'varchar(256)', (c) => c.notNull())
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_group', 'varchar(128)')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('secret', 'varchar(128)')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('planned_from', ms, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_team').on('jobs').columns(['team', 'name']).execute();
  await db.schema.createIndex('jobs_owner').on('jobs').columns(['owner', 'name']).execute();
  await db.schema.createIndex('jobs_target_group').on('jobs').column('target_group').execute();

  await db.schema
    .createTable('worker_groups')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('team', 'varchar(128)')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'varchar(26)', (c) =>
      c.notNull().references('worker_groups.id').onDelete('cascade'),
    )
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'url'])
    .execute();

  // Runs outlive their job (history stays readable after a delete), so no foreign key to jobs.
  await db.schema
    .createTable('runs')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('job_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('job_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('trigger', 'varchar(16)', (c) => c.notNull())
    .addColumn('scheduled_at', ms, (c) => c.notNull())
    .addColumn('fire_key', ms)
    .addColumn('fired_at', ms)
    .addColumn('finished_at', ms)
    .addColumn('duration_ms', ms)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('notify_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('timed_out', 'integer', (c) => c.notNull())
    .addColumn('progress', 'integer')
    .addColumn('message', 'text')
    .addColumn('output', 'text')
    .addColumn('late_result', 'text')
    .addColumn('retry_of', 'varchar(26)')
    .addColumn('member', 'varchar(2048)')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('timeout_at', ms)
    .addColumn('deadline_at', ms, (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms)
    .addColumn('last_heartbeat_at', ms)
    .addColumn('log_bytes', 'integer', (c) => c.notNull())
    .addColumn('truncated', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  // A fire can never be written twice: schedule and catchup runs carry fire_key = scheduled_at.
  await db.schema
    .createIndex('runs_fire_unique')
    .on('runs')
    .columns(['job_id', 'fire_key'])
    .unique()
    .execute();
  // History and trend: a job's runs by scheduled time.
  await db.schema
    .createIndex('runs_job_scheduled')
    .on('runs')
    .columns(['job_id', 'scheduled_at', 'id'])
    .execute();
  // Overview and global queries by time.
  await db.schema.createIndex('runs_scheduled').on('runs').columns(['scheduled_at']).execute();
  // The monitor and the dispatcher only ever look at open runs: keep those indexes small. Every
  // index costs each fire a B-tree write, so the hot table has only these.
  await sql`CREATE INDEX runs_open_deadline ON runs (deadline_at) WHERE status IN ('pending', 'running')`.execute(
    db,
  );
  await sql`CREATE INDEX runs_open_timeout ON runs (timeout_at)
    WHERE status IN ('pending', 'running') AND timed_out = 0 AND timeout_at IS NOT NULL`.execute(db);

  await db.schema
    .createTable('attempts')
    .addColumn('run_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('member', 'varchar(2048)', (c) => c.notNull())
    .addColumn('sent_at', ms, (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('latency_ms', 'integer')
    .addPrimaryKeyConstraint('attempts_pk', ['run_id', 'n'])
    .execute();

  await db.schema
    .createTable('run_events')
    .addColumn('id', dialect.autoIdType, (c) => c.primaryKey().$call(dialect.autoIncrement))
    .addColumn('run_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('progress', 'integer')
    .addColumn('message', 'text')
    .addColumn('log', 'text')
    .execute();
  await db.schema.createIndex('run_events_run').on('run_events').columns(['run_id', 'id']).execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(128)', (c) => c.notNull())
    .addColumn('epoch', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('fired_through', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('last_used_at', ms)
    .execute();
}
