/**
 * Worker groups in memory for the dispatcher's hot path. Each group's
 * members are its static ones in the group's order, then the live dynamic
 * ones by when they joined. Changes made on this node (API writes, a
 * heartbeat that adds a member) are read back at once; changes made on other
 * nodes, and dynamic members falling silent, are picked up by a re-read of
 * every group each `refreshMs`.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { WorkerGroup } from '../domain/worker-group.js';
import { Periodic } from '../monitor/periodic.js';
import type { Store } from '../store/store.js';

export interface GroupCacheOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** A dynamic member silent this long has left, ms. */
  memberExpiryMs: number;
  /** Between two re-reads of every group, ms. */
  refreshMs: number;
}

export class GroupCache {
  private groups = new Map<string, WorkerGroup>();
  private memberUrls = new Map<string, Set<string>>();
  /** Reads run one after another, so an older read never overwrites a newer one. */
  private reads: Promise<void> = Promise.resolve();
  private readonly periodic: Periodic;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly options: GroupCacheOptions) {
    this.periodic = new Periodic(options.refreshMs, () => {
      this.refreshing ??= this.refreshAll().finally(() => {
        this.refreshing = null;
      });
      return this.refreshing;
    });
  }

  /** A dynamic member silent this long has left, ms. */
  get memberExpiryMs(): number {
    return this.options.memberExpiryMs;
  }

  /** Dynamic members whose latest heartbeat is at or after this instant are live. */
  liveSince(): number {
    return this.options.clock.now() - this.options.memberExpiryMs;
  }

  /** Reads every group. */
  load(): Promise<void> {
    return this.serially(async () => {
      const all = await this.options.store.groups.listAll({ dynamicSeenSince: this.liveSince() });
      const groups = new Map<string, WorkerGroup>();
      const memberUrls = new Map<string, Set<string>>();
      for (const g of all) {
        groups.set(g.name, g);
        memberUrls.set(g.name, new Set(g.members.map((m) => m.url)));
      }
      this.groups = groups;
      this.memberUrls = memberUrls;
    });
  }

  /** Re-reads one group (or forgets it when deleted). */
  refresh(name: string): Promise<void> {
    return this.serially(async () => {
      const group = await this.options.store.groups.find(name, { dynamicSeenSince: this.liveSince() });
      if (group) {
        this.groups.set(name, group);
        this.memberUrls.set(name, new Set(group.members.map((m) => m.url)));
      } else {
        this.groups.delete(name);
        this.memberUrls.delete(name);
      }
    });
  }

  get(name: string): WorkerGroup | undefined {
    return this.groups.get(name);
  }

  /** Every group as last read. */
  all(): IterableIterator<WorkerGroup> {
    return this.groups.values();
  }

  /** Whether `url` is a member of `group` with `name` as last read (a heartbeat that changes neither needs no re-read). */
  hasMember(group: string, url: string, name?: string | null): boolean {
    if (!this.memberUrls.get(group)?.has(url)) return false;
    if (name === undefined || name === null) return true;
    return this.groups.get(group)?.members.find((m) => m.url === url)?.name === name;
  }

  /** Starts the periodic re-read. Idempotent. */
  start(): void {
    this.periodic.start();
  }

  /** Stops the periodic re-read and waits for a read in progress. Idempotent. */
  async stop(): Promise<void> {
    await this.periodic.stop();
    await this.refreshing;
    await this.reads;
  }

  /**
   * Forgets dynamic members silent past the expiry (a write: the rows would
   * otherwise pile up as workers come and go), then re-reads every group.
   * Every node does it; the delete is idempotent.
   */
  private async refreshAll(): Promise<void> {
    try {
      await this.options.store.members.forgetSilent(this.liveSince());
      await this.load();
    } catch (err) {
      this.options.log.error({ err }, 're-reading worker groups failed');
    }
  }

  private serially(read: () => Promise<void>): Promise<void> {
    const next = this.reads.then(read);
    // The chain continues after a failed read; the caller still sees the failure.
    this.reads = next.catch(() => undefined);
    return next;
  }
}
