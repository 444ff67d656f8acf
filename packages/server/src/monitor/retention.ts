/**
 * Retention of run history: every `intervalMs`, removes the finished runs
 * each job has outgrown (its own days and count limits, else the server's;
 * runs of deleted jobs by the server's), oldest first, with their attempts,
 * events and trend rollups. Small batches, one transaction each, with a
 * turn of the event loop between them: on SQLite a long write transaction
 * would hold back every fire.
 */
import type { Logger } from 'pino';
import { type Clock, setCappedTimeout } from '../clock.js';
import type { JobRetention } from '../domain/job.js';
import { effectiveRetention, laterKey, type RunKey, removalBound } from '../domain/retention.js';
import type { Metrics } from '../metrics.js';
import type { JobHistory } from '../store/retention-repo.js';
import type { Store } from '../store/store.js';

export interface RetentionOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** The server's limits (`retentionDays`, `retentionCount`): for jobs without their own, and deleted jobs. */
  defaults: JobRetention;
  /** Time between the end of one pass and the start of the next, ms. */
  intervalMs: number;
  /** Runs removed per batch (one statement per table, one transaction), and jobs looked up per page. */
  batchSize: number;
}

/** What one pass removed. */
export interface PruneSummary {
  runs: number;
  /** Jobs that lost runs. */
  jobs: number;
  /** Delete transactions that removed runs. */
  batches: number;
  trendMinutes: number;
  /** Deleted jobs whose last run went, and with it their trend state. */
  forgottenJobs: number;
}

/** Lets timers and I/O run: awaiting a better-sqlite3 query alone never leaves the microtask queue. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopping = false;
  private pass: Promise<PruneSummary> | null = null;

  constructor(private readonly options: RetentionOptions) {}

  /** Prunes every `intervalMs`, the first time one interval after start. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule();
  }

  /** Stops pruning: no timer is left, and the batch in progress finishes first. Idempotent. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass;
  }

  /** One pass now (a caller during a pass shares it; nothing once stopped). Never rejects: failures are logged. */
  prune(): Promise<PruneSummary> {
    this.pass ??= this.runPass().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  private schedule(): void {
    // The next pass is planned when this one ends, so passes never overlap however long one takes.
    this.timer = setCappedTimeout(() => {
      this.timer = null;
      void this.prune().then(() => {
        if (this.started && !this.timer) this.schedule();
      });
    }, this.options.intervalMs);
  }

  private async runPass(): Promise<PruneSummary> {
    const { store, clock, log, batchSize } = this.options;
    const summary: PruneSummary = { runs: 0, jobs: 0, batches: 0, trendMinutes: 0, forgottenJobs: 0 };
    const began = performance.now();
    try {
      const now = clock.now();
      let after = '';
      while (!this.stopping) {
        const page = await store.retention.jobsWithRuns(after, batchSize);
        await yieldToEventLoop();
        for (const job of page) {
          if (this.stopping) break;
          await this.pruneJob(job, now, summary);
          if (job.jobId > after) after = job.jobId;
        }
        if (page.length < batchSize) break;
      }
    } catch (err) {
      log.error({ err }, 'retention: pruning run history failed; the next pass tries again');
    }
    if (summary.runs > 0 || summary.trendMinutes > 0 || summary.forgottenJobs > 0) {
      log.info({ ...summary, ms: Math.round(performance.now() - began) }, 'retention: pruned run history');
    }
    return summary;
  }

  /** Removes one job's outgrown runs in batches, then the rollups of the minutes they were in. */
  private async pruneJob(job: JobHistory, now: number, summary: PruneSummary): Promise<void> {
    const { store, metrics, defaults, batchSize } = this.options;
    const limits = effectiveRetention(job.retention, defaults);
    let countCutoff: RunKey | null = null;
    if (limits.count !== null) {
      countCutoff = await store.retention.countCutoff(job.jobId, limits.count);
      await yieldToEventLoop();
    }
    const bound = removalBound(limits, now, job.oldestAt, countCutoff);
    if (bound === null) return;
    let removed = 0;
    let after: RunKey | null = null;
    while (!this.stopping) {
      const batch = await store.retention.removeRuns(job.jobId, bound, after, batchSize);
      if (batch.length > 0) {
        removed += batch.length;
        summary.batches++;
        metrics.runsPruned.inc(batch.length);
        after = batch.reduce(laterKey);
      }
      await yieldToEventLoop();
      if (batch.length < batchSize) break;
    }
    if (removed === 0) return;
    summary.runs += removed;
    summary.jobs++;
    summary.trendMinutes += await store.retention.removeTrendBefore(job.jobId, bound.at);
    if (!job.exists && (await store.retention.forgetDeletedJob(job.jobId))) summary.forgottenJobs++;
  }
}
