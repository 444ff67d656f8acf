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

/** How long stopping waits for aborted sends, ms. */
const STOP_GRACE_MS = 2_000;

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
  /** Claimed messages waiting for a free slot of their channel. */
  private readonly waiting = new Map<string, AlertMessage[]>();
  /** Ids claimed by this sender and not done: never sent twice, even if claimed again. */
  private readonly held = new Set<string>();
  private readonly sends = new Set<Promise<void>>();
  private pumping: Promise<number> | null = null;
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
    await this.pumping;
    // Claimed but not started: due again at once, for the next start or another node.
    const unsent = [...this.waiting.values()].flat().map((m) => m.id);
    this.waiting.clear();
    await this.options.store.alerts.release(unsent, this.options.clock.now()).catch(() => undefined);
    // Aborted sends end at once unless a channel ignores the abort: shutdown waits for them
    // a moment only. One left behind keeps its lease and is sent again after it.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.sends]),
      new Promise((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    await Promise.all([...this.channels.values()].map((c) => c.channel.close().catch(() => undefined)));
    this.channels.clear();
  }

  private get perChannel(): number {
    return this.options.perChannel ?? 4;
  }

  private load(channel: string): number {
    return (this.inFlight.get(channel) ?? 0) + (this.waiting.get(channel)?.length ?? 0);
  }

  /**
   * Claims what is due (leaving out channels with a full queue) and starts
   * sending it, without waiting for the sends; answers how many messages it
   * claimed. A send that ends claims more at once, so a fast channel is not
   * held to one batch per interval.
   */
  async runOnce(): Promise<number> {
    const { store, clock, log, sendTimeoutMs } = this.options;
    const claim = this.perChannel * 4;
    try {
      const busy = [...new Set([...this.inFlight.keys(), ...this.waiting.keys()])].filter(
        (name) => this.load(name) >= this.perChannel,
      );
      // The lease outlasts the longest wait a claimed message can have here (a whole claim queued
      // behind one channel, each send at its time limit): no other pass or node takes it meanwhile.
      const leaseMs = sendTimeoutMs * (claim / this.perChannel + 1) + 1_000;
      const due = await store.alerts.claimDue(clock.now(), claim, leaseMs, busy);
      for (const message of due) {
        if (this.held.has(message.id)) continue;
        this.held.add(message.id);
        const queue = this.waiting.get(message.channel) ?? [];
        queue.push(message);
        this.waiting.set(message.channel, queue);
      }
      for (const channel of [...this.waiting.keys()]) this.fill(channel);
      return due.length;
    } catch (err) {
      log.error({ err }, 'alerting: sending the outbox failed');
      return 0;
    }
  }

  /** Starts waiting messages of `channel` while it has free slots. */
  private fill(channel: string): void {
    const queue = this.waiting.get(channel);
    while (queue && queue.length > 0 && (this.inFlight.get(channel) ?? 0) < this.perChannel) {
      const message = queue.shift() as AlertMessage;
      this.inFlight.set(channel, (this.inFlight.get(channel) ?? 0) + 1);
      const send: Promise<void> = this.deliver(message).finally(() => {
        this.inFlight.set(channel, (this.inFlight.get(channel) ?? 1) - 1);
        this.held.delete(message.id);
        this.sends.delete(send);
        this.fill(channel);
        this.pump();
      });
      this.sends.add(send);
    }
    if (queue?.length === 0) this.waiting.delete(channel);
  }

  /** Claims more right away (one pass at a time), unless the sender is stopping. */
  private pump(): void {
    if (this.stopping.signal.aborted || this.pumping) return;
    this.pumping = this.runOnce().finally(() => {
      this.pumping = null;
    });
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
