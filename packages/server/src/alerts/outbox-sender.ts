/**
 * Sends the outbox: claims due messages with a lease, sends them through
 * their channel, several at once so one slow channel holds up no other,
 * each with a time limit; records success, or retries with exponential
 * backoff and jitter up to `maxAttempts`, after which the message is
 * `failed` with its last error. Nothing is dropped: a message is sent, or
 * recorded as failed.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { Periodic } from '../monitor/periodic.js';
import type { AlertMessage, StoredChannel } from '../store/alerts-repo.js';
import type { Store } from '../store/store.js';
import { type AlertContent, type Channel, ChannelError, type ChannelType, createChannel } from './channel.js';

export interface OutboxSenderOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  /** Time limit of one send, ms. */
  sendTimeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** Sends in flight at once. Default 8. */
  concurrency?: number;
}

/** The delay before attempt `attempts + 1`: doubling from `baseMs`, capped, with ±20 % jitter. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export class OutboxSender {
  private readonly periodic: Periodic;
  /** Channel instances by name, rebuilt when the channel changes. */
  private readonly channels = new Map<string, { updatedAt: number; channel: Channel }>();

  constructor(private readonly options: OutboxSenderOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.runOnce());
  }

  start(): void {
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    await Promise.all([...this.channels.values()].map((c) => c.channel.close().catch(() => undefined)));
    this.channels.clear();
  }

  /** Sends what is due now; answers how many messages it took. */
  async runOnce(): Promise<number> {
    const { store, clock, log, sendTimeoutMs } = this.options;
    const concurrency = this.options.concurrency ?? 8;
    let taken = 0;
    try {
      for (;;) {
        const due = await store.alerts.claimDue(clock.now(), concurrency * 4, sendTimeoutMs * 2 + 1_000);
        if (due.length === 0) break;
        taken += due.length;
        const queue = [...due];
        await Promise.all(
          Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
            for (let m = queue.shift(); m; m = queue.shift()) await this.deliver(m);
          }),
        );
      }
    } catch (err) {
      log.error({ err }, 'alerting: sending the outbox failed');
    }
    return taken;
  }

  private async channelFor(name: string): Promise<Channel | string> {
    const stored = await this.options.store.alerts.findChannel(name);
    if (!stored) return `no channel named ${name}`;
    if (!stored.enabled) return `channel ${name} is disabled`;
    const known = this.channels.get(name);
    if (known && known.updatedAt === stored.updatedAt) return known.channel;
    await known?.channel.close().catch(() => undefined);
    const channel = buildChannel(stored, this.options.sendTimeoutMs);
    this.channels.set(name, { updatedAt: stored.updatedAt, channel });
    return channel;
  }

  private async deliver(message: AlertMessage): Promise<void> {
    const { store, clock, log, maxAttempts, backoffMs, backoffMaxMs, sendTimeoutMs } = this.options;
    const attempts = message.attempts + 1;
    let error: string;
    let retryable = true;
    try {
      const channel = await this.channelFor(message.channel);
      if (typeof channel === 'string') {
        error = channel;
      } else {
        await channel.send(
          JSON.parse(message.content) as AlertContent,
          message.recipient,
          AbortSignal.timeout(sendTimeoutMs),
        );
        await store.alerts.markSent(message.id, attempts, clock.now());
        return;
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      if (err instanceof ChannelError) retryable = err.retryable;
    }
    const giveUp = !retryable || attempts >= maxAttempts;
    const nextAt = giveUp ? null : clock.now() + retryDelay(attempts, backoffMs, backoffMaxMs);
    await store.alerts.markAttemptFailed(message.id, attempts, error, nextAt);
    log.warn(
      { channel: message.channel, message: message.id, attempts, error, givenUp: giveUp },
      'alerting: a message was not delivered',
    );
  }
}

/** A channel instance from its stored settings. */
export function buildChannel(stored: StoredChannel, timeoutMs: number): Channel {
  return createChannel(stored.type as ChannelType, stored.config, stored.secret, { timeoutMs });
}
