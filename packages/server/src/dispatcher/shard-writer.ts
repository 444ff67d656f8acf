/**
 * Batches the delivery outcomes of broadcast shards like DeliveryWriter does
 * for whole runs: outcomes gathered for a few milliseconds are written in
 * one transaction, and each run touched is recomputed once from its shards.
 */
import type { Logger } from 'pino';
import type { ShardDelivery, ShardsRepo } from '../store/shards-repo.js';

const GATHER_MS = 10;
const MAX_BATCH = 1_000;

export class ShardWriter {
  private queue: ShardDelivery[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly shards: ShardsRepo,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  push(update: ShardDelivery): void {
    this.queue.push(update);
    if (this.queue.length >= MAX_BATCH) {
      void this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        void this.flush();
      }, GATHER_MS);
    }
  }

  /** Resolves once everything queued so far is written. */
  flush(): Promise<void> {
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.writing = this.writing.then(() => this.write(batch));
    }
    return this.writing;
  }

  private async write(batch: ShardDelivery[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.shards.recordDeliveries(batch, this.now());
        return;
      } catch (err) {
        if (attempt >= 5) {
          // The shards stay pending: the monitor ends their run at its deadline.
          this.log.error({ err, updates: batch.length }, 'recording shard deliveries failed; giving up');
          return;
        }
        this.log.warn({ err, attempt }, 'recording shard deliveries failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}
