import type { Kysely } from 'kysely';
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
import type { NotifyStatus, RunResult, RunStatus } from '../domain/run.js';
import type { Database } from './schema.js';

export interface ProgressReport {
  progress?: number | undefined;
  message?: string | undefined;
  log?: string[] | undefined;
}

/** Worker reports (progress and results), each applied in one transaction. */
export class ReportsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly limits: ReportLimits,
  ) {}

  /** Records a progress report; it also counts as a heartbeat. */
  async recordProgress(
    runId: string,
    report: ProgressReport,
    now: number,
  ): Promise<'ok' | 'not_found' | 'ended'> {
    return this.db.transaction().execute(async (trx) => {
      const run = await trx
        .selectFrom('runs')
        .select(['status', 'log_bytes', 'truncated', 'notify_status'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!run) return 'not_found';
      if (decideProgress(run.status as RunStatus) === 'ended') return 'ended';
      const message = capMessage(report.message, this.limits);
      const log = capLog(report.log ?? [], run.log_bytes, this.limits);
      await trx
        .insertInto('run_events')
        .values({
          run_id: runId,
          at: now,
          progress: report.progress ?? null,
          message: message.value,
          log: log.lines.length > 0 ? JSON.stringify(log.lines) : null,
        })
        .execute();
      await trx
        .updateTable('runs')
        .set({
          // A progress call proves delivery even if the trigger's answer was not recorded yet.
          status: 'running',
          notify_status: 'delivered',
          last_heartbeat_at: now,
          log_bytes: log.bytes,
          truncated: run.truncated === 1 || log.cut || message.cut ? 1 : 0,
          ...(report.progress !== undefined ? { progress: report.progress } : {}),
          ...(message.value !== null ? { message: message.value } : {}),
        })
        .where('id', '=', runId)
        .where('status', 'in', ['pending', 'running'])
        .execute();
      return 'ok';
    });
  }

  /** Records a final result per PROTOCOL.md §2 and answers what was decided. */
  async recordResult(runId: string, result: RunResult, now: number): Promise<ResultDecision | 'not_found'> {
    const message = capMessage(result.message, this.limits);
    const output = capOutput(result.output, this.limits);
    return this.db.transaction().execute(async (trx) => {
      const run = await trx
        .selectFrom('runs')
        .select(['status', 'notify_status', 'message', 'output', 'late_result', 'truncated'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!run) return 'not_found';
      const decision = decideResult(
        {
          status: run.status as RunStatus,
          message: run.message,
          outputJson: run.output,
          hasLateResult: run.late_result !== null,
          notifyStatus: run.notify_status as NotifyStatus,
        },
        { ...result, message: message.value },
        output.json,
      );
      if (decision === 'accept') {
        await trx
          .updateTable('runs')
          .set((eb) => ({
            status: result.status,
            notify_status: 'delivered',
            next_attempt_at: null,
            finished_at: now,
            duration_ms: eb(eb.val(now), '-', eb.ref('fired_at')),
            message: message.value,
            output: output.json,
            truncated: run.truncated === 1 || message.cut || output.cut ? 1 : 0,
            progress: result.status === 'succeeded' ? 100 : eb.ref('progress'),
            last_heartbeat_at: now,
          }))
          .where('id', '=', runId)
          .where('status', 'in', ['pending', 'running'])
          .execute();
      } else if (decision === 'late' && run.late_result === null) {
        await trx
          .updateTable('runs')
          .set({
            late_result: lateResultJson(result.status, message.value, output.json, now),
          })
          .where('id', '=', runId)
          .execute();
      }
      return decision;
    });
  }
}
