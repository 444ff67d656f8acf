/**
 * Broadcast shards: one row per member of a broadcast run. Every change to
 * a shard and the run's outcome recomputed from all its shards happen in
 * one transaction, so the run never disagrees with its shards.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  capLog,
  capMessage,
  capOutput,
  decideProgress,
  decideResult,
  lateResultJson,
  type ReportLimits,
  type ResultDecision,
} from '../domain/callback-rules.js';
import type { Attempt, NotifyStatus, RunResult, RunStatus } from '../domain/run.js';
import { broadcastOutcome } from '../domain/shards.js';
import type { Dialect } from './dialect.js';
import { chunk, fromJson } from './json.js';
import type { ProgressReport } from './reports-repo.js';
import { type DeliveryOutcome, deliveryColumns } from './runs-repo.js';
import type { Database, RunShardsTable } from './schema.js';

/** One delivery attempt of a shard and what it changed. */
export interface ShardDelivery {
  runId: string;
  index: number;
  attempt: Attempt;
  outcome: DeliveryOutcome;
}

/** A shard as the API shows it (PROTOCOL.md §3 `shards[]`). */
export interface Shard {
  index: number;
  member: string;
  notifyStatus: NotifyStatus;
  status: RunStatus;
  firedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  progress: number | null;
  message: string | null;
  output: unknown;
  /** A result that came after the shard was cancelled or lost. */
  lateResult: unknown;
}

export class ShardsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly limits: ReportLimits,
  ) {}

  /**
   * Serialises the shard writes of one run: each transaction recomputes the
   * run from all its shards, so two shards finishing at once on different
   * connections must not each miss the other's change (PostgreSQL; SQLite
   * writes are serialised on its one connection already).
   */
  private async lockRun(trx: Transaction<Database>, runId: string): Promise<void> {
    if (this.dialect.name !== 'postgres') return;
    await trx.selectFrom('runs').select('id').where('id', '=', runId).forUpdate().execute();
  }

  /**
   * Creates the shards of pending broadcast runs, one per member in order, in
   * one transaction; answers the runs whose shards were made. A run no longer
   * pending (cancelled meanwhile) or already split gets none: send nothing.
   */
  async create(
    runs: readonly { runId: string; members: readonly string[]; firedAt: number }[],
  ): Promise<Set<string>> {
    const made = new Set<string>();
    if (runs.length === 0) return made;
    await this.db.transaction().execute(async (trx) => {
      // One guarded UPDATE per shard count (usually one): the runs still pending and not split yet.
      const byTotal = new Map<number, string[]>();
      for (const { runId, members } of runs) {
        const ids = byTotal.get(members.length) ?? [];
        ids.push(runId);
        byTotal.set(members.length, ids);
      }
      for (const [total, ids] of byTotal) {
        for (const part of chunk(ids, 1, this.dialect.maxParams)) {
          const moved = await trx
            .updateTable('runs')
            .set({ shard_total: total })
            .where('id', 'in', part)
            .where('status', '=', 'pending')
            .where('shard_total', '=', 0)
            .returning('id')
            .execute();
          for (const r of moved) made.add(r.id);
        }
      }
      const rows: RunShardsTable[] = [];
      for (const { runId, members, firedAt } of runs) {
        if (!made.has(runId)) continue;
        members.forEach((member, idx) => {
          rows.push({
            run_id: runId,
            idx,
            member,
            notify_status: 'pending',
            status: 'pending',
            fired_at: firedAt,
            finished_at: null,
            duration_ms: null,
            progress: null,
            message: null,
            output: null,
            last_heartbeat_at: null,
            late_result: null,
          });
        });
      }
      for (const part of chunk(rows, 12, this.dialect.maxParams)) {
        await trx.insertInto('run_shards').values(part).execute();
      }
    });
    return made;
  }

  async list(runId: string): Promise<Shard[]> {
    const rows = await this.db
      .selectFrom('run_shards')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({
      index: r.idx,
      member: r.member,
      notifyStatus: r.notify_status as NotifyStatus,
      status: r.status as RunStatus,
      firedAt: r.fired_at === null ? null : Number(r.fired_at),
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      progress: r.progress,
      message: r.message,
      output: fromJson<unknown>(r.output, null),
      lateResult: fromJson<unknown>(r.late_result, null),
    }));
  }

  /**
   * Records delivery attempts of shards and what they changed (a shard
   * changes only while pending), in one transaction; each run touched is
   * then recomputed once from all its shards.
   */
  async recordDeliveries(updates: readonly ShardDelivery[], now: number): Promise<void> {
    if (updates.length === 0) return;
    const runIds = [...new Set(updates.map((u) => u.runId))].sort();
    await this.db.transaction().execute(async (trx) => {
      for (const runId of runIds) await this.lockRun(trx, runId);
      for (const part of chunk(updates, 8, this.dialect.maxParams)) {
        await trx
          .insertInto('attempts')
          .values(
            part.map(({ runId, index, attempt }) => ({
              run_id: runId,
              n: attempt.n,
              member: attempt.member,
              sent_at: attempt.sentAt,
              http_status: attempt.httpStatus,
              error: attempt.error,
              latency_ms: attempt.latencyMs,
              shard: index,
            })),
          )
          .onConflict((oc) => oc.columns(['run_id', 'n']).doNothing())
          .execute();
      }
      const attempts = new Map<string, number>();
      for (const { runId, index, attempt, outcome } of updates) {
        attempts.set(runId, Math.max(attempts.get(runId) ?? 0, attempt.n));
        if (outcome.kind === 'retry_later') continue;
        const v = deliveryColumns(outcome);
        await trx
          .updateTable('run_shards')
          .set((eb) => ({
            status: v.status,
            notify_status: v.notify,
            finished_at: v.finishedAt,
            duration_ms: v.finishedAt === null ? null : eb(eb.val(v.finishedAt), '-', eb.ref('fired_at')),
            message: v.message,
            output: v.output,
            progress: v.progress,
            last_heartbeat_at: v.heartbeatAt,
          }))
          .where('run_id', '=', runId)
          .where('idx', '=', index)
          .where('status', '=', 'pending')
          .execute();
      }
      for (const runId of runIds) {
        await trx
          .updateTable('runs')
          .set({ attempt_count: attempts.get(runId) ?? 0 })
          .where('id', '=', runId)
          .execute();
        await refreshRun(trx, runId, now);
      }
    });
  }

  /** A shard's progress call (PROTOCOL.md §2, per shard); a heartbeat of the shard and its run. */
  async recordProgress(
    runId: string,
    index: number,
    report: ProgressReport,
    now: number,
  ): Promise<'ok' | 'not_found' | 'ended'> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockRun(trx, runId);
      const shard = await trx
        .selectFrom('run_shards')
        .select(['status'])
        .where('run_id', '=', runId)
        .where('idx', '=', index)
        .executeTakeFirst();
      const run = await trx
        .selectFrom('runs')
        .select(['log_bytes', 'truncated'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!shard || !run) return 'not_found';
      if (decideProgress(shard.status as RunStatus) === 'ended') return 'ended';
      const message = capMessage(report.message, this.limits);
      const log = capLog(
        (report.log ?? []).map((line) => `[shard ${index}] ${line}`),
        run.log_bytes,
        this.limits,
      );
      await trx
        .insertInto('run_events')
        .values({
          run_id: runId,
          at: now,
          progress: report.progress ?? null,
          message: message.value === null ? null : `[shard ${index}] ${message.value}`,
          log: log.lines.length > 0 ? JSON.stringify(log.lines) : null,
        })
        .execute();
      await trx
        .updateTable('run_shards')
        .set({
          status: 'running',
          notify_status: 'delivered',
          last_heartbeat_at: now,
          ...(report.progress !== undefined ? { progress: report.progress } : {}),
          ...(message.value !== null ? { message: message.value } : {}),
        })
        .where('run_id', '=', runId)
        .where('idx', '=', index)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      await trx
        .updateTable('runs')
        .set({
          last_heartbeat_at: now,
          log_bytes: log.bytes,
          truncated: run.truncated === 1 || log.cut || message.cut ? 1 : 0,
        })
        .where('id', '=', runId)
        .execute();
      await refreshRun(trx, runId, now);
      return 'ok';
    });
  }

  /** A shard's final result, with the rules of PROTOCOL.md §2 applied to the shard. */
  async recordResult(
    runId: string,
    index: number,
    result: RunResult,
    now: number,
  ): Promise<ResultDecision | 'not_found'> {
    const message = capMessage(result.message, this.limits);
    const output = capOutput(result.output, this.limits);
    return this.db.transaction().execute(async (trx) => {
      await this.lockRun(trx, runId);
      const shard = await trx
        .selectFrom('run_shards')
        .select(['status', 'message', 'output', 'late_result'])
        .where('run_id', '=', runId)
        .where('idx', '=', index)
        .executeTakeFirst();
      if (!shard) return 'not_found';
      const decision = decideResult(
        {
          status: shard.status as RunStatus,
          message: shard.message,
          outputJson: shard.output,
          hasLateResult: false,
        },
        { ...result, message: message.value },
        output.json,
      );
      if (decision === 'late' && shard.late_result === null) {
        // As for a whole run (PROTOCOL.md §2): the first late result is kept, the status stays.
        await trx
          .updateTable('run_shards')
          .set({
            late_result: lateResultJson(result.status, message.value, output.json, now),
          })
          .where('run_id', '=', runId)
          .where('idx', '=', index)
          .execute();
      }
      if (decision !== 'accept') return decision;
      await trx
        .updateTable('run_shards')
        .set((eb) => ({
          status: result.status,
          notify_status: 'delivered',
          finished_at: now,
          duration_ms: eb(eb.val(now), '-', eb.ref('fired_at')),
          message: message.value,
          output: output.json,
          progress: result.status === 'succeeded' ? 100 : eb.ref('progress'),
          last_heartbeat_at: now,
        }))
        .where('run_id', '=', runId)
        .where('idx', '=', index)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      if (message.cut || output.cut) {
        await trx.updateTable('runs').set({ truncated: 1 }).where('id', '=', runId).execute();
      }
      await refreshRun(trx, runId, now);
      return decision;
    });
  }
}

/**
 * Ends the open shards of runs that ended as a whole (deadline, cancel,
 * heartbeat) with the same status. Called inside the transaction that ended them.
 */
export async function endOpenShards(
  trx: Transaction<Database>,
  runIds: readonly string[],
  status: 'lost' | 'cancelled',
  now: number,
): Promise<void> {
  if (runIds.length === 0) return;
  await trx
    .updateTable('run_shards')
    .set((eb) => ({
      status,
      finished_at: now,
      duration_ms: eb(eb.val(now), '-', eb.ref('fired_at')),
    }))
    .where('run_id', 'in', [...runIds])
    .where('status', 'in', ['pending', 'running'])
    .execute();
}

/** Sets a broadcast run's outcome from its shards; a run that already ended is left as it is. */
async function refreshRun(trx: Transaction<Database>, runId: string, now: number): Promise<void> {
  const shards = await trx
    .selectFrom('run_shards')
    .select(['status', 'notify_status', 'finished_at'])
    .where('run_id', '=', runId)
    .execute();
  const out = broadcastOutcome(
    shards.map((s) => ({
      status: s.status as RunStatus,
      notifyStatus: s.notify_status as NotifyStatus,
      finishedAt: s.finished_at === null ? null : Number(s.finished_at),
    })),
  );
  const ended = out.finishedAt !== null;
  await trx
    .updateTable('runs')
    .set((eb) => ({
      status: out.status,
      notify_status: out.notifyStatus,
      finished_at: ended ? out.finishedAt : null,
      duration_ms: ended ? eb(eb.val(out.finishedAt ?? now), '-', eb.ref('fired_at')) : null,
      ...(ended ? { message: out.message, next_attempt_at: null } : {}),
      ...(out.status === 'succeeded' ? { progress: 100 } : {}),
      last_heartbeat_at: now,
    }))
    .where('id', '=', runId)
    .where('status', 'in', ['pending', 'running'])
    .execute();
}
