/**
 * The monitor's time limits: flags runs past their timeout (they keep going)
 * and ends runs past their deadline, so no run stays pending or running
 * forever. Each sweep is two bulk statements on partial indexes of open runs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { MemberHealth } from '../dispatcher/member-health.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

export interface TimeLimitsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  intervalMs: number;
  /** Told about members whose runs went silent (they count as unhealthy). */
  health: MemberHealth;
}

export class TimeLimits {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly options: TimeLimitsOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.sweeping) this.sweeping = this.sweep().finally(() => (this.sweeping = null));
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One pass: timeouts first, so a run that is both timed out and lost is flagged as both. */
  async sweep(): Promise<void> {
    const { store, clock, log, metrics } = this.options;
    try {
      const now = clock.now();
      const timedOut = await store.limits.markTimedOut(now);
      for (const run of timedOut) log.warn({ runId: run.id, jobId: run.jobId }, 'run timed out');
      const { lost, undelivered } = await store.limits.endPastDeadline(now);
      for (const run of lost)
        log.warn({ runId: run.id, jobId: run.jobId }, 'run lost: no result before its deadline');
      for (const run of undelivered)
        log.warn({ runId: run.id, jobId: run.jobId }, 'run not delivered before its deadline');
      if (lost.length > 0) metrics.runsEnded.inc({ status: 'lost' }, lost.length);
      const silent = await store.limits.endSilent(now);
      for (const run of silent) {
        log.warn({ runId: run.id, jobId: run.jobId, member: run.member }, 'run lost: no heartbeat');
        const job = run.member === null ? null : await store.jobs.findById(run.jobId);
        if (job?.target.group && run.member !== null)
          this.options.health.runLost(job.target.group, run.member, 'no heartbeat within heartbeatSec');
      }
      if (silent.length > 0) metrics.runsEnded.inc({ status: 'lost' }, silent.length);
      if (undelivered.length > 0) metrics.runsEnded.inc({ status: 'failed' }, undelivered.length);
    } catch (err) {
      log.error({ err }, 'time-limit sweep failed');
    }
  }
}
