/** The store's domain operations on both dialects, each with a fresh database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { Job } from '../src/domain/job.js';
import { missedRun, pendingRun } from '../src/scheduler/run-rows.js';
import { FencedError } from '../src/store/runs-repo.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';

const DIALECTS = await dialects();
const T0 = Date.parse('2027-01-01T00:00:00.000Z');

function job(name: string, overrides: Partial<Job> = {}): Job {
  return testJob(name, T0, { timeoutSec: 10, deadlineSec: 60, ...overrides });
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: { ...DEFAULT_REPORT_LIMITS, maxLogBytes: 40, maxOutputBytes: 100 },
    });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('migrates idempotently (a second open changes nothing)', async () => {
    const again = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: DEFAULT_REPORT_LIMITS,
    });
    await again.close();
  });

  it('never writes a fire twice, and fences writers that lost the lease', async () => {
    const j = job('fires');
    await store.jobs.insert(j);
    const lease = await store.leases.acquire('scheduler', 'node-a', 5_000, T0);
    expect(lease).not.toBeNull();
    const fence = { lease: 'scheduler', holder: 'node-a', epoch: lease!.epoch, firedThrough: T0 + 1000 };
    const a = pendingRun(j, 'schedule', T0 + 1000, T0 + 1000, 86_400);
    const b = pendingRun(j, 'schedule', T0 + 1000, T0 + 1001, 86_400);
    const first = await store.runs.insertRuns([a], fence);
    expect(first.has(a.id)).toBe(true);
    const second = await store.runs.insertRuns([b], fence);
    expect(second.size, 'same job and scheduledAt: skipped').toBe(0);
    const manual1 = pendingRun(j, 'manual', T0 + 1000, T0 + 1000, 86_400);
    const manual2 = pendingRun(j, 'manual', T0 + 1000, T0 + 1000, 86_400);
    expect((await store.runs.insertRuns([manual1, manual2])).size, 'manual runs are not fires').toBe(2);

    // Another node takes over after expiry: the old holder's writes are refused, whole.
    await store.leases.release('scheduler', 'node-a', lease!.epoch);
    const takeover = await store.leases.acquire('scheduler', 'node-b', 5_000, T0);
    expect(takeover?.epoch).toBe(lease!.epoch + 1);
    expect(takeover?.firedThrough).toBe(T0 + 1000);
    const stale = pendingRun(j, 'schedule', T0 + 2000, T0 + 2000, 86_400);
    await expect(
      store.runs.insertRuns([stale], { ...fence, firedThrough: T0 + 2000 }),
    ).rejects.toBeInstanceOf(FencedError);
    expect(await store.runs.find(stale.id)).toBeNull();
    expect(
      await store.leases.acquire('scheduler', 'node-a', 5_000, T0),
      'a live lease is not taken',
    ).toBeNull();
    expect(await store.leases.renew('scheduler', 'node-a', lease!.epoch, 5_000)).toBe(false);
    expect(await store.leases.renew('scheduler', 'node-b', takeover!.epoch, 5_000, T0 + 5000)).toBe(true);
    expect((await store.leases.find('scheduler'))?.firedThrough).toBe(T0 + 5000);
  });

  it('applies results per the protocol: accept, duplicate, conflict, late', async () => {
    const j = job('results');
    await store.jobs.insert(j);
    const run = pendingRun(j, 'manual', T0, T0, 86_400);
    await store.runs.insertRuns([run]);
    const result = { status: 'succeeded' as const, message: 'ok', output: { n: 1 } };
    expect(await store.reports.recordResult(run.id, result, T0 + 500)).toBe('accept');
    expect(await store.reports.recordResult(run.id, result, T0 + 600)).toBe('duplicate');
    expect(await store.reports.recordResult(run.id, { ...result, output: { n: 2 } }, T0 + 700)).toBe(
      'conflict',
    );
    const stored = await store.runs.find(run.id);
    expect(stored).toMatchObject({
      status: 'succeeded',
      notifyStatus: 'delivered',
      durationMs: 500,
      output: { n: 1 },
    });
    expect(await store.reports.recordProgress(run.id, { progress: 5 }, T0 + 800)).toBe('ended');
    expect(await store.reports.recordResult('01JAAAAAAAAAAAAAAAAAAAAAAA', result, T0)).toBe('not_found');

    const lost = pendingRun({ ...j, deadlineSec: 1 }, 'manual', T0, T0, 86_400);
    await store.runs.insertRuns([lost]);
    await store.runs.recordDeliveries([
      {
        runId: lost.id,
        attempt: { n: 1, member: 'http://m', sentAt: T0, httpStatus: 202, error: null, latencyMs: 3 },
        outcome: { kind: 'accepted', member: 'http://m', at: T0 + 3 },
      },
    ]);
    const ended = await store.limits.endPastDeadline(T0 + 2_000);
    expect(ended.lost.map((r) => r.id)).toContain(lost.id);
    expect(await store.reports.recordResult(lost.id, result, T0 + 3_000)).toBe('late');
    expect(await store.runs.find(lost.id)).toMatchObject({
      status: 'lost',
      lateResult: expect.objectContaining({ status: 'succeeded' }),
    });

    const missed = missedRun(j, T0 - 5_000, T0, 'missed');
    await store.runs.insertRuns([missed]);
    expect(await store.reports.recordResult(missed.id, result, T0)).toBe('never_sent');
  });

  it('caps log, output and message, marking the run truncated', async () => {
    const j = job('caps');
    await store.jobs.insert(j);
    const run = pendingRun(j, 'manual', T0, T0, 86_400);
    await store.runs.insertRuns([run]);
    expect(
      await store.reports.recordProgress(
        run.id,
        { log: ['0123456789', '0123456789', '0123456789', '0123456789'] },
        T0 + 1,
      ),
    ).toBe('ok');
    const events = await store.runs.events(run.id);
    expect(events[0]?.log).toEqual(['0123456789', '0123456789', '0123456789', '…[truncated]']);
    await store.reports.recordResult(
      run.id,
      { status: 'succeeded', message: null, output: { big: 'x'.repeat(500) } },
      T0 + 2,
    );
    const stored = await store.runs.find(run.id);
    expect(stored?.truncated).toBe(true);
    expect(stored?.output).toMatchObject({ truncated: true });
  });

  it('marks timeouts without ending runs, and ends undelivered runs at their deadline as not delivered', async () => {
    const j = job('limits', { timeoutSec: 1, deadlineSec: 5 });
    await store.jobs.insert(j);
    const running = pendingRun(j, 'manual', T0, T0, 86_400);
    const undelivered = pendingRun(j, 'manual', T0, T0, 86_400);
    await store.runs.insertRuns([running, undelivered]);
    await store.runs.recordDeliveries([
      {
        runId: running.id,
        attempt: { n: 1, member: 'http://m', sentAt: T0, httpStatus: 202, error: null, latencyMs: 1 },
        outcome: { kind: 'accepted', member: 'http://m', at: T0 },
      },
    ]);
    const timedOut = await store.limits.markTimedOut(T0 + 1_500);
    expect(timedOut.map((r) => r.id).sort()).toEqual([running.id, undelivered.id].sort());
    expect(await store.runs.find(running.id)).toMatchObject({ status: 'running', timedOut: true });
    expect((await store.limits.markTimedOut(T0 + 1_600)).length, 'flagged once').toBe(0);
    const ended = await store.limits.endPastDeadline(T0 + 6_000);
    expect(ended.lost.map((r) => r.id)).toEqual([running.id]);
    expect(ended.undelivered.map((r) => r.id)).toEqual([undelivered.id]);
    expect(await store.runs.find(undelivered.id)).toMatchObject({
      status: 'failed',
      notifyStatus: 'failed',
      message: 'not delivered before the deadline',
    });
  });

  it('serves long trends from per-minute rollups that match the runs, and remakes them after a past write', async () => {
    const j = job('rollup');
    await store.jobs.insert(j);
    // Three days, a run every 30 s, every 23rd failed; one run in the last half hour still open.
    const end = T0 + 3 * 86_400_000;
    const runs = [];
    for (let at = T0, i = 0; at < end; at += 30_000, i++) {
      const r = missedRun(j, at, T0, 'x');
      runs.push(i % 23 === 0 ? { ...r, status: 'failed' as const } : r);
    }
    await store.runs.insertRuns(runs);
    const open = pendingRun(j, 'manual', end - 1_800_000, end - 1_800_000, 86_400);
    await store.runs.insertRuns([open]);
    const now = end;
    const first = await store.trend.trend(j.id, T0, end, now);
    expect(first.bucketMs).toBe(300_000);
    expect(first.points).toHaveLength(864);
    const failedPoints = first.points.filter((p) => p.status === 'failed').length;
    expect(failedPoints).toBeGreaterThan(300);
    expect(failedPoints).toBeLessThan(864);
    expect(first.points.at(-1)?.at, 'the open tail is included').toBe(end - 300_000);
    const again = await store.trend.trend(j.id, T0, end, now);
    expect(again, 'served from rollups, the same answer').toEqual(first);

    // A missed fire written later into a past, already rolled-up minute changes that bucket.
    const quiet = first.points.find((p) => p.status === 'missed');
    expect(quiet).toBeDefined();
    const late = { ...pendingRun(j, 'manual', quiet!.at + 1, now, 86_400), status: 'lost' as const };
    await store.runs.insertRuns([late]);
    const after = await store.trend.trend(j.id, T0, end, now);
    expect(after.points.find((p) => p.at === quiet!.at)?.status).toBe('lost');
  });

  it('pages history newest first with a stable cursor, and buckets a long trend', async () => {
    const j = job('history');
    await store.jobs.insert(j);
    const runs = Array.from({ length: 2_500 }, (_, i) => {
      const r = missedRun(j, T0 + i * 1000, T0, 'missed');
      return i % 10 === 0 ? { ...r, status: 'failed' as const } : r;
    });
    await store.runs.insertRuns(runs);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const res = await store.runs.history(j.id, {}, 1000, cursor);
      if (res === 'bad_cursor') throw new Error('bad cursor');
      seen.push(...res.runs.map((r) => r.id));
      cursor = res.nextCursor ?? undefined;
    }
    expect(seen).toHaveLength(2_500);
    expect(new Set(seen).size).toBe(2_500);
    expect(cursor).toBeUndefined();
    const window = await store.runs.history(j.id, { from: T0 + 10_000, to: T0 + 20_000 }, 50, undefined);
    if (window === 'bad_cursor') throw new Error('bad cursor');
    expect(window.runs).toHaveLength(10);
    expect(window.runs[0]?.scheduledAt).toBe(T0 + 19_000);

    const fine = await store.trend.trend(j.id, T0, T0 + 100_000, T0 + 10_000_000);
    expect(fine.bucketMs).toBeNull();
    expect(fine.points).toHaveLength(100);
    const coarse = await store.trend.trend(j.id, T0, T0 + 2_500_000, T0 + 10_000_000);
    expect(coarse.bucketMs).toBe(2_000);
    expect(coarse.points.length).toBeLessThanOrEqual(2_000);
    expect(coarse.points[0]).toMatchObject({ at: T0, status: 'failed' });
    expect(coarse.points[1]).toMatchObject({ at: T0 + 2_000, status: 'missed' });
  });
});
