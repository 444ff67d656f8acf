/**
 * Execution retries (PROTOCOL.md §4 `retry`): a run that ended `failed` or
 * `lost` with retries left gets one re-run, its own run with trigger
 * `retry` linked by `retryOf`, due after an exponential backoff with
 * jitter. The re-run is written as soon as the failure is seen (so the
 * history shows it waiting) and sent when due; a unique index on
 * `retry_of` keeps it to one re-run per run whoever writes it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job } from '../domain/job.js';
import { retryDelayMs, shouldRetry } from '../domain/retry.js';
import type { Run } from '../domain/run.js';
import { pendingRun } from '../scheduler/run-rows.js';
import type { NewRun } from '../store/runs-repo.js';
import type { Store } from '../store/store.js';
import { Periodic } from './periodic.js';

export interface RetriesOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  defaultDeadlineSec: number;
  /** Hands a written re-run to the dispatcher (which waits until it is due). */
  send: (run: NewRun, job: Job) => void;
  random?: () => number;
}

/** How far back the first sweep after a start looks for failures not re-run yet, ms. */
const LOOKBACK_MS = 24 * 3_600_000;
/** Runs may be written a little after they ended (batched writes): sweeps overlap by this, ms. */
const OVERLAP_MS = 60_000;

export class Retries {
  private readonly periodic: Periodic;
  private since: number | null = null;

  constructor(private readonly options: RetriesOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.sweep());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass: writes the re-runs of the failures seen since the last pass. */
  async sweep(): Promise<number> {
    const { store, clock, log } = this.options;
    const now = clock.now();
    const since = this.since ?? now - LOOKBACK_MS;
    let written = 0;
    try {
      const jobs = new Map<string, Job | null>();
      for (;;) {
        const failed = await store.runs.retryCandidates(since, 500);
        let progressed = false;
        for (const run of failed) {
          if (!jobs.has(run.jobId)) jobs.set(run.jobId, await store.jobs.findById(run.jobId));
          const job = jobs.get(run.jobId) ?? null;
          if (await this.retry(run, job, now)) {
            written++;
            progressed = true;
          }
        }
        if (failed.length < 500 || !progressed) break;
      }
      this.since = now - OVERLAP_MS;
    } catch (err) {
      log.error({ err }, 'retry sweep failed');
    }
    return written;
  }

  private async retry(failed: Run, job: Job | null, now: number): Promise<boolean> {
    const { store, log, defaultDeadlineSec } = this.options;
    // A deleted or paused job is not re-run: pausing stops every kind of firing.
    if (!job?.enabled || !shouldRetry(failed.status, failed.retriesLeft)) return false;
    const n = Math.max(1, job.retry.count - failed.retriesLeft + 1);
    const due = Math.max(
      now,
      (failed.finishedAt ?? now) + retryDelayMs(job.retry.backoffSec, n, this.options.random),
    );
    const run = pendingRun(job, 'retry', due, due, defaultDeadlineSec, failed.params, {
      of: failed.id,
      retriesLeft: Math.min(failed.retriesLeft, job.retry.count) - 1,
    });
    try {
      const toSend = await store.runs.insertRuns([run]);
      if (toSend.has(run.id)) this.options.send(run, job);
      log.info(
        { runId: run.id, retryOf: failed.id, job: job.name, n, dueAt: new Date(due).toISOString() },
        're-run scheduled',
      );
      return true;
    } catch (err) {
      // Another writer re-ran it first (unique retry_of): nothing to do.
      if (await store.runs.retriesOf(failed.id).then((r) => r.length > 0)) return false;
      throw err;
    }
  }
}
