import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { IS_OPEN, NOT_TIMED_OUT } from './open-runs.js';
import type { Database } from './schema.js';
import { endOpenShards } from './shards-repo.js';

export interface EndedRun {
  id: string;
  jobId: string;
}

/** A run ended `lost`, with the member that had accepted it. */
export interface LostRun extends EndedRun {
  member: string | null;
}

/**
 * The columns every monitor write sets on a run it ends at `now`: finished,
 * its duration, timed out too when past its timeout, no further attempt.
 */
function ended(eb: ExpressionBuilder<Database, 'runs'>, now: number, message: string) {
  return {
    finished_at: now,
    duration_ms: eb(eb.val(now), '-', eb.ref('fired_at')),
    timed_out: eb.case().when('timeout_at', '<=', now).then(1).else(eb.ref('timed_out')).end(),
    message,
    next_attempt_at: null,
  };
}

/** The monitor's writes: timeouts, deadlines and silent runs, each one bulk statement. */
export class LimitsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Flags unfinished runs whose timeout has passed. The runs keep going. */
  async markTimedOut(now: number): Promise<EndedRun[]> {
    const rows = await this.db
      .updateTable('runs')
      .set({ timed_out: 1 })
      .where(IS_OPEN)
      .where(NOT_TIMED_OUT)
      .where('timeout_at', '<=', now)
      .returning(['id', 'job_id'])
      .execute();
    return rows.map((r) => ({ id: r.id, jobId: r.job_id }));
  }

  /**
   * Ends runs past their deadline: a delivered run becomes `lost`; one that
   * was never delivered `failed` ("not delivered"). Either is also
   * `timedOut` when past its timeout.
   */
  async endPastDeadline(now: number): Promise<{ lost: LostRun[]; undelivered: EndedRun[] }> {
    return this.db.transaction().execute(async (trx) => {
      const lost = await trx
        .updateTable('runs')
        .set((eb) => ({ status: 'lost', ...ended(eb, now, 'lost: no result before the deadline') }))
        .where(IS_OPEN)
        .where('notify_status', '=', 'delivered')
        .where('deadline_at', '<=', now)
        .returning(['id', 'job_id', 'member'])
        .execute();
      await endOpenShards(
        trx,
        lost.map((r) => r.id),
        'lost',
        now,
      );
      const undelivered = await trx
        .updateTable('runs')
        .set((eb) => ({
          status: 'failed',
          notify_status: 'failed',
          ...ended(eb, now, 'not delivered before the deadline'),
        }))
        .where(IS_OPEN)
        .where('status', '=', 'pending')
        .where('notify_status', '=', 'pending')
        .where('deadline_at', '<=', now)
        .returning(['id', 'job_id'])
        .execute();
      return {
        lost: lost.map((r) => ({ id: r.id, jobId: r.job_id, member: r.member })),
        undelivered: undelivered.map((r) => ({ id: r.id, jobId: r.job_id })),
      };
    });
  }

  /**
   * Ends running runs whose worker went silent: no progress call (heartbeat)
   * for the job's heartbeatSec. They become `lost`, sooner than the deadline.
   */
  async endSilent(now: number): Promise<LostRun[]> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .updateTable('runs')
        .set((eb) => ({
          status: 'lost',
          ...ended(eb, now, "lost: no heartbeat (progress call) within the job's heartbeatSec"),
        }))
        // The literal predicate of runs_open_heartbeat, so only running runs with a limit are read.
        .where(sql<boolean>`status in ('pending', 'running') AND heartbeat_ms IS NOT NULL`)
        .where('status', '=', 'running')
        .where(sql<boolean>`last_heartbeat_at + heartbeat_ms <= ${now}`)
        .returning(['id', 'job_id', 'member'])
        .execute();
      await endOpenShards(
        trx,
        rows.map((r) => r.id),
        'lost',
        now,
      );
      return rows.map((r) => ({ id: r.id, jobId: r.job_id, member: r.member }));
    });
  }
}
