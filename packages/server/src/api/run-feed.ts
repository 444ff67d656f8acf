/**
 * The live run feed behind `GET /api/v1/events`. One poller per node, only
 * while someone listens: every `intervalMs` it reads the open runs, the runs
 * scheduled in the last `recentMs`, and the runs that were open at the
 * previous look and are not any more, and tells each subscriber about the
 * runs that are new or changed (status, delivery, progress, message,
 * timed out) among those of the teams it may read. Reading the database
 * rather than listening inside the process means every node's feed shows
 * every node's runs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { DEFAULT_TEAM } from '../domain/user.js';
import { Periodic } from '../monitor/periodic.js';
import type { FeedRun, RunFeedRepo } from '../store/run-feed-repo.js';

export interface RunFeedOptions {
  repo: RunFeedRepo;
  clock: Clock;
  log: Logger;
  /** How often the database is read while someone listens, ms. Default 1,000. */
  intervalMs?: number;
  /** How far back new runs are looked for, by scheduled time, ms. Default 120,000. */
  recentMs?: number;
  /** Most runs read per look and kind. Default 2,000. */
  limit?: number;
}

export type FeedListener = (run: FeedRun) => void;

export interface FeedSubscription {
  /** The teams whose runs to hear about; null: all. */
  teams: readonly string[] | null;
  onRun: FeedListener;
  /** Called once the feed knows the current state: changes from here on are heard. */
  onReady: () => void;
  /** Called when the feed stops (the server shuts down): ends the stream. */
  onStop: () => void;
}

interface Subscriber {
  teams: ReadonlySet<string> | null;
  listener: FeedListener;
  onStop: () => void;
}

const signature = (r: FeedRun) => `${r.status}|${r.notifyStatus}|${r.progress}|${r.message}|${r.timedOut}`;

export class RunFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly periodic: Periodic;
  private ticking = false;
  private polling: Promise<void> | null = null;
  /** What the previous look saw: run id → signature, and which of them were open. */
  private seen = new Map<string, string>();
  private open = new Set<string>();
  private primed = false;
  private stopped = false;

  constructor(private readonly options: RunFeedOptions) {
    this.periodic = new Periodic(options.intervalMs ?? 1_000, () => this.look());
  }

  /** Listens to runs; answers the unsubscribe function. */
  subscribe(subscription: FeedSubscription): () => void {
    const { teams, onRun, onReady, onStop } = subscription;
    if (this.stopped) {
      onStop();
      return () => undefined;
    }
    const subscriber: Subscriber = { teams: teams === null ? null : new Set(teams), listener: onRun, onStop };
    this.subscribers.add(subscriber);
    if (!this.ticking) {
      this.ticking = true;
      this.periodic.start();
    }
    // Ready after a look that started after this subscription: it knows the state the reader starts from.
    void (this.polling ?? Promise.resolve())
      .then(() => this.look())
      .then(() => {
        if (this.subscribers.has(subscriber)) onReady();
      });
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.halt();
    };
  }

  /** One look at a time: a caller while one runs waits for it. */
  private look(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  get listeners(): number {
    return this.subscribers.size;
  }

  private halt(): void {
    this.ticking = false;
    void this.periodic.stop();
    this.seen = new Map();
    this.open = new Set();
    this.primed = false;
  }

  /** Stops polling and ends every subscriber's stream. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.subscribers) s.onStop();
    this.subscribers.clear();
    this.halt();
    await this.polling;
  }

  /** One look at the database; exposed for tests. */
  async poll(): Promise<void> {
    const { repo, clock, log } = this.options;
    const limit = this.options.limit ?? 2_000;
    try {
      const [open, recent] = await Promise.all([
        repo.open(limit),
        repo.recent(clock.now() - (this.options.recentMs ?? 120_000), limit),
      ]);
      const current = new Map<string, FeedRun>();
      for (const run of [...recent, ...open]) current.set(run.id, run);
      // Runs open at the previous look that are neither open nor recent now have ended.
      const ended = [...this.open].filter((id) => !current.has(id));
      for (const run of await repo.byIds(ended)) current.set(run.id, run);
      const seen = new Map<string, string>();
      for (const run of current.values()) {
        const sig = signature(run);
        seen.set(run.id, sig);
        // The first look only learns the state: a new listener gets changes, not history.
        if (this.primed && this.seen.get(run.id) !== sig) this.publish(run);
      }
      this.seen = seen;
      this.open = new Set(open.map((r) => r.id));
      this.primed = true;
    } catch (err) {
      log.error({ err }, 'live run feed: reading runs failed');
    }
  }

  private publish(run: FeedRun): void {
    const team = run.team ?? DEFAULT_TEAM;
    for (const s of this.subscribers) {
      if (s.teams !== null && !s.teams.has(team)) continue;
      try {
        s.listener(run);
      } catch {
        // A listener whose connection broke is removed by its route.
      }
    }
  }
}
