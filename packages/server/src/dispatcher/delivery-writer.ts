/**
 * Batches delivery updates: updates queued within a few milliseconds are
 * written in one transaction, so a tick of 10,000 answers costs a few
 * transactions, not 10,000. Callbacks flush at once, so no reader waits.
 */
import type { Logger } from 'pino';
import type { DeliveryUpdate, RunsRepo } from '../store/runs-repo.js';
import { BatchWriter } from './batch-writer.js';

/** Updates per transaction; larger batches are split so no write blocks the loop for long. */
const MAX_BATCH = 2_000;

export class DeliveryWriter extends BatchWriter<DeliveryUpdate> {
  constructor(
    runs: RunsRepo,
    log: Logger,
    /** Runs after each batch is written (routing state); its failure is logged, not retried. */
    afterBatch: (batch: readonly DeliveryUpdate[]) => Promise<void> = async () => {},
  ) {
    super({
      what: 'deliveries',
      log,
      maxBatch: MAX_BATCH,
      write: async (batch) => {
        await runs.recordDeliveries(batch);
        await afterBatch(batch).catch((err: unknown) => log.warn({ err }, 'saving routing state failed'));
      },
    });
  }
}
