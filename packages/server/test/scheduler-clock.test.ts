/**
 * The scheduler under a controlled clock (fake timers, real SQLite and
 * PostgreSQL): stalls, forward and backward clock jumps, edits while
 * planned. Nothing here waits on the wall clock.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { Job } from '../src/domain/job.js';
import { newId } from '../src/ids.js';
import { Leadership } from '../src/scheduler/leadership.js';
import { type FiredRun, Scheduler } from '../src/scheduler/scheduler.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';

const T0 = Date.parse('2027-03-01T00:00:00.000Z');
const log = pino({ level: 'silent' });

function job(name: string, cron: string, overrides: Partial<Job> = {}): Job {
  return testJob(name, T0, { schedule: { cron, timezone: 'UTC' }, ...overrides });
}

// SQLite only: PostgreSQL's driver keeps its own timers, which fake timers would freeze.
describe('scheduler under a controlled clock (sqlite)', () => {
  let db: TestDatabase;
  let store: Store;
  let fired: FiredRun[];
  let scheduler: Scheduler;
  let leadership: Leadership;

  beforeEach(async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      now: T0,
    });
    db = await createTestDatabase('sqlite');
    store = await openStore({ dataDir: db.dataDir, reportLimits: DEFAULT_REPORT_LIMITS });
    fired = [];
    const clock = { now: () => Date.now() };
    leadership = new Leadership({
      store,
      log,
      ttlMs: 5_000,
      renewMs: 1_000,
      now: clock.now,
      onElected: (firedThrough) => scheduler.activate(firedThrough),
      onDeposed: () => scheduler.deactivate(),
      firedThrough: () => scheduler.checkpoint(),
    });
    scheduler = new Scheduler({
      store,
      clock,
      log,
      leadership,
      onFired: (f) => fired.push(...f),
      defaultDeadlineSec: 86_400,
      misfireThresholdMs: 60_000,
      maxMissedPerJob: 1_000,
    });
  });

  afterEach(async () => {
    await leadership.stop();
    await store.close();
    await db.drop();
    vi.useRealTimers();
  });

  const history = async (j: Job) => {
    const page = await store.runs.history(j.id, {}, 500, undefined);
    if (page === 'bad_cursor') throw new Error('bad cursor');
    return page.runs;
  };

  it('fires each due instant once, in order, even when the loop stalls for a few seconds', async () => {
    const every = job('every-second', '* * * * * *');
    await store.jobs.insert(every);
    await leadership.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(fired.map((f) => f.run.scheduledAt - T0)).toEqual([1000, 2000, 3000]);
    // A stall: the wall clock moves 5 s while no timer runs; the next timer then finds 6 fires due.
    vi.setSystemTime(Date.now() + 5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const times = fired.map((f) => f.run.scheduledAt - T0);
    expect(times).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect((await history(every)).every((r) => r.status === 'pending')).toBe(true);
  });

  it('a forward clock jump past the misfire threshold records missed fires instead of firing them late', async () => {
    const j = job('jumpy', '0 * * * * *');
    await store.jobs.insert(j);
    await leadership.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toHaveLength(1);
    // The wall clock jumps 10 minutes; the timer set at 00:01 for a minute later then finds 00:02 … 00:12 due.
    vi.setSystemTime(Date.now() + 10 * 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    const runs = await history(j);
    const missed = runs.filter((r) => r.status === 'missed').map((r) => (r.scheduledAt - T0) / 60_000);
    // More than a minute late: missed. 00:11 (exactly a minute late) and 00:12 are still sent.
    expect(missed.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(fired.map((f) => (f.run.scheduledAt - T0) / 60_000)).toEqual([1, 11, 12]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toHaveLength(4);
    const all = (await history(j)).map((r) => r.scheduledAt);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a backward clock jump never fires an instant twice', async () => {
    const j = job('backwards', '* * * * * *');
    await store.jobs.insert(j);
    await leadership.start();
    await vi.advanceTimersByTimeAsync(5_000);
    vi.setSystemTime(Date.now() - 3_000);
    await vi.advanceTimersByTimeAsync(6_000);
    const times = (await history(j)).map((r) => r.scheduledAt);
    expect(new Set(times).size).toBe(times.length);
    expect(times.length).toBeGreaterThanOrEqual(5);
  });

  it('re-plans at once on edit, pause and delete', async () => {
    const j = job('edited', '0 0 * * * *');
    await store.jobs.insert(j);
    await leadership.start();
    expect(scheduler.nextFireOf(j.id)).toBe(T0 + 3_600_000);
    scheduler.jobChanged(j.id, { ...j, schedule: { cron: '*/10 * * * * *', timezone: 'UTC' } });
    expect(scheduler.nextFireOf(j.id)).toBe(T0 + 10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toHaveLength(1);
    scheduler.jobChanged(j.id, { ...j, enabled: false });
    expect(scheduler.nextFireOf(j.id)).toBeNull();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fired).toHaveLength(1);
    scheduler.jobChanged(j.id, { ...j, schedule: { cron: '*/10 * * * * *', timezone: 'UTC' } });
    scheduler.jobChanged(j.id, null);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fired).toHaveLength(1);
  });

  it('jobs sharing a schedule fire together from one queue entry', async () => {
    const jobs = Array.from({ length: 50 }, (_, i) =>
      job(`shared-${i}`, '*/5 * * * * *', { id: newId(T0 + i) }),
    );
    for (const j of jobs) await store.jobs.insert(j);
    await leadership.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toHaveLength(100);
    expect(new Set(fired.map((f) => `${f.job.id}@${f.run.scheduledAt}`)).size).toBe(100);
  });
});
