/**
 * Removes what outlived its use: sessions past their idle or absolute
 * expiry, audit entries older than their retention, and sent or failed
 * alert messages as old as the run history kept.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { Periodic } from '../monitor/periodic.js';
import type { Store } from '../store/store.js';

export interface HousekeepingOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  sessionIdleMs: number;
  /** Null keeps audit entries forever. */
  auditRetentionDays: number | null;
  /** Sent and failed alert messages are kept as long as run history; null keeps them. */
  alertRetentionDays: number | null;
  batchSize: number;
}

export class AccountHousekeeping {
  private readonly periodic: Periodic;

  constructor(private readonly options: HousekeepingOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.runOnce());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass; answers what it removed. Errors are logged, never thrown. */
  async runOnce(): Promise<{ sessions: number; auditEntries: number; alertMessages: number }> {
    const { store, clock, log, sessionIdleMs, auditRetentionDays, alertRetentionDays, batchSize } =
      this.options;
    const now = clock.now();
    try {
      const sessions = await store.sessions.prune(now, sessionIdleMs);
      let auditEntries = 0;
      if (auditRetentionDays !== null) {
        const before = now - auditRetentionDays * 86_400_000;
        for (let n = batchSize; n === batchSize; auditEntries += n) {
          n = await store.audit.prune(before, batchSize);
        }
      }
      let alertMessages = 0;
      if (alertRetentionDays !== null) {
        const before = now - alertRetentionDays * 86_400_000;
        for (let n = batchSize; n === batchSize; alertMessages += n) {
          n = await store.alerts.pruneMessages(before, batchSize);
        }
      }
      return { sessions, auditEntries, alertMessages };
    } catch (err) {
      log.error({ err }, 'housekeeping failed');
      return { sessions: 0, auditEntries: 0, alertMessages: 0 };
    }
  }
}
