/**
 * Removes what outlived its use: sessions past their idle or absolute
 * expiry, and audit entries older than the retention setting.
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
  async runOnce(): Promise<{ sessions: number; auditEntries: number }> {
    const { store, clock, log, sessionIdleMs, auditRetentionDays, batchSize } = this.options;
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
      return { sessions, auditEntries };
    } catch (err) {
      log.error({ err }, 'account housekeeping failed');
      return { sessions: 0, auditEntries: 0 };
    }
  }
}
