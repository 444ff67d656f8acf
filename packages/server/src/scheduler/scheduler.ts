/**
 * The scheduler: keeps every enabled job's next fire in a timing queue,
 * sleeps until the earliest, and writes all due fires as run rows (fenced by
 * the leader lease) before handing them to the dispatcher.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { setCappedTimeout } from '../clock.js';
import { parseSchedule, type Schedule } from '../cron/schedule.js';
import type { Job } from '../domain/job.js';
import { planMisfire } from '../domain/misfire.js';
import type { NewRun } from '../store/runs-repo.js';
import { FencedError } from '../store/runs-repo.js';
import type { Store } from '../store/store.js';
import { enumerateDue } from './due-fires.js';
import { FireQueue, type ScheduleGroup } from './fire-queue.js';
import type { Leadership } from './leadership.js';
import { missedRun, pendingRun } from './run-rows.js';

/** A run row written by the scheduler and ready to send. */
export interface FiredRun {
  run: NewRun;
  job: Job;
}

export interface SchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  leadership: Leadership;
  /** Receives every fire once its row is committed. */
  onFired: (fires: FiredRun[]) => void;
  defaultDeadlineSec: number;
  misfireThresholdMs: number;
  maxMissedPerJob: number;
}

/** Fires per transaction: large ticks commit (and start sending) in slices. */
const FIRES_PER_WRITE = 1_000;

export class Scheduler {
  private readonly queue = new FireQueue();
  private readonly groups = new Map<string, ScheduleGroup>();
  private readonly jobs = new Map<string, Job>();
  private readonly schedules = new Map<string, Schedule>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private active = false;
  /** Set when a write failed: fires after this instant may be unrecorded. */
  private unrecordedSince: number | null = null;

  constructor(private readonly options: SchedulerOptions) {}

  /** True while this node holds the lease and fires. */
  get isActive(): boolean {
    return this.active;
  }

  /** Number of scheduled (enabled) jobs. */
  get jobCount(): number {
    return this.jobs.size;
  }

  /**
   * The instant up to which every fire has been written, for lease renewals;
   * undefined while a write is in progress (the write itself moves it).
   */
  checkpoint(): number | undefined {
    if (!this.active || this.ticking) return undefined;
    const now = this.options.clock.now();
    const head = this.queue.peek();
    return head?.next != null ? Math.min(now, head.next - 1) : now;
  }

  /** The next fire of a job, or null when it is not scheduled. */
  nextFireOf(jobId: string): number | null {
    const job = this.jobs.get(jobId);
    if (!job) return null;
    return this.groups.get(scheduleKey(job))?.next ?? null;
  }

  /** The next fire of a schedule after `after`, for jobs this node does not schedule. */
  nextFireAfter(job: Pick<Job, 'schedule'>, after: number): number | null {
    return this.scheduleFor(job).nextAfter(after);
  }

  /**
   * Becomes active after the lease is won: loads every enabled job, records
   * the fires missed while no scheduler ran, then starts the timer.
   */
  async activate(firedThrough: number): Promise<void> {
    const { store, clock, log } = this.options;
    const jobs = await store.jobs.listEnabled();
    const now = clock.now();
    this.jobs.clear();
    this.groups.clear();
    for (const job of jobs) this.jobs.set(job.id, job);
    // We must record missed fires BEFORE planning new ones: the queue starts after `now`.
    await this.recoverMisfires(jobs, firedThrough, now, now);
    for (const job of jobs) this.plan(job, now);
    this.active = true;
    log.info({ jobs: jobs.length, schedules: this.groups.size }, 'scheduler active');
    this.arm();
  }

  /** Stops firing (lease lost or shutdown); waits for a write in progress. */
  async deactivate(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** A job was created, edited, paused, resumed or deleted: re-plan it at once. */
  jobChanged(jobId: string, job: Job | null): void {
    const old = this.jobs.get(jobId);
    if (old) {
      const group = this.groups.get(scheduleKey(old));
      group?.jobs.delete(jobId);
      if (group && group.jobs.size === 0) {
        this.queue.remove(group);
        this.groups.delete(group.key);
      }
      this.jobs.delete(jobId);
    }
    if (job?.enabled) {
      this.jobs.set(job.id, job);
      if (this.active) this.plan(job, this.options.clock.now());
    }
    if (this.active) this.arm();
  }

  /** Writes runs (fenced) and answers the ones actually inserted. */
  async writeFenced(runs: NewRun[], firedThrough: number): Promise<Set<string>> {
    const fence = this.options.leadership.fence(firedThrough);
    if (!fence) throw new FencedError();
    return this.options.store.runs.insertRuns(runs, fence);
  }

  private scheduleFor(job: Pick<Job, 'schedule'>): Schedule {
    const key = scheduleKey(job);
    let schedule = this.schedules.get(key);
    if (!schedule) {
      schedule = parseSchedule(job.schedule.cron, job.schedule.timezone);
      this.schedules.set(key, schedule);
    }
    return schedule;
  }

  private plan(job: Job, now: number): void {
    const key = scheduleKey(job);
    let group = this.groups.get(key);
    if (!group) {
      const schedule = this.scheduleFor(job);
      group = { key, schedule, next: schedule.nextAfter(now), jobs: new Set(), heapIndex: -1 };
      this.groups.set(key, group);
      this.queue.upsert(group);
    }
    group.jobs.add(job.id);
  }

  private arm(): void {
    if (!this.active || this.ticking) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const head = this.queue.peek();
    if (!head || head.next === null) return;
    const delay = head.next - this.options.clock.now();
    this.timer = setCappedTimeout(() => {
      this.timer = null;
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.arm();
      });
    }, delay);
  }

  /** Collects every due fire, writes them in slices, hands each slice over once committed. */
  private async tick(): Promise<void> {
    const { clock, log, misfireThresholdMs, defaultDeadlineSec } = this.options;
    const now = clock.now();
    const due: FiredRun[] = [];
    const late: { group: ScheduleGroup; from: number; to: number }[] = [];
    if (this.unrecordedSince !== null) {
      for (const group of this.groups.values()) late.push({ group, from: this.unrecordedSince, to: now });
      this.unrecordedSince = null;
    }
    for (
      let head = this.queue.peek();
      head && head.next !== null && head.next <= now;
      head = this.queue.peek()
    ) {
      const at = head.next;
      if (now - at > misfireThresholdMs) {
        // Far too late (the process stalled or the clock jumped): fires older than the
        // threshold go to the misfire policy; the ones within it are still sent, late.
        const until = now - misfireThresholdMs - 1;
        late.push({ group: head, from: at - 1, to: until });
        head.next = head.schedule.nextAfter(until);
      } else {
        for (const jobId of head.jobs) {
          const job = this.jobs.get(jobId);
          if (job) due.push({ job, run: pendingRun(job, 'schedule', at, now, defaultDeadlineSec) });
        }
        head.next = head.schedule.nextAfter(at);
      }
      this.queue.upsert(head);
    }
    try {
      for (const { group, from, to } of late) {
        const jobs = [...group.jobs].map((id) => this.jobs.get(id)).filter((j): j is Job => j !== undefined);
        log.warn(
          { schedule: group.key, jobs: jobs.length, lateMs: now - from },
          'fires found too late: misfire policy applies',
        );
        // The checkpoint may only move to where the misfire range ends: later fires are written below.
        await this.recoverMisfires(jobs, from, Math.min(to, now), Math.min(to, now));
      }

      for (let i = 0; i < due.length; i += FIRES_PER_WRITE) {
        const slice = due.slice(i, i + FIRES_PER_WRITE);
        const following = due[i + FIRES_PER_WRITE];
        // Until the last slice commits, only fires before the next unwritten one count as done.
        const firedThrough = following ? following.run.scheduledAt - 1 : now;
        const inserted = await this.writeFenced(
          slice.map((f) => f.run),
          firedThrough,
        );
        const fresh = inserted.size === slice.length ? slice : slice.filter((f) => inserted.has(f.run.id));
        if (fresh.length > 0) this.options.onFired(fresh);
        // Let the triggers of this slice reach their sockets before the next slice's write.
        if (following) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      if (err instanceof FencedError) {
        log.error('scheduler lease lost during a write: this node stops firing');
        this.options.leadership.lost();
        return;
      }
      // The lease checkpoint did not move past these fires: remember where the
      // gap starts, so the next tick records them by the misfire policy
      // instead of skipping them silently.
      const earliest = Math.min(...due.map((f) => f.run.scheduledAt), ...late.map((l) => l.from + 1));
      this.unrecordedSince = Math.min(this.unrecordedSince ?? earliest, earliest - 1);
      log.error(
        { err, fires: due.length },
        'writing fires failed; they will be recorded by the misfire policy',
      );
      await sleep(500);
    }
  }

  /**
   * Records the fires of `jobs` due in (from, to] per each job's misfire
   * policy: `missed` rows (at most maxMissedPerJob, then one summary row),
   * and under fire_once the latest as a `catchup` run sent now. The lease
   * checkpoint moves to `checkpoint`, never past fires not yet written.
   */
  private async recoverMisfires(
    jobs: readonly Job[],
    from: number,
    to: number,
    checkpoint: number,
  ): Promise<void> {
    const now = this.options.clock.now();
    const { maxMissedPerJob, defaultDeadlineSec, log } = this.options;
    const rows: NewRun[] = [];
    const catchups: FiredRun[] = [];
    const cache = new Map<string, ReturnType<typeof enumerateDue>>();
    for (const job of jobs) {
      const start = Math.max(from, job.plannedFrom);
      const key = `${scheduleKey(job)}\u0000${start}`;
      let due = cache.get(key);
      if (!due) {
        due = enumerateDue(this.scheduleFor(job), start, to, maxMissedPerJob + 1);
        cache.set(key, due);
      }
      const plan = planMisfire(job.misfire, due, maxMissedPerJob);
      for (const at of plan.missed)
        rows.push(missedRun(job, at, now, 'missed: no scheduler was running at this time'));
      if (plan.summary) {
        rows.push(
          missedRun(
            job,
            plan.summary.at,
            now,
            `missed ${plan.summary.approximate ? 'about ' : ''}${plan.summary.count} more fires`,
            {
              missedCount: plan.summary.count,
              until: new Date(plan.summary.at).toISOString(),
              ...(plan.summary.approximate ? { approximate: true } : {}),
            },
          ),
        );
      }
      if (plan.catchup !== null) {
        const run = pendingRun(job, 'catchup', plan.catchup, now, defaultDeadlineSec);
        rows.push(run);
        catchups.push({ job, run });
      }
    }
    if (rows.length === 0) {
      await this.writeFenced([], checkpoint);
      return;
    }
    let inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += FIRES_PER_WRITE * 5) {
      const last = i + FIRES_PER_WRITE * 5 >= rows.length;
      const part = await this.writeFenced(rows.slice(i, i + FIRES_PER_WRITE * 5), last ? checkpoint : from);
      inserted = new Set([...inserted, ...part]);
    }
    log.warn(
      { rows: rows.length, catchups: catchups.length },
      'recorded fires missed while no scheduler ran',
    );
    const fresh = catchups.filter((c) => inserted.has(c.run.id));
    if (fresh.length > 0) this.options.onFired(fresh);
  }
}

export function scheduleKey(job: Pick<Job, 'schedule'>): string {
  return `${job.schedule.timezone} ${job.schedule.cron}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
