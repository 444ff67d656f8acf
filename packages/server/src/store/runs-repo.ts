import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Attempt, NotifyStatus, Run, RunResult, RunStatus, Trigger } from '../domain/run.js';
import { acceptsDeliveryOutcome } from '../domain/run-state.js';
import { isId } from '../ids.js';
import type { Dialect } from './dialect.js';
import { chunk, decodeCursor, encodeCursor, fromJson, toJson } from './json.js';
import { IS_OPEN } from './open-runs.js';
import type { Database, RunsTable } from './schema.js';
import { endOpenShards } from './shards-repo.js';
import type { SqliteHotPath } from './sqlite-hot-path.js';
import type { TrendRepo } from './trend-repo.js';

/** A run row about to be written: a fire, a missed fire, a manual or a retry run. */
export interface NewRun {
  id: string;
  jobId: string;
  job: string;
  trigger: Trigger;
  scheduledAt: number;
  firedAt: number | null;
  status: RunStatus;
  notifyStatus: NotifyStatus;
  params: Record<string, unknown>;
  timeoutAt: number | null;
  deadlineAt: number;
  message: string | null;
  output: unknown;
  retryOf: string | null;
  createdAt: number;
  /** Re-runs still allowed after this one (the job's retry.count less the retries before it). */
  retriesLeft: number;
  /** The job's heartbeatSec in ms; null for none. */
  heartbeatMs: number | null;
  /**
   * until_delivered_if_idle: written `skipped` instead of `pending` when the
   * job has another open run at the moment of the write (checked in the
   * same transaction, so two concurrent fires cannot both pass).
   */
  skipIfBusy: boolean;
}

/** What one delivery attempt changed. Applied only while the run is still `pending`. */
export type DeliveryOutcome =
  | { kind: 'accepted'; member: string; at: number }
  | {
      kind: 'finished';
      member: string;
      at: number;
      status: RunResult['status'];
      /** Already capped, as every stored result is. */
      message: string | null;
      outputJson: string | null;
      truncated: boolean;
    }
  | { kind: 'retry_later'; nextAttemptAt: number }
  | { kind: 'undelivered'; at: number; message: string };

/**
 * The columns one outcome sets on a pending run. A pending run has no
 * member, result, message or heartbeat yet, so writing them as null when an
 * outcome has none changes nothing.
 */
/** What one delivery outcome writes on its run. */
export interface DeliveryColumns {
  /** When the first attempt was sent (PROTOCOL.md §1 `firedAt`); null: keep the stored one. */
  firedAt: number | null;
  status: string;
  notify: string;
  member: string | null;
  nextAttemptAt: number | null;
  finishedAt: number | null;
  message: string | null;
  output: string | null;
  heartbeatAt: number | null;
  truncated: 0 | 1;
  progress: number | null;
}

export function deliveryColumns(outcome: DeliveryOutcome, firedAt: number | null = null): DeliveryColumns {
  return { firedAt, ...outcomeColumns(outcome) };
}

function outcomeColumns(outcome: DeliveryOutcome): Omit<DeliveryColumns, 'firedAt'> {
  switch (outcome.kind) {
    case 'accepted':
      return {
        status: 'running',
        notify: 'delivered',
        member: outcome.member,
        nextAttemptAt: null,
        finishedAt: null,
        message: null,
        output: null,
        heartbeatAt: outcome.at,
        truncated: 0,
        progress: null,
      };
    case 'finished':
      return {
        status: outcome.status,
        notify: 'delivered',
        member: outcome.member,
        nextAttemptAt: null,
        finishedAt: outcome.at,
        message: outcome.message,
        output: outcome.outputJson,
        heartbeatAt: null,
        truncated: outcome.truncated ? 1 : 0,
        progress: outcome.status === 'succeeded' ? 100 : null,
      };
    case 'retry_later':
      return {
        status: 'pending',
        notify: 'pending',
        member: null,
        nextAttemptAt: outcome.nextAttemptAt,
        finishedAt: null,
        message: null,
        output: null,
        heartbeatAt: null,
        truncated: 0,
        progress: null,
      };
    case 'undelivered':
      return {
        status: 'failed',
        notify: 'failed',
        member: null,
        nextAttemptAt: null,
        finishedAt: outcome.at,
        message: outcome.message,
        output: null,
        heartbeatAt: null,
        truncated: 0,
        progress: null,
      };
  }
}

export interface DeliveryUpdate {
  runId: string;
  attempt: Attempt;
  outcome: DeliveryOutcome;
}

export function runFromRow(row: Selectable<RunsTable>): Run {
  const firedAt = row.fired_at === null ? null : Number(row.fired_at);
  return {
    id: row.id,
    jobId: row.job_id,
    job: row.job_name,
    trigger: row.trigger as Trigger,
    scheduledAt: Number(row.scheduled_at),
    firedAt,
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    status: row.status as RunStatus,
    notifyStatus: row.notify_status as NotifyStatus,
    timedOut: row.timed_out === 1,
    progress: row.progress,
    message: row.message,
    output: fromJson<unknown>(row.output, null),
    lateResult: fromJson<unknown>(row.late_result, null),
    retryOf: row.retry_of,
    member: row.member,
    params: fromJson<Record<string, unknown>>(row.params, {}),
    timeoutAt: row.timeout_at === null ? null : Number(row.timeout_at),
    deadlineAt: Number(row.deadline_at),
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastHeartbeatAt: row.last_heartbeat_at === null ? null : Number(row.last_heartbeat_at),
    truncated: row.truncated === 1,
    retriesLeft: row.retries_left,
    shardTotal: row.shard_total,
  };
}

export function toRow(run: NewRun): RunsTable {
  const finished = run.status !== 'pending' && run.status !== 'running';
  return {
    id: run.id,
    job_id: run.jobId,
    job_name: run.job,
    trigger: run.trigger,
    scheduled_at: run.scheduledAt,
    fire_key: run.trigger === 'schedule' || run.trigger === 'catchup' ? run.scheduledAt : null,
    fired_at: run.firedAt,
    finished_at: finished && run.firedAt !== null ? run.firedAt : null,
    duration_ms: null,
    status: run.status,
    notify_status: run.notifyStatus,
    timed_out: 0,
    progress: null,
    message: run.message,
    output: run.output === null || run.output === undefined ? null : toJson(run.output),
    late_result: null,
    retry_of: run.retryOf,
    member: null,
    params: toJson(run.params),
    timeout_at: run.timeoutAt,
    deadline_at: run.deadlineAt,
    attempt_count: 0,
    // Pending runs carry their next delivery time, so a restart finds and resumes them.
    next_attempt_at: run.status === 'pending' ? (run.firedAt ?? run.createdAt) : null,
    last_heartbeat_at: null,
    log_bytes: 0,
    truncated: 0,
    created_at: run.createdAt,
    retries_left: run.retriesLeft,
    heartbeat_ms: run.heartbeatMs,
    shard_total: 0,
  };
}

/** The row of a fire skipped because `openRunId` of the same job is still open. */
export function skippedRow(row: RunsTable, openRunId: string, openStatus: string): RunsTable {
  return {
    ...row,
    status: 'skipped',
    notify_status: 'skipped',
    fired_at: null,
    finished_at: row.created_at,
    next_attempt_at: null,
    timeout_at: null,
    retries_left: 0,
    message: `skipped: run ${openRunId} is still ${openStatus}`,
  };
}

/** Thrown inside the fire transaction when the writer no longer holds the scheduler lease. */
export class FencedError extends Error {
  constructor() {
    super('the scheduler lease was lost: fires not written');
  }
}

/** What a write of runs did: the ids inserted, and among them the ones to send (written `pending`). */
export interface Written {
  written: Set<string>;
  toSend: Set<string>;
}

export interface Fence {
  lease: string;
  holder: string;
  epoch: number;
  /** Every fire at or before this instant is in this write (or an earlier one). */
  firedThrough: number;
}

export class RunsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly trend: TrendRepo,
    /** Prepared statements for the two hot writes, where the dialect has them (SQLite). */
    private readonly hot: SqliteHotPath | null = null,
  ) {}

  /**
   * Writes runs in one transaction and answers the ids to send: the ones
   * inserted `pending`. A schedule or catchup fire that already exists (same
   * job and time) is skipped, never written twice; an until_delivered_if_idle
   * run whose job has an open run is written `skipped`. With a fence, the transaction first proves
   * the writer still holds the lease (and moves its checkpoint), else throws
   * FencedError and writes nothing.
   */
  async insertRuns(runs: readonly NewRun[], fence?: Fence): Promise<Set<string>> {
    const { written: inserted, toSend } = await this.writeRuns(runs, fence);
    // Runs written into past minutes (misfire recovery) make those minutes' trend rollups stale.
    let past: Map<string, number> | null = null;
    for (const run of runs) {
      if (run.scheduledAt < run.createdAt - 60_000 && inserted.has(run.id)) {
        past ??= new Map();
        past.set(run.jobId, Math.min(past.get(run.jobId) ?? run.scheduledAt, run.scheduledAt));
      }
    }
    if (past) await this.trend.invalidate(past);
    return toSend;
  }

  private async writeRuns(runs: readonly NewRun[], fence?: Fence): Promise<Written> {
    if (this.hot) {
      const result = await this.hot.insertRuns(
        runs.map(toRow),
        runs.map((r) => r.skipIfBusy),
        fence,
      );
      if (result === 'fenced') throw new FencedError();
      return result;
    }
    const written = new Set<string>();
    const toSend = new Set<string>();
    await this.db.transaction().execute(async (trx) => {
      if (fence) {
        const moved = await trx
          .updateTable('leases')
          .set({ fired_through: fence.firedThrough })
          .where('name', '=', fence.lease)
          .where('holder', '=', fence.holder)
          .where('epoch', '=', fence.epoch)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new FencedError();
      }
      const rowsToWrite = await this.applyIdleChecks(trx, runs);
      for (const part of chunk(rowsToWrite, 30, this.dialect.maxParams)) {
        const rows = await trx
          .insertInto('runs')
          .values(part)
          .onConflict((oc) => oc.columns(['job_id', 'fire_key']).doNothing())
          .returning(['id', 'status'])
          .execute();
        for (const row of rows) {
          written.add(row.id);
          if (row.status === 'pending') toSend.add(row.id);
        }
      }
    });
    return { written, toSend };
  }

  /**
   * Rows for `runs`, with until_delivered_if_idle fires turned `skipped`
   * when their job has an open run. The jobs' rows are locked first, so a
   * concurrent fire of the same job (run-now against the schedule, another
   * node) waits for this transaction and then sees this run.
   */
  private async applyIdleChecks(trx: Transaction<Database>, runs: readonly NewRun[]): Promise<RunsTable[]> {
    const rows = runs.map(toRow);
    const idleJobs = [...new Set(runs.filter((r) => r.skipIfBusy).map((r) => r.jobId))].sort();
    if (idleJobs.length === 0) return rows;
    if (this.dialect.name === 'postgres') {
      await trx
        .selectFrom('jobs')
        .select('id')
        .where('id', 'in', idleJobs)
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    const open = new Map<string, { id: string; status: string }>();
    for (const part of chunk(idleJobs, 1, this.dialect.maxParams)) {
      const found = await trx
        .selectFrom('runs')
        .select(['job_id', 'id', 'status'])
        .where('job_id', 'in', part)
        .where(IS_OPEN)
        .execute();
      for (const r of found) open.set(r.job_id, { id: r.id, status: r.status });
    }
    return rows.map((row, i) => {
      if (!runs[i]?.skipIfBusy) return row;
      const busy = open.get(row.job_id);
      if (busy) return skippedRow(row, busy.id, busy.status);
      // A later fire of the same job in this batch waits on this one.
      open.set(row.job_id, { id: row.id, status: row.status });
      return row;
    });
  }

  /**
   * Applies delivery attempts in one transaction. Each attempt is recorded;
   * the run changes only while it is still `pending` (a callback, a cancel or
   * the monitor may have moved it on meanwhile).
   */
  async recordDeliveries(updates: readonly DeliveryUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // A first attempt sets the run's firedAt (when it was sent), whichever update of the batch wins.
    const firstSent = new Map<string, number>();
    for (const u of updates) if (u.attempt.n === 1) firstSent.set(u.runId, u.attempt.sentAt);
    if (this.hot) {
      const last = new Map<string, DeliveryUpdate>();
      for (const u of updates) last.set(u.runId, u);
      await this.hot.recordDeliveries(
        updates.map((u) => ({
          runId: u.runId,
          attempt: u.attempt,
          set: last.get(u.runId) === u ? deliveryColumns(u.outcome, firstSent.get(u.runId) ?? null) : null,
        })),
      );
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      // The bulk UPDATE below must find its runs by primary key. On a young, fast-growing runs
      // table the planner's statistics lag (autovacuum analyses once a minute at best): it
      // believed a few dozen runs were open and scanned the open-runs partial index for every
      // batch, comparing each open run with each row of the batch (0.3 s, then seconds, until
      // the writer fell behind for good). The guard on the status is compared with a column of
      // the batch, so no partial index qualifies, and sequential scans are off for this
      // transaction: the key lookup is the plan left.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      for (const part of chunk(updates, 7, this.dialect.maxParams)) {
        await trx
          .insertInto('attempts')
          .values(
            part.map((u) => ({
              run_id: u.runId,
              n: u.attempt.n,
              member: u.attempt.member,
              sent_at: u.attempt.sentAt,
              http_status: u.attempt.httpStatus,
              error: u.attempt.error,
              latency_ms: u.attempt.latencyMs,
            })),
          )
          .onConflict((oc) => oc.columns(['run_id', 'n']).doNothing())
          .execute();
      }
      // One bulk UPDATE per chunk. A run's last update in the batch wins (its
      // attempts are all recorded above); the guard leaves runs that moved on.
      const last = new Map<string, DeliveryUpdate>();
      for (const u of updates) last.set(u.runId, u);
      for (const part of chunk([...last.values()], 14, this.dialect.maxParams)) {
        const rows = part.map(({ runId, attempt, outcome }) => {
          const v = deliveryColumns(outcome, firstSent.get(runId) ?? null);
          return sql`(${runId}, 'pending', CAST(${v.firedAt} AS bigint), ${v.status}, ${v.notify}, ${v.member}, CAST(${attempt.n} AS bigint), CAST(${v.nextAttemptAt} AS bigint), CAST(${v.finishedAt} AS bigint), CAST(${v.message} AS text), CAST(${v.output} AS text), CAST(${v.heartbeatAt} AS bigint), CAST(${v.truncated} AS bigint), CAST(${v.progress} AS bigint))`;
        });
        await sql`WITH v(id, expect, fired_at, status, notify_status, member, attempt_count, next_attempt_at, finished_at, message, output, heartbeat_at, truncated, progress) AS (VALUES ${sql.join(rows)})
UPDATE runs SET
  fired_at = COALESCE(v.fired_at, runs.fired_at),
  status = v.status,
  notify_status = v.notify_status,
  member = v.member,
  attempt_count = v.attempt_count,
  next_attempt_at = v.next_attempt_at,
  finished_at = v.finished_at,
  duration_ms = v.finished_at - COALESCE(v.fired_at, runs.fired_at),
  message = v.message,
  output = v.output,
  last_heartbeat_at = v.heartbeat_at,
  truncated = v.truncated,
  progress = v.progress
FROM v
WHERE runs.id = v.id AND runs.status = v.expect AND runs.notify_status = v.expect`.execute(trx);
      }
    });
  }

  /**
   * Cancels an open run: `cancelled`, no further attempt and no re-run; a
   * notification still pending becomes `skipped` (it will never be sent).
   * Open broadcast shards end cancelled too. Answers the run as it was
   * before (its member(s) are asked to stop), or why nothing changed.
   */
  async cancel(
    runId: string,
    now: number,
    message: string,
  ): Promise<{ before: Run; members: string[] } | 'not_found' | 'finished'> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row) return 'not_found' as const;
      const before = runFromRow(row);
      if (before.status !== 'pending' && before.status !== 'running') return 'finished' as const;
      const shardMembers =
        before.shardTotal > 0
          ? await trx
              .selectFrom('run_shards')
              .select('member')
              .where('run_id', '=', runId)
              .where('status', 'in', ['pending', 'running'])
              .where('notify_status', '=', 'delivered')
              .execute()
          : [];
      await trx
        .updateTable('runs')
        .set((eb) => ({
          status: 'cancelled',
          notify_status:
            before.notifyStatus === 'pending' && before.shardTotal === 0 ? 'skipped' : before.notifyStatus,
          finished_at: now,
          duration_ms: before.firedAt === null ? null : eb(eb.val(now), '-', eb.ref('fired_at')),
          next_attempt_at: null,
          retries_left: 0,
          message,
        }))
        .where('id', '=', runId)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      await endOpenShards(trx, [runId], 'cancelled', now);
      const members =
        before.shardTotal > 0
          ? shardMembers.map((m) => m.member)
          : before.status === 'running' && before.member !== null
            ? [before.member]
            : [];
      return { before, members };
    });
  }

  /**
   * Ended runs that may be re-run (failed or lost, retries left, no re-run
   * yet), finished at or after `since`, oldest first.
   */
  async retryCandidates(since: number, limit: number): Promise<Run[]> {
    const rows = await this.db
      .selectFrom('runs as r')
      .selectAll('r')
      // The literal predicate of the runs_retry_due partial index.
      .where(sql<boolean>`r.retries_left > 0`)
      .where('r.finished_at', '>=', since)
      .where('r.status', 'in', ['failed', 'lost'])
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('runs as c').select('c.id').whereRef('c.retry_of', '=', 'r.id'))),
      )
      .orderBy('r.finished_at')
      .limit(limit)
      .execute();
    return rows.map(runFromRow);
  }

  /** Marks a pending run undelivered without an attempt (e.g. its group has no member). */
  async failUndelivered(runId: string, at: number, message: string): Promise<boolean> {
    const result = await this.db
      .updateTable('runs')
      .set((eb) => ({
        status: 'failed',
        notify_status: 'failed',
        next_attempt_at: null,
        finished_at: at,
        duration_ms: eb(eb.val(at), '-', eb.ref('fired_at')),
        message,
      }))
      .where('id', '=', runId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async find(id: string): Promise<Run | null> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? runFromRow(row) : null;
  }

  async attempts(runId: string): Promise<Attempt[]> {
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('n')
      .execute();
    return rows.map((r) => ({
      n: r.n,
      member: r.member,
      sentAt: Number(r.sent_at),
      httpStatus: r.http_status,
      error: r.error,
      latencyMs: r.latency_ms,
      shard: r.shard,
    }));
  }

  /**
   * Whether a run still waits for delivery (`pending` / `pending`): a callback,
   * a cancel or the monitor may have ended it while an attempt was failing.
   */
  async awaitsDelivery(runId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('runs')
      .select(['status', 'notify_status'])
      .where('id', '=', runId)
      .executeTakeFirst();
    return (
      row !== undefined && acceptsDeliveryOutcome(row.status as RunStatus, row.notify_status as NotifyStatus)
    );
  }

  /** A run event with only a message (JobCenter's own notes, e.g. cancel answers). */
  async addEvent(runId: string, at: number, message: string): Promise<void> {
    await this.db
      .insertInto('run_events')
      .values({ run_id: runId, at, progress: null, message, log: null })
      .execute();
  }

  /** The re-runs of a run (its retry chain continues from each), oldest first. */
  async retriesOf(runId: string): Promise<Run[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('retry_of', '=', runId).execute();
    return rows.map(runFromRow);
  }

  async events(
    runId: string,
  ): Promise<{ at: number; progress: number | null; message: string | null; log: string[] }[]> {
    const rows = await this.db
      .selectFrom('run_events')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      at: Number(r.at),
      progress: r.progress,
      message: r.message,
      log: fromJson<string[]>(r.log, []),
    }));
  }

  /** Runs that still wait for a delivery attempt at or before `now` (resumed after a restart). */
  async undelivered(now: number, limit: number): Promise<Run[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll()
      // Repeats the partial index's predicate so SQLite can use it.
      .where(IS_OPEN)
      .where('status', '=', 'pending')
      .where('notify_status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map(runFromRow);
  }

  /** Attempts of several runs, by run id. */
  async attemptsOf(runIds: readonly string[]): Promise<Map<string, Attempt[]>> {
    const out = new Map<string, Attempt[]>();
    if (runIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('attempts')
      .selectAll()
      .where('run_id', 'in', [...runIds])
      .orderBy('run_id')
      .orderBy('n')
      .execute();
    for (const r of rows) {
      const list = out.get(r.run_id) ?? [];
      list.push({
        n: r.n,
        member: r.member,
        sentAt: Number(r.sent_at),
        httpStatus: r.http_status,
        error: r.error,
        latencyMs: r.latency_ms,
      });
      out.set(r.run_id, list);
    }
    return out;
  }

  /** The job id of runs kept for a job that no longer exists (looked up by its id or name). */
  async anyRunOf(idOrName: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('runs')
      .select('job_id')
      .where(isId(idOrName) ? 'job_id' : 'job_name', '=', idOrName)
      .orderBy('scheduled_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.job_id ?? null;
  }

  /** Whether the job has a run that is pending or running. */
  async hasOpenRun(jobId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('runs')
      .select('id')
      .where('job_id', '=', jobId)
      .where(IS_OPEN)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A page of a job's history, newest first by scheduled time. */
  async history(
    jobId: string,
    filter: { from?: number | undefined; to?: number | undefined; status?: RunStatus[] | undefined },
    limit: number,
    cursor: string | undefined,
  ): Promise<{ runs: Run[]; nextCursor: string | null } | 'bad_cursor'> {
    let query = this.db.selectFrom('runs').selectAll().where('job_id', '=', jobId);
    if (cursor !== undefined) {
      const parts = decodeCursor(cursor);
      const [at, id, kind] = parts ?? [];
      if (parts?.length !== 3 || kind !== 'runs' || typeof at !== 'number' || typeof id !== 'string') {
        return 'bad_cursor';
      }
      query = query.where((eb) =>
        eb.or([eb('scheduled_at', '<', at), eb.and([eb('scheduled_at', '=', at), eb('id', '<', id)])]),
      );
    }
    if (filter.from !== undefined) query = query.where('scheduled_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('scheduled_at', '<', filter.to);
    if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
    const rows = await query
      .orderBy('scheduled_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const runs = rows.slice(0, limit).map(runFromRow);
    const last = runs[runs.length - 1];
    return {
      runs,
      nextCursor: rows.length > limit && last ? encodeCursor([last.scheduledAt, last.id, 'runs']) : null,
    };
  }

  /** The latest run (by scheduled time) of each given job. */
  async latestRuns(jobIds: readonly string[]): Promise<Map<string, Run>> {
    const out = new Map<string, Run>();
    // One indexed lookup per job: fast at any history size, unlike a GROUP BY over all runs.
    await Promise.all(
      jobIds.map(async (jobId) => {
        const row = await this.db
          .selectFrom('runs')
          .selectAll()
          .where('job_id', '=', jobId)
          .orderBy('scheduled_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (row) out.set(jobId, runFromRow(row));
      }),
    );
    return out;
  }
}
