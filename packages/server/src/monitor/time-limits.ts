/**
 * The monitor's time limits: flags runs past their timeout (they keep going)
 * and ends runs past their deadline, so no run stays pending or running
 * forever. Each sweep is two bulk statements on partial indexes of open runs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { MemberHealth } from '../dispatcher/member-health.js';
import type { Metrics } from '../metrics.js';
import type { LostRun } from '../store/limits-repo.js';
import type { Store } from '../store/store.js';
import { Periodic } from './periodic.js';

export interface TimeLimitsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  intervalMs: number;
  /** Told about every lost run of a group member. Default: nobody. */
  health?: MemberHealth;
}

export class TimeLimits {
  private readonly periodic: Periodic;

  constructor(private readonly options: TimeLimitsOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.sweep());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
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
      }
      if (silent.length > 0) metrics.runsEnded.inc({ status: 'lost' }, silent.length);
      const health = this.options.health;
      if (health) {
        if (lost.length > 0) await this.reportLost(lost, health, 'no result before the deadline');
        if (silent.length > 0) await this.reportLost(silent, health, 'no heartbeat within heartbeatSec');
      }
      if (undelivered.length > 0) metrics.runsEnded.inc({ status: 'failed' }, undelivered.length);
    } catch (err) {
      log.error({ err }, 'time-limit sweep failed');
    }
  }

  /** A lost run counts against the member that had accepted it (member health). */
  private async reportLost(lost: readonly LostRun[], health: MemberHealth, reason: string): Promise<void> {
    const onMembers = lost.filter((run) => run.member !== null);
    if (onMembers.length === 0) return;
    const groups = await this.options.store.members.groupsOfJobs(onMembers.map((run) => run.jobId));
    for (const run of onMembers) {
      const group = groups.get(run.jobId);
      if (group && run.member) health.runLost(group, run.member, `run ${run.id}: ${reason}`);
    }
  }
}
