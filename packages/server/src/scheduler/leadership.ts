/**
 * The leader lease, held even on one node: exactly one scheduler fires. The
 * lease is renewed every `renewMs`; a node that cannot renew stops firing
 * before its lease can expire, and every fire write proves the epoch.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { delayToPhase } from '../clock.js';
import type { Fence } from '../store/runs-repo.js';
import type { Store } from '../store/store.js';

export const SCHEDULER_LEASE = 'scheduler';

export interface LeadershipOptions {
  store: Store;
  log: Logger;
  ttlMs: number;
  renewMs: number;
  nodeName?: string | undefined;
  /** Called with the checkpoint the previous leader left, once the lease is won. */
  onElected: (firedThrough: number) => Promise<void>;
  /** Called when the lease is lost or given up; must stop firing. */
  onDeposed: () => Promise<void>;
  /** The instant up to which this node has written every fire (for renewals). */
  firedThrough: () => number | undefined;
  now: () => number;
}

export class Leadership {
  readonly holder: string;
  private epoch: number | null = null;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeadershipOptions) {
    this.holder = options.nodeName ?? `${hostname()}:${process.pid}`;
  }

  get isLeader(): boolean {
    return this.epoch !== null;
  }

  get currentEpoch(): number | null {
    return this.epoch;
  }

  /** Starts campaigning: tries now, then every renewMs. */
  start(): Promise<void> {
    this.stopped = false;
    return this.step();
  }

  /** The fence for a fire write, or null when this node is not the leader. */
  fence(firedThrough: number): Fence | null {
    return this.epoch === null
      ? null
      : { lease: SCHEDULER_LEASE, holder: this.holder, epoch: this.epoch, firedThrough };
  }

  /** A write found the lease gone: stand down at once. */
  lost(): void {
    this.transition = this.transition.then(() => this.depose());
  }

  /** Stops firing and releases the lease so a successor need not wait for the TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.transition;
    const epoch = this.epoch;
    if (epoch === null) return;
    // A clean stop lets a write in progress finish under the lease it started with, then
    // clears the epoch (a lost lease clears it first: its writes must fail).
    await this.options.onDeposed();
    this.epoch = null;
    await this.options.store.leases.release(SCHEDULER_LEASE, this.holder, epoch).catch((err: unknown) => {
      this.options.log.warn({ err }, 'could not release the scheduler lease');
    });
  }

  private async depose(): Promise<void> {
    if (this.epoch === null) return;
    this.epoch = null;
    await this.options.onDeposed();
  }

  private step(): Promise<void> {
    this.transition = this.transition.then(() => this.campaign());
    return this.transition;
  }

  private async campaign(): Promise<void> {
    if (this.stopped) return;
    const { store, log, ttlMs, renewMs } = this.options;
    try {
      if (this.epoch === null) {
        const lease = await store.leases.acquire(SCHEDULER_LEASE, this.holder, ttlMs, this.options.now());
        if (lease) {
          this.epoch = lease.epoch;
          this.renewedAt = this.options.now();
          log.info({ epoch: lease.epoch, holder: this.holder }, 'scheduler lease won');
          await this.options.onElected(lease.firedThrough);
        }
      } else {
        const renewed = await store.leases.renew(
          SCHEDULER_LEASE,
          this.holder,
          this.epoch,
          ttlMs,
          this.options.firedThrough(),
        );
        if (renewed) {
          this.renewedAt = this.options.now();
        } else {
          log.error({ epoch: this.epoch }, 'scheduler lease lost');
          await this.depose();
        }
      }
    } catch (err) {
      log.error({ err }, 'scheduler lease check failed');
      // Stand down before the lease can expire under us: another node may take it.
      if (this.epoch !== null && this.options.now() - this.renewedAt >= ttlMs - renewMs) {
        log.error('scheduler lease not renewed in time: this node stops firing');
        await this.depose();
      }
    }
    if (!this.stopped) {
      // Renewals (a database write) land on the half second, away from the whole seconds fires fall on.
      this.timer = setTimeout(
        () => {
          this.timer = null;
          void this.step();
        },
        delayToPhase(this.options.now(), renewMs),
      );
    }
  }
}
