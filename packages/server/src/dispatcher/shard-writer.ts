/**
 * Batches the delivery outcomes of broadcast shards like DeliveryWriter does
 * for whole runs: outcomes gathered for a few milliseconds are written in
 * one transaction, and each run touched is recomputed once from its shards.
 */
import type { Logger } from 'pino';
import type { ShardDelivery, ShardsRepo } from '../store/shards-repo.js';
import { BatchWriter } from './batch-writer.js';

export class ShardWriter extends BatchWriter<ShardDelivery> {
  constructor(shards: ShardsRepo, log: Logger, now: () => number) {
    super({
      what: 'shard deliveries',
      log,
      maxBatch: 1_000,
      write: (batch) => shards.recordDeliveries(batch, now()),
    });
  }
}
