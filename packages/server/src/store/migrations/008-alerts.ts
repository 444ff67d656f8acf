import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Alerting. `alert_events` is written by triggers on `runs`, in the very
 * transaction that changes the run, so no alert-worthy change can be lost
 * between a run write and the alert worker: a run that becomes failed or
 * lost, times out, is inserted missed or skipped, and (while its job has an
 * open failure episode) succeeds. The triggers' conditions are cheap column
 * comparisons, so the hot path (pending → running → succeeded) pays almost
 * nothing. The worker turns events into `alert_messages` (the outbox) in one
 * transaction with deleting them; `alert_state` holds the throttle windows,
 * digests and failure episodes per job and kind.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect.msType;
  await db.schema
    .createTable('alert_events')
    .addColumn('id', dialect.autoIdType, (c) => c.primaryKey().$call(dialect.autoIncrement))
    .addColumn('job_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('run_id', 'varchar(26)', (c) => c.notNull())
    // failed | notify_failed | lost | timeout | missed | skipped | succeeded (closes an episode)
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    // Whether the job was enabled when it happened: a paused job's runs alert no one, even when read after a resume.
    .addColumn('job_enabled', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_channels')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    // Credentials (passwords, sign secrets, webhook URLs with tokens): never in list or read answers.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    // The channel `email:` and `sms:` recipients (and users' addresses) go through.
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_messages')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(26)')
    .addColumn('job_name', 'varchar(128)')
    .addColumn('team', 'varchar(128)')
    .addColumn('run_id', 'varchar(26)')
    .addColumn('channel', 'varchar(128)', (c) => c.notNull())
    .addColumn('recipient', 'varchar(320)', (c) => c.notNull())
    // The rendered AlertContent as JSON.
    .addColumn('content', 'text', (c) => c.notNull())
    // pending | sent | failed
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms)
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('sent_at', ms)
    .execute();
  await sql`CREATE INDEX alert_messages_due ON alert_messages (next_attempt_at) WHERE status = 'pending'`.execute(
    db,
  );
  await db.schema.createIndex('alert_messages_job').on('alert_messages').columns(['job_id', 'id']).execute();
  await db.schema.createIndex('alert_messages_team').on('alert_messages').columns(['team', 'id']).execute();

  await db.schema
    .createTable('alert_state')
    .addColumn('job_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    // Alerts of this job and kind are held back until then (and counted for the digest).
    .addColumn('window_until', ms, (c) => c.notNull())
    .addColumn('suppressed', 'integer', (c) => c.notNull())
    .addColumn('last_run_id', 'varchar(26)')
    .addPrimaryKeyConstraint('alert_state_pk', ['job_id', 'kind'])
    .execute();

  await db.schema
    .createTable('alert_episodes')
    .addColumn('job_id', 'varchar(26)', (c) => c.primaryKey())
    // Failures (failed, notify_failed, lost) since the episode opened, for escalation.
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('opened_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('team', 'varchar(128)', (c) => c.notNull())
    .addColumn('starts_at', ms, (c) => c.notNull())
    .addColumn('ends_at', ms, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'varchar(128)')
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('maintenance_windows_team')
    .on('maintenance_windows')
    .columns(['team', 'ends_at'])
    .execute();

  if (dialect.name === 'postgres') await postgresTriggers(db);
  else await sqliteTriggers(db);
}

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER runs_alert_insert AFTER INSERT ON runs
    WHEN NEW.status IN ('missed', 'skipped', 'failed')
    BEGIN
      INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled) VALUES (NEW.job_id, NEW.id, NEW.status, NEW.created_at, (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
    END`.execute(db);
  await sql`
    CREATE TRIGGER runs_alert_end AFTER UPDATE OF status ON runs
    WHEN NEW.status <> OLD.status AND NEW.status IN ('failed', 'lost')
    BEGIN
      INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled) VALUES (
        NEW.job_id, NEW.id,
        CASE WHEN NEW.status = 'failed' AND NEW.notify_status = 'failed' THEN 'notify_failed' ELSE NEW.status END,
        COALESCE(NEW.finished_at, NEW.created_at), (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
    END`.execute(db);
  await sql`
    CREATE TRIGGER runs_alert_timeout AFTER UPDATE OF timed_out ON runs
    WHEN NEW.timed_out = 1 AND OLD.timed_out = 0
    BEGIN
      INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled)
      VALUES (NEW.job_id, NEW.id, 'timeout', COALESCE(NEW.timeout_at, NEW.created_at),
        (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
    END`.execute(db);
  await sql`
    CREATE TRIGGER runs_alert_recovery AFTER UPDATE OF status ON runs
    WHEN NEW.status = 'succeeded' AND OLD.status <> 'succeeded'
      AND EXISTS (SELECT 1 FROM alert_episodes WHERE job_id = NEW.job_id)
    BEGIN
      INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled)
      VALUES (NEW.job_id, NEW.id, 'succeeded', COALESCE(NEW.finished_at, NEW.created_at),
        (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
    END`.execute(db);
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION jobcenter_run_alert_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled) VALUES (NEW.job_id, NEW.id, NEW.status, NEW.created_at, (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
        RETURN NULL;
      END IF;
      IF NEW.status <> OLD.status AND NEW.status IN ('failed', 'lost') THEN
        INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled) VALUES (
          NEW.job_id, NEW.id,
          CASE WHEN NEW.status = 'failed' AND NEW.notify_status = 'failed' THEN 'notify_failed' ELSE NEW.status END,
          COALESCE(NEW.finished_at, NEW.created_at), (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
      END IF;
      IF NEW.timed_out = 1 AND OLD.timed_out = 0 THEN
        INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled)
        VALUES (NEW.job_id, NEW.id, 'timeout', COALESCE(NEW.timeout_at, NEW.created_at),
        (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
      END IF;
      IF NEW.status = 'succeeded' AND OLD.status <> 'succeeded'
         AND EXISTS (SELECT 1 FROM alert_episodes WHERE job_id = NEW.job_id) THEN
        INSERT INTO alert_events (job_id, run_id, kind, at, job_enabled)
        VALUES (NEW.job_id, NEW.id, 'succeeded', COALESCE(NEW.finished_at, NEW.created_at),
        (SELECT COALESCE(MAX(enabled), 0) FROM jobs WHERE id = NEW.job_id));
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER runs_alert_insert AFTER INSERT ON runs FOR EACH ROW
    WHEN (NEW.status IN ('missed', 'skipped', 'failed'))
    EXECUTE FUNCTION jobcenter_run_alert_events()`.execute(db);
  // The WHEN keeps the function out of the hot path: most updates change neither column that matters.
  await sql`
    CREATE TRIGGER runs_alert_update AFTER UPDATE OF status, timed_out ON runs FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.timed_out IS DISTINCT FROM OLD.timed_out)
    EXECUTE FUNCTION jobcenter_run_alert_events()`.execute(db);
}
