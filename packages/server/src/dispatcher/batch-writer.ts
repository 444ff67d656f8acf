/**
 * Gathers updates for a few milliseconds and writes them in one call, in
 * order, one batch at a time: fewer, larger transactions cost far less than
 * one per event-loop turn (each commit rewrites the touched pages).
 */
import type { Logger } from 'pino';

export interface BatchWriterOptions<T> {
  /** Writes one batch (one transaction); retried up to 5 times when it throws. */
  write: (batch: T[]) => Promise<void>;
  log: Logger;
  /** What the batches hold, for log lines ("deliveries", "shard deliveries"). */
  what: string;
  /** How long updates gather before a write, ms. Default 10. */
  gatherMs?: number;
  /** Updates per write at most; a full queue is written at once. */
  maxBatch: number;
}

export class BatchWriter<T> {
  private queue: T[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly options: BatchWriterOptions<T>) {}

  push(update: T): void {
    this.queue.push(update);
    if (this.queue.length >= this.options.maxBatch) {
      void this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        void this.flush();
      }, this.options.gatherMs ?? 10);
    }
  }

  /** Resolves once everything queued so far is written. */
  flush(): Promise<void> {
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.writing = this.writing.then(() => this.writeAll(batch));
    }
    return this.writing;
  }

  private async writeAll(batch: T[]): Promise<void> {
    const { maxBatch, log, what } = this.options;
    for (let i = 0; i < batch.length; i += maxBatch) {
      const part = batch.slice(i, i + maxBatch);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.write(part);
          break;
        } catch (err) {
          if (attempt >= 5) {
            // The runs stay pending: the monitor ends them at their deadline.
            log.error({ err, updates: part.length }, `recording ${what} failed; giving up on this batch`);
            break;
          }
          log.warn({ err, attempt }, `recording ${what} failed; retrying`);
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    }
  }
}
