import { cancelAsJobCenter, jobCenterCancelReason } from './cancellation.js';
import { createJobContext, type JobContext, type ProgressUpdate } from './context.js';
import type { Trigger } from './trigger.js';

/** Fields of a {@link createMockContext} run; each defaults as listed there. */
export type MockContextInit = Partial<Omit<Trigger, 'callback'>>;

/** A {@link JobContext} that records what the handler reported and can be cancelled by the test. */
export interface MockJobContext extends JobContext {
  /** Every call of `progress()` that carried a percent or a message, in order (percent clamped to 0–100). */
  readonly progressUpdates: ProgressUpdate[];
  /** Every line passed to `log()`, in order. */
  readonly logLines: string[];
  /** How many heartbeats were sent: `heartbeat()` calls, and `progress()` calls with no argument (the same call on the wire). */
  readonly heartbeats: number;
  /** Every report in call order, as each call alone would send it: `{progress?, message?}`, `{log}`, or `{}` for a heartbeat. */
  readonly reports: ProgressUpdate[];
  /**
   * Cancels the run as JobCenter's cancel would: aborts `signal` with
   * `reason`, drops the handler's later reports (they are no longer
   * recorded), and makes `invokeHandler` return `failed` with the reason's
   * message (keeping an output the handler returned).
   *
   * @param reason default an `AbortError` "run <runId> was cancelled by JobCenter"
   */
  cancel(reason?: unknown): void;
}

/**
 * A context for unit-testing a handler without JobCenter or HTTP. Defaults:
 * `method` `"POST"`, `runId` `"01MOCKRUN00000000000000000"`, `jobId`
 * `"01MOCKJOB00000000000000000"`, `job` `"mock.job"`, `scheduledAt` and
 * `firedAt` `"2026-01-01T00:00:00.000Z"`, `attempt` 1, `trigger` `"manual"`,
 * `params` `{}`, `shard` `{index: 0, total: 1}`, `timeoutSec` `null`,
 * `payload` the other fields. Pair it with `invokeHandler(handler, ctx)` to
 * get the result exactly as the worker would report it.
 *
 * @example
 * const ctx = createMockContext({ params: { day: '2026-11-24' }, shard: { index: 1, total: 4 } });
 * const result = await invokeHandler(refundSweep, ctx);
 * expect(result).toEqual({ status: 'succeeded', output: { refunded: 3 } });
 * expect(ctx.logLines).toContain('refunded 3 orders');
 */
export function createMockContext(init: MockContextInit = {}): MockJobContext {
  const fields = {
    method: 'POST' as const,
    runId: '01MOCKRUN00000000000000000',
    jobId: '01MOCKJOB00000000000000000',
    job: 'mock.job',
    scheduledAt: '2026-01-01T00:00:00.000Z',
    firedAt: '2026-01-01T00:00:00.000Z',
    attempt: 1,
    trigger: 'manual',
    params: {},
    shard: { index: 0, total: 1 },
    timeoutSec: null,
    ...init,
  };
  const trigger: Trigger = { payload: { ...fields }, ...fields, callback: null };
  const controller = new AbortController();
  const progressUpdates: ProgressUpdate[] = [];
  const logLines: string[] = [];
  const reports: ProgressUpdate[] = [];
  let heartbeats = 0;
  const ctx = createJobContext(trigger, controller.signal, async (update) => {
    // As the worker does: nothing is sent once JobCenter has cancelled the run.
    if (controller.signal.aborted) return;
    reports.push(update.log ? { ...update, log: [...update.log] } : { ...update });
    if (update.log) logLines.push(...update.log);
    else if (update.progress === undefined && update.message === undefined) heartbeats++;
    if (update.progress !== undefined || update.message !== undefined) {
      const { log: _log, ...rest } = update;
      progressUpdates.push(rest);
    }
  });
  return {
    ...ctx,
    progressUpdates,
    logLines,
    reports,
    get heartbeats() {
      return heartbeats;
    },
    cancel(reason?: unknown) {
      cancelAsJobCenter(controller, reason ?? jobCenterCancelReason(fields.runId));
    },
  };
}
