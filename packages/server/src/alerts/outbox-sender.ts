/**
 * Sends the outbox: claims due messages with a lease and sends them through
 * their channel without waiting for one another: each channel has at most
 * `perChannel` sends in flight, and a channel at its limit is left out of
 * the next claims, so one that hangs holds up no other. Each send has a
 * time limit; success is recorded, or the attempt retried with exponential
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
  /** Sends in flight per channel. Default 4. */
  perChannel?: number;
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
  private readonly inFlight = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  /** Aborts the sends in flight when the sender stops; they are retried after the next start. */
  private stopping = new AbortController();

  constructor(private readonly options: OutboxSenderOptions) {
    this.periodic = new Periodic(options.intervalMs, () => this.runOnce());
  }

  start(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    this.stopping.abort();
    await Promise.allSettled([...this.sends]);
    await Promise.all([...this.channels.values()].map((c) => c.channel.close().catch(() => undefined)));
    this.channels.clear();
  }

  /** Starts sending what is due now (without waiting for the sends); answers how many messages it took. */
  async runOnce(): Promise<number> {
    const { store, clock, log, sendTimeoutMs } = this.options;
    const perChannel = this.options.perChannel ?? 4;
    try {
      const busy = [...this.inFlight].filter(([, n]) => n >= perChannel).map(([name]) => name);
      // The lease outlasts the send's own time limit: no other pass or node takes it meanwhile.
      const due = await store.alerts.claimDue(clock.now(), 50, sendTimeoutMs * 2 + 1_000, busy);
      for (const message of due) {
        this.inFlight.set(message.channel, (this.inFlight.get(message.channel) ?? 0) + 1);
        const send: Promise<void> = this.deliver(message).finally(() => {
          this.inFlight.set(message.channel, (this.inFlight.get(message.channel) ?? 1) - 1);
          this.sends.delete(send);
        });
        this.sends.add(send);
      }
      return due.length;
    } catch (err) {
      log.error({ err }, 'alerting: sending the outbox failed');
      return 0;
    }
  }

  /** Resolves once every send started so far has ended (tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.sends]);
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
