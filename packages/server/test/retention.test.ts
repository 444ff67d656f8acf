/**
 * Retention of run history on both dialects: per-job and server limits, open
 * runs kept, child rows and trend rollups removed with their runs, runs of
 * deleted jobs, batches, the pruner's lifecycle, and the job field in the API.
 * A fixed clock decides what is outgrown; nothing depends on wall-clock time.
 */
import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_LIMITS } from '../src/domain/callback-rules.js';
import type { Job, JobRetention } from '../src/domain/job.js';
import { createMetrics, type Metrics } from '../src/metrics.js';
import { type PruneSummary, Retention } from '../src/monitor/retention.js';
import { missedRun, pendingRun } from '../src/scheduler/run-rows.js';
import { openDatabase } from '../src/store/database.js';
import type { NewRun } from '../src/store/runs-repo.js';
import { type Database, RUN_CHILD_TABLES } from '../src/store/schema.js';
import { openStore, type Store } from '../src/store/store.js';
import { startCenter, type TestCenter } from './helpers/center.js';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/databases.js';
import { testJob } from './helpers/jobs.js';
import { sleep, waitFor } from './helpers/wait.js';

const DIALECTS = await dialects();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The fixed "now" of every pass: on the hour, so days limits cut exactly `days` ago. */
const NOW = Date.parse('2027-03-01T12:00:00.000Z');
const NO_LIMITS: JobRetention = { days: null, count: null };

describe.each(DIALECTS)('retention on %s', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  // Each test gets its own database: a pass prunes every job in it.
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      reportLimits: DEFAULT_REPORT_LIMITS,
    });
  });
  afterEach(async () => {
    await store?.close();
    await db?.drop();
  });

  function pruner(
    defaults: JobRetention,
    options: { batchSize?: number; metrics?: Metrics; now?: number; intervalMs?: number; log?: Logger } = {},
  ): Retention {
    const now = options.now ?? NOW;
    return new Retention({
      store,
      clock: { now: () => now },
      log: options.log ?? pino({ level: 'silent' }),
      metrics: options.metrics ?? createMetrics(),
      defaults,
      intervalMs: options.intervalMs ?? 60_000,
      batchSize: options.batchSize ?? 500,
    });
  }

  async function addJob(name: string, retention: JobRetention | null = null): Promise<Job> {
    const job = testJob(name, NOW - 100 * DAY, { retention });
    await store.jobs.insert(job);
    return job;
  }

  /** A finished (missed) run of `job` scheduled at each instant. */
  async function finishedRuns(job: Job, ats: number[]): Promise<NewRun[]> {
    const runs = ats.map((at) => missedRun(job, at, at, 'missed'));
    await store.runs.insertRuns(runs);
    return runs;
  }

  /** Which of `runs` are still stored. */
  async function kept(runs: NewRun[]): Promise<NewRun[]> {
    const out: NewRun[] = [];
    for (const run of runs) if (await store.runs.find(run.id)) out.push(run);
    return out;
  }

  const daysAgo = (...days: number[]) => days.map((d) => NOW - d * DAY);

  it("applies a job's own days limit, and the server's to a job without one", async () => {
    const own = await addJob('own-days', { days: 3, count: null });
    const plain = await addJob('server-days');
    const ages = [1, 2, 3, 4, 5, 8, 10, 11, 12];
    const ownRuns = await finishedRuns(own, daysAgo(...ages));
    const plainRuns = await finishedRuns(plain, daysAgo(...ages));

    const summary = await pruner({ days: 10, count: null }).prune();

    // A run scheduled exactly `days` ago is not older than the limit: it stays.
    expect(await kept(ownRuns)).toEqual(ownRuns.slice(0, 3));
    expect(await kept(plainRuns)).toEqual(plainRuns.slice(0, 7));
    expect(summary).toMatchObject({ runs: 6 + 2, jobs: 2 });
  });

  it("keeps a job's newest runs up to its own count, ordered by scheduledAt then id", async () => {
    const job = await addJob('own-count', { days: null, count: 4 });
    const runs = await finishedRuns(job, daysAgo(8, 7, 6, 5, 4, 3, 2));
    // Two manual runs scheduled at the same instant straddle the cut: the smaller id goes.
    const sameAt = NOW - 4.5 * DAY;
    const tied = [missedRun(job, sameAt, sameAt, 'a'), missedRun(job, sameAt, sameAt, 'b')]
      .map((r) => ({ ...r, trigger: 'manual' as const }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    await store.runs.insertRuns(tied);

    const summary = await pruner(NO_LIMITS).prune();

    // Newest first: 2 d, 3 d, 4 d, then the larger id of the pair at 4.5 d.
    const left = await kept([...runs, ...tied]);
    expect(new Set(left.map((r) => r.id))).toEqual(
      new Set([runs[6], runs[5], runs[4], tied[1]].map((r) => r?.id)),
    );
    expect(summary.runs).toBe(5);
    expect((await pruner(NO_LIMITS).prune()).runs, 'a second pass finds nothing more').toBe(0);
  });

  it('applies the server limits, removing a run when either the days or the count limit says so', async () => {
    const many = await addJob('many');
    const few = await addJob('few');
    const manyRuns = await finishedRuns(many, daysAgo(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    const fewRuns = await finishedRuns(few, daysAgo(1, 6, 7.5));

    await pruner({ days: 7, count: 4 }).prune();

    expect(await kept(manyRuns), 'count keeps the newest 4').toEqual(manyRuns.slice(0, 4));
    expect(await kept(fewRuns), 'days removes the one older than 7 days').toEqual(fewRuns.slice(0, 2));
  });

  it('lets a job override one dimension and takes the server default for the other', async () => {
    // Own days 2, the server's count 4.
    const shortDays = await addJob('short-days', { days: 2, count: null });
    const halfDays = await finishedRuns(shortDays, daysAgo(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5));
    // Own count 9, the server's days 7.
    const bigCount = await addJob('big-count', { days: null, count: 9 });
    const daily = await finishedRuns(bigCount, daysAgo(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));

    await pruner({ days: 7, count: 4 }).prune();

    expect(await kept(halfDays), "the server's count cuts below the job's days").toEqual(
      halfDays.slice(0, 4),
    );
    expect(await kept(daily), "the server's days cut below the job's count").toEqual(daily.slice(0, 8));
  });

  it('never removes pending or running runs, however old', async () => {
    const job = await addJob('open', { days: 1, count: 1 });
    const old = NOW - 40 * DAY;
    const pending = pendingRun(job, 'manual', old, old, 365 * 86_400);
    const running = pendingRun(job, 'manual', old + 1, old + 1, 365 * 86_400);
    await store.runs.insertRuns([pending, running]);
    await store.runs.recordDeliveries([
      {
        runId: running.id,
        attempt: { n: 1, member: 'http://m', sentAt: old + 1, httpStatus: 202, error: null, latencyMs: 1 },
        outcome: { kind: 'accepted', member: 'http://m', at: old + 1 },
      },
    ]);
    const finished = await finishedRuns(job, daysAgo(30, 20, 10, 0));

    const summary = await pruner(NO_LIMITS).prune();

    expect(summary.runs).toBe(3);
    expect(await store.runs.find(pending.id)).toMatchObject({ status: 'pending' });
    expect(await store.runs.find(running.id)).toMatchObject({ status: 'running' });
    expect(await store.runs.attempts(running.id), 'an open run keeps its attempts').toHaveLength(1);
    expect(await kept(finished)).toEqual(finished.slice(3));
  });

  it('removes attempts and progress events with their run, leaving no orphans', async () => {
    const job = await addJob('children', { days: 5, count: null });
    const runs: NewRun[] = [];
    for (const age of [10, 9, 8, 1]) {
      const at = NOW - age * DAY;
      const run = pendingRun(job, 'manual', at, at, 86_400);
      runs.push(run);
      await store.runs.insertRuns([run]);
      await store.runs.recordDeliveries([
        {
          runId: run.id,
          attempt: { n: 1, member: 'http://a', sentAt: at, httpStatus: 500, error: 'HTTP 500', latencyMs: 2 },
          outcome: { kind: 'retry_later', nextAttemptAt: at + 1 },
        },
        {
          runId: run.id,
          attempt: { n: 2, member: 'http://b', sentAt: at + 1, httpStatus: 202, error: null, latencyMs: 2 },
          outcome: { kind: 'accepted', member: 'http://b', at: at + 1 },
        },
      ]);
      expect(await store.reports.recordProgress(run.id, { progress: 50, log: ['half'] }, at + 2)).toBe('ok');
      expect(
        await store.reports.recordResult(
          run.id,
          { status: 'succeeded', message: null, output: null },
          at + 3,
        ),
      ).toBe('accept');
    }

    expect((await pruner(NO_LIMITS).prune()).runs).toBe(3);

    for (const run of runs.slice(0, 3)) {
      expect(await store.runs.find(run.id)).toBeNull();
      expect(await store.runs.attempts(run.id)).toEqual([]);
      expect(await store.runs.events(run.id)).toEqual([]);
    }
    const newest = runs[3]!;
    expect(await store.runs.attempts(newest.id)).toHaveLength(2);
    expect(await store.runs.events(newest.id)).toHaveLength(1);
    await withRawDatabase(async (raw) => {
      for (const table of RUN_CHILD_TABLES) {
        const orphans = await raw
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) =>
            eb.not(eb.exists(eb.selectFrom('runs').select('id').whereRef('runs.id', '=', 'run_id'))),
          )
          .executeTakeFirstOrThrow();
        expect(Number(orphans.n), `orphans in ${table}`).toBe(0);
      }
    });
  });

  it('prunes runs of a deleted job by the server limits, readable until then, then forgets the job', async () => {
    const job = await addJob('deleted', { days: 1, count: null });
    const runs = await finishedRuns(job, daysAgo(0, 1, 2, 3, 4, 5));
    expect(await store.jobs.delete(job, Date.now())).toBe(true);
    expect(await store.runs.anyRunOf('deleted'), 'history readable by the old name').toBe(job.id);

    const first = await pruner({ days: 3, count: null }).prune();

    expect(first.runs, "the deleted job's own days no longer apply").toBe(2);
    expect(await kept(runs)).toEqual(runs.slice(0, 4));
    const history = await store.runs.history(job.id, {}, 50, undefined);
    expect(history !== 'bad_cursor' && history.runs.map((r) => r.id)).toEqual(
      runs.slice(0, 4).map((r) => r.id),
    );

    const later = await pruner({ days: 3, count: null }, { now: NOW + 30 * DAY }).prune();
    expect(later).toMatchObject({ runs: 4, forgottenJobs: 1 });
    expect(await store.runs.anyRunOf(job.id)).toBeNull();
  });

  it('removes trend rollups of the minutes whose runs were removed', async () => {
    const job = await addJob('trend', { days: 2, count: null });
    const start = NOW - 3 * DAY;
    const ats: number[] = [];
    for (let at = start; at < NOW; at += 30_000) ats.push(at);
    await finishedRuns(job, ats);
    const before = await store.trend.trend(job.id, start, NOW, NOW);
    expect(before.bucketMs, 'long enough to be served from rollups').not.toBeNull();
    const cutoff = NOW - 2 * DAY;
    expect(before.points.some((p) => p.at < cutoff)).toBe(true);
    expect(await countTrendMinutes(job.id, cutoff)).toBeGreaterThan(0);

    const summary = await pruner(NO_LIMITS).prune();

    expect(summary.runs).toBe(DAY / 30_000);
    expect(summary.trendMinutes).toBe(DAY / 60_000);
    expect(await countTrendMinutes(job.id, cutoff)).toBe(0);
    const after = await store.trend.trend(job.id, start, NOW, NOW);
    expect(after.points.length).toBeGreaterThan(0);
    expect(after.points.every((p) => p.at >= cutoff)).toBe(true);
  });

  it('removes in batches: a batch size of 2 removes all 11 outgrown runs of a job, and pages through jobs', async () => {
    const big = await addJob('big', { days: 1, count: null });
    const bigRuns = await finishedRuns(big, daysAgo(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    const others = [await addJob('other-a', { days: 1, count: null }), await addJob('other-b')];
    for (const other of others) await finishedRuns(other, daysAgo(0, 2));
    const metrics = createMetrics();
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });

    const summary = await pruner({ days: 1, count: null }, { batchSize: 2, metrics, log }).prune();

    expect(summary).toEqual<PruneSummary>({
      runs: 13,
      jobs: 3,
      batches: 8,
      trendMinutes: 0,
      forgottenJobs: 0,
    });
    expect(await kept(bigRuns)).toEqual(bigRuns.slice(0, 1));
    expect((await metrics.runsPruned.get()).values[0]?.value).toBe(13);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; runs?: number });
    expect(logged.filter((l) => l.msg === 'retention: pruned run history')).toMatchObject([{ runs: 13 }]);

    lines.length = 0;
    expect((await pruner({ days: 1, count: null }, { batchSize: 2, log }).prune()).runs).toBe(0);
    expect(lines, 'no line for a pass that removed nothing').toEqual([]);
  });

  it('starts and stops idempotently, prunes on its timer, and stops pruning once stopped', async () => {
    const job = await addJob('timed', { days: 1, count: null });
    const [old] = await finishedRuns(job, daysAgo(5));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const retention = pruner(NO_LIMITS, { intervalMs: 5 });
    retention.start();
    retention.start();
    await waitFor(async () => (await store.runs.find(old!.id)) === null, 'the timed pass to prune');
    await Promise.all([retention.stop(), retention.stop()]);
    await retention.stop();
    // The PostgreSQL pool keeps idle-client timers of its own; SQLite has none to blur the count.
    if (dialect === 'sqlite') expect(timers(), 'no timer left behind').toBeLessThanOrEqual(before);
    const [later] = await finishedRuns(job, daysAgo(6));
    await sleep(50);
    expect(await store.runs.find(later!.id), 'nothing pruned after stop').not.toBeNull();
  });

  async function withRawDatabase(fn: (raw: Kysely<Database>) => Promise<void>): Promise<void> {
    const raw = openDatabase({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    try {
      await fn(raw.db);
    } finally {
      await raw.close();
    }
  }

  async function countTrendMinutes(jobId: string, before: number): Promise<number> {
    let n = 0;
    await withRawDatabase(async (raw) => {
      const row = await raw
        .selectFrom('trend_minutes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('job_id', '=', jobId)
        .where('minute', '<', before)
        .executeTakeFirstOrThrow();
      n = Number(row.n);
    });
    return n;
  }
});

describe.each(DIALECTS)('the retention job field on %s', (dialect) => {
  let tc: TestCenter;
  const valid = {
    name: 'kept',
    schedule: { cron: '0 0 * * *' },
    target: { group: 'workers', path: '/x' },
  };
  type Err = { error: { code: string; message: string; field?: string } };

  beforeAll(async () => {
    tc = await startCenter(dialect);
    expect((await tc.api('POST', '/api/v1/worker-groups', { name: 'workers' })).status).toBe(201);
  });
  afterAll(() => tc?.close());

  it.each([
    ['days 0', { days: 0 }, 'retention.days'],
    ['negative days', { days: -3 }, 'retention.days'],
    ['fractional days', { days: 1.5 }, 'retention.days'],
    ['days as a string', { days: '30' }, 'retention.days'],
    ['days past 100 years', { days: 36_501 }, 'retention.days'],
    ['count 0', { count: 0 }, 'retention.count'],
    ['count as a string', { count: '10' }, 'retention.count'],
    ['an unknown limit', { weeks: 2 }, 'retention.weeks'],
    ['not an object', 30, 'retention'],
  ])('refuses %s with a 400 naming the field', async (_label, retention, field) => {
    const res = await tc.api<Err>('POST', '/api/v1/jobs', { ...valid, retention });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', field });
    expect(res.body.error.message.startsWith(`${field}: `)).toBe(true);
    expect((await tc.api('GET', '/api/v1/jobs/kept')).status, 'nothing written').toBe(404);
  });

  it('stores, returns and replaces the retention of a job', async () => {
    type View = { retention: JobRetention | null };
    const created = await tc.api<View>('POST', '/api/v1/jobs', { ...valid, retention: { days: 30 } });
    expect(created.status).toBe(201);
    expect(created.body.retention).toEqual({ days: 30, count: null });
    expect((await tc.api<View>('GET', '/api/v1/jobs/kept')).body.retention).toEqual({
      days: 30,
      count: null,
    });

    const replaced = await tc.api<View>('PUT', '/api/v1/jobs/kept', {
      ...valid,
      retention: { days: 7, count: 10_000 },
    });
    expect(replaced.status).toBe(200);
    expect((await tc.api<View>('GET', '/api/v1/jobs/kept')).body.retention).toEqual({
      days: 7,
      count: 10_000,
    });

    await tc.api('PUT', '/api/v1/jobs/kept', { ...valid, retention: { days: null, count: 50 } });
    expect((await tc.api<View>('GET', '/api/v1/jobs/kept')).body.retention).toEqual({
      days: null,
      count: 50,
    });

    for (const none of [null, {}, { days: null, count: null }, undefined]) {
      await tc.api('PUT', '/api/v1/jobs/kept', { ...valid, retention: none });
      expect(
        (await tc.api<View>('GET', '/api/v1/jobs/kept')).body.retention,
        JSON.stringify(none),
      ).toBeNull();
    }
    const list = await tc.api<{ items: View[] }>('GET', '/api/v1/jobs');
    expect(list.body.items[0]).toHaveProperty('retention', null);
  });

  it('describes the field in the OpenAPI document', async () => {
    const doc = await tc.api<string>('GET', '/api/v1/openapi.json');
    const text = JSON.stringify(doc.body);
    expect(text).toContain('"retention"');
    expect(text).toContain('36500');
  });
});
