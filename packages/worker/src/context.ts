import type { Trigger } from './trigger.js';

/**
 * What a handler gets for one run: the trigger's fields (among them `shard`,
 * this member's slice of a broadcast run), a way to report progress, log lines
 * and heartbeats, and a signal for cancellation. See {@link Trigger} for each
 * field; for a GET trigger the body-only fields are `null`.
 *
 * Every report goes to the trigger's own `callback.url` with its token, so the
 * shard of a broadcast run reports to `…/callbacks/<runId>/shards/<index>`.
 * After JobCenter cancels the run, `progress()`, `log()` and `heartbeat()`
 * send nothing: JobCenter refuses reports for an ended run.
 */
export interface JobContext extends Omit<Trigger, 'callback'> {
  /**
   * Reports progress to JobCenter (`POST {callback.url}/progress`, which also
   * counts as a heartbeat). Best effort: never rejects; a failed report goes
   * to the worker's `onError`. Updates made while one is in flight are merged
   * into the next request, so calling it in a tight loop is cheap. A no-op
   * when the trigger has no callback (GET triggers).
   *
   * @param percent 0 to 100, clamped into that range; omitted or `NaN`: left unchanged
   * @param message a short status line shown in the console
   */
  progress(percent?: number, message?: string): Promise<void>;
  /**
   * Appends lines to the run's log in JobCenter (sent with progress, merged
   * the same way). Never rejects; a no-op without a callback.
   */
  log(...lines: string[]): Promise<void>;
  /**
   * Tells JobCenter the run is alive: a progress call with no fields
   * (PROTOCOL.md §2, every progress call is a heartbeat), merged like
   * `progress()`. Async runs also send one by themselves after
   * `heartbeatIntervalMs` without any report; call it yourself to keep a job
   * with a short `heartbeatSec` alive through a long step. Never rejects; a
   * no-op without a callback.
   */
  heartbeat(): Promise<void>;
  /**
   * Aborted when JobCenter cancels the run (`POST {path}/cancel`) or the
   * worker closes with `cancelRunning`. Pass it to `fetch`, or check
   * `signal.aborted` between steps; `signal.reason` is an `AbortError`
   * `DOMException` saying why.
   */
  readonly signal: AbortSignal;
}

/** One merged progress update, as sent to `{callback.url}/progress`; `{}` is a bare heartbeat. */
export interface ProgressUpdate {
  progress?: number;
  message?: string;
  log?: string[];
}

/** Builds the context of one run around its trigger, its progress sink and its abort signal. */
export function createJobContext(
  trigger: Trigger,
  signal: AbortSignal,
  sendProgress: (update: ProgressUpdate) => Promise<void>,
): JobContext {
  const { callback: _callback, ...fields } = trigger;
  return {
    ...fields,
    signal,
    progress(percent?: number, message?: string) {
      const update: ProgressUpdate = {};
      if (typeof percent === 'number' && !Number.isNaN(percent)) {
        update.progress = Math.min(100, Math.max(0, percent));
      }
      if (message !== undefined) update.message = String(message);
      return sendProgress(update);
    },
    log(...lines: string[]) {
      if (lines.length === 0) return Promise.resolve();
      return sendProgress({ log: lines.map(String) });
    },
    heartbeat() {
      return sendProgress({});
    },
  };
}
