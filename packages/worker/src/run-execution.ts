import { type CallbackSettings, postProgress, reportResult } from './callback-client.js';
import {
  cancelAsJobCenter,
  cancelledResult,
  jobCenterCancelReason,
  wasCancelledByJobCenter,
} from './cancellation.js';
import { createJobContext, type ProgressUpdate } from './context.js';
import { HeartbeatTimer } from './heartbeat-timer.js';
import { invokeHandler, type JobHandler, type JobResult } from './job-result.js';
import { ProgressReporter } from './progress-reporter.js';
import type { Trigger } from './trigger.js';
import type { JobMode } from './worker-core.js';

/** What one run needs from the worker's settings. */
export interface RunSettings {
  callback: CallbackSettings;
  /** Automatic heartbeats of async runs after this many ms without a report; 0: none. */
  heartbeatIntervalMs: number;
  onError: (error: unknown) => void;
}

/** One run on this worker, from its accepted trigger to its reported result. */
export interface ActiveRun {
  readonly runId: string;
  readonly path: string;
  readonly shardIndex: number;
  /**
   * Starts the handler once the trigger's answer is out (`delivered`), or
   * drops the run when the answer never reached JobCenter. Call once.
   */
  begin(delivered: boolean): void;
  /** The result, as answered to a sync trigger and reported for an async one. Never rejects. */
  readonly result: Promise<JobResult>;
  /** Settles when the handler has finished and, for an async run, its result report has ended. */
  readonly settled: Promise<void>;
  /**
   * JobCenter cancelled the run: stops its heartbeats, drops its unsent and
   * later progress (JobCenter refuses it now), and aborts `ctx.signal`. The
   * result becomes `failed` with the cancel's reason (see cancellation.ts).
   */
  cancelByJobCenter(): void;
  /** Aborts `ctx.signal` for another reason (the worker is closing); the run still reports normally. */
  abort(reason: unknown): void;
}

/**
 * Registers a run (the caller counts it in flight and can cancel it from now
 * on) whose handler starts only on `begin(true)`, so an async run never races
 * its own `202`.
 */
export function startRun(
  handler: JobHandler,
  path: string,
  trigger: Trigger,
  mode: JobMode,
  settings: RunSettings,
): ActiveRun {
  const { runId, callback } = trigger;
  const controller = new AbortController();
  const reporter = callback
    ? new ProgressReporter(
        (update) => postProgress(runId, callback, update, settings.callback),
        settings.onError,
      )
    : undefined;
  let heartbeat: HeartbeatTimer | undefined;
  const send = (update: ProgressUpdate): Promise<void> => {
    if (!reporter) return Promise.resolve();
    heartbeat?.touch();
    return reporter.push(update);
  };
  const ctx = createJobContext(trigger, controller.signal, send);

  let begin: (delivered: boolean) => void = () => {};
  const begun = new Promise<boolean>((resolve) => {
    begin = resolve;
  });
  const outcome = begun.then(async (delivered): Promise<JobResult | null> => {
    if (!delivered) return null;
    // A cancel may land between the 202 and its flush: then the handler never starts.
    if (wasCancelledByJobCenter(controller.signal)) return cancelledResult(controller.signal);
    if (mode === 'async' && reporter && settings.heartbeatIntervalMs > 0) {
      heartbeat = new HeartbeatTimer(settings.heartbeatIntervalMs, () => void send({}));
    }
    try {
      const result = await invokeHandler(handler, ctx);
      heartbeat?.stop();
      // JobCenter refuses progress once the result is in: send what is queued first.
      await reporter?.flush();
      return result;
    } finally {
      heartbeat?.stop();
    }
  });
  const result = outcome.then(orDropped);
  const settled = outcome.then(async (finished) => {
    if (finished && mode === 'async' && callback) {
      await reportResult(runId, callback, finished, settings.callback);
    }
  });

  return {
    runId,
    path,
    shardIndex: trigger.shard.index,
    begin,
    result,
    settled,
    cancelByJobCenter() {
      heartbeat?.stop();
      // Before the abort: handlers reacting to it synchronously may log, and that must be dropped too.
      reporter?.discard();
      cancelAsJobCenter(controller, jobCenterCancelReason(runId));
    },
    abort(reason: unknown) {
      controller.abort(reason);
    },
  };
}

function orDropped(outcome: JobResult | null): JobResult {
  return outcome ?? { status: 'failed', message: 'the trigger was never answered, so the run did not start' };
}
