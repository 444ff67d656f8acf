/**
 * Batches delivery updates: updates queued within a few milliseconds are
 * written in one transaction, so a tick of 10,000 answers costs a few
 * transactions, not 10,000.
 */
import type { Logger } from 'pino';
import type { DeliveryUpdate, RunsRepo } from '../store/runs-repo.js';

/** Updates per transaction; larger batches are split so no write blocks the loop for long. */
const MAX_BATCH = 2_000;
/**
 * How long updates gather before a write, ms. Fewer, larger transactions cost
 * far less than one per event-loop turn (each commit rewrites the touched
 * pages); callbacks flush at once, so no reader waits for it.
 */
const GATHER_MS = 10;

export class DeliveryWriter {
  private queue: DeliveryUpdate[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly runs: RunsRepo,
    private readonly log: Logger,
    /** Runs after each batch is written (routing state); its failure is logged, not retried. */
    private readonly afterBatch: (batch: readonly DeliveryUpdate[]) => Promise<void> = async () => {},
  ) {}

  push(update: DeliveryUpdate): void {
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

  private async write(batch: DeliveryUpdate[]): Promise<void> {
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const part = batch.slice(i, i + MAX_BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.runs.recordDeliveries(part);
          break;
        } catch (err) {
          if (attempt >= 5) {
            // The runs stay pending with next_attempt_at set: the monitor ends them at their deadline.
            this.log.error(
              { err, updates: part.length },
              'recording deliveries failed; giving up on this batch',
            );
            break;
          }
          this.log.warn({ err, attempt }, 'recording deliveries failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    }
    await this.afterBatch(batch).catch((err: unknown) =>
      this.log.warn({ err }, 'saving routing positions failed'),
    );
  }
}
