/**
 * throughput: runs completed per second end to end — fire, signed trigger,
 * synchronous 200 {"status":"succeeded"} answer, result stored — with more
 * fires offered than a core can send: N jobs on `* * * * * *` (default: half
 * the measured HTTP ceiling, at least 10,000), written straight into the
 * store, then `jobcenter serve` in its own process. After a warm-up, counts
 * the runs whose status is `succeeded` and whose finishedAt falls in the
 * window (SQL on the store after the server stopped), and compares the rate
 * with the raw undici ceiling measured in the same run.
 */
import {
  cpuWindow,
  emit,
  log,
  memMb,
  num,
  parseFlags,
  round,
  scratchStore,
  sleep,
  storeQuery,
  summary,
  table,
} from './lib/common.mjs';
import { insertGroup, insertJobs, makeJob, openBenchStore } from './lib/jobs.mjs';
import { measureCeiling, startJobCenter, startWorker } from './lib/procs.mjs';

export const usage = `npm run bench -- throughput [--jobs 2000,4000,8000,16000,auto] [--seconds 20] [--db sqlite|postgres]
  [--warmup 10] [--ceiling-seconds 5] [--save]
Each N in --jobs is a case with a fresh database and server, offering N fires/s; auto = half the measured
ceiling (at least 10,000). The figure is the best succeeded/s over the cases (the sustained rate: past its
knee a saturated server may complete fewer runs than at a lower offer).`;

export function flags(argv) {
  return parseFlags(argv, { warmup: { type: 'string' }, 'ceiling-seconds': { type: 'string' } });
}

const DEFAULT_LADDER = '2000,4000,8000,16000,auto';

function ladder(f, ceiling) {
  return String(f.jobs ?? DEFAULT_LADDER)
    .split(',')
    .map((p) => (p.trim() === 'auto' ? Math.max(10_000, Math.round(ceiling / 2000) * 1000) : num(p)))
    .filter((n, i, all) => all.indexOf(n) === i);
}

export function hardTimeoutMs(f) {
  const cases = ladder(f, 60_000);
  const per = (n) => (120 + n / 200 + num(f.seconds, 20) + num(f.warmup, 10) + 30) * 1000;
  return 60_000 + cases.reduce((ms, n) => ms + per(n), 0);
}

const TARGET_RATIO = 0.25;

async function runCase(f, n, worker) {
  const seconds = num(f.seconds, 20);
  const warmup = num(f.warmup, 10);
  const store = await scratchStore('throughput', f.db);
  const repo = await openBenchStore(store);
  const t0 = performance.now();
  await insertGroup(repo, 'bench', [worker.url]);
  await insertJobs(repo, n, (i) => makeJob(`t-${String(i).padStart(6, '0')}`));
  await repo.close();
  log(
    `throughput: ${n} jobs written in ${Math.round(performance.now() - t0)} ms; starting jobcenter on ${f.db}`,
  );

  const jc = await startJobCenter({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    logLevel: 'warn',
    config: { shutdownGraceMs: 2_000 },
    stopTimeoutMs: 10_000,
  });
  const windowStart = Math.ceil((Date.now() + warmup * 1000) / 1000) * 1000;
  const windowEnd = windowStart + seconds * 1000;
  await sleep(windowStart - Date.now());
  const c0 = await worker.count();
  const cpu = cpuWindow({ jobcenter: jc.pid, worker: worker.pid }, store.dbName);
  let peakRss = 0;
  while (Date.now() < windowEnd) {
    await sleep(Math.min(1000, windowEnd - Date.now()));
    peakRss = Math.max(peakRss, memMb(jc.pid).rss ?? 0);
  }
  const c1 = await worker.count();
  const cpuPct = cpu.stop();
  const windowMs = windowEnd - windowStart;
  await jc.stop();

  const finished = await storeQuery(
    store,
    `SELECT status, count(*) AS n FROM runs WHERE finished_at >= ? AND finished_at < ? GROUP BY status`,
    [windowStart, windowEnd],
  );
  const byStatus = Object.fromEntries(finished.map((r) => [r.status, Number(r.n)]));
  const [fired] = await storeQuery(
    store,
    `SELECT count(*) AS n FROM runs WHERE trigger = 'schedule' AND scheduled_at >= ? AND scheduled_at < ?`,
    [windowStart, windowEnd],
  );
  const [open] = await storeQuery(
    store,
    `SELECT count(*) AS n FROM runs WHERE scheduled_at < ? AND (finished_at IS NULL OR finished_at >= ?)`,
    [windowEnd, windowEnd],
  );
  const delays = await storeQuery(
    store,
    `SELECT finished_at - scheduled_at AS d FROM runs WHERE status = 'succeeded' AND finished_at >= ? AND finished_at < ?`,
    [windowStart, windowEnd],
  );
  const d = summary(delays.map((r) => Number(r.d)));

  const succeeded = byStatus.succeeded ?? 0;
  const perSec = Math.round((succeeded / windowMs) * 1000);
  return {
    jobs: n,
    offeredPerSec: n,
    seconds,
    warmupS: warmup,
    succeededInWindow: succeeded,
    finishedInWindowByStatus: byStatus,
    succeededPerSec: perSec,
    triggersReceivedPerSec: Math.round(((c1.triggers - c0.triggers) / windowMs) * 1000),
    firesWrittenPerSec: Math.round((Number(fired.n) / windowMs) * 1000),
    unfinishedAtWindowEnd: Number(open.n),
    keptUp: perSec >= 0.97 * n,
    completionDelayMs: { p50: d.p50, p99: d.p99, max: d.max },
    cpuPct,
    jobcenterPeakRssMb: peakRss,
    jobcenterWarnings: jc.problems.length,
    jobcenterWarningSample: jc.problems.slice(0, 3).map((p) => p.msg),
  };
}

export async function run(f) {
  const worker = await startWorker({ record: false });
  log(`throughput: measuring the undici ceiling (${num(f['ceiling-seconds'], 5)} s, concurrency 16)`);
  const ceiling = await measureCeiling(worker.url, {
    seconds: num(f['ceiling-seconds'], 5),
    concurrency: 16,
  });
  const list = ladder(f, ceiling.reqPerSec);
  log(`throughput: ceiling ${ceiling.reqPerSec} req/s; offering ${list.join(', ')} fires/s on ${f.db}`);
  const cases = [];
  for (const n of list) cases.push(await runCase(f, n, worker));
  await worker.stop();

  const best = cases.reduce((a, c) => (c.succeededPerSec > a.succeededPerSec ? c : a), cases[0]);
  const ratio = best.succeededPerSec / ceiling.reqPerSec;
  table(
    `throughput — JobCenter on ${f.db}, N jobs every second, ${best.seconds} s window after ${best.warmupS} s warm-up`,
    [
      'offered/s',
      'fires written/s',
      'triggers recv/s',
      'succeeded/s',
      'kept up',
      'unfinished at end',
      'fire→stored p50/p99 ms',
      'JC CPU %',
      'worker CPU %',
      'PG (this DB) CPU %',
      'JC peak RSS MB',
    ],
    cases.map((c) => [
      c.offeredPerSec,
      c.firesWrittenPerSec,
      c.triggersReceivedPerSec,
      c.succeededPerSec,
      c.keptUp ? 'yes' : 'no',
      c.unfinishedAtWindowEnd,
      `${c.completionDelayMs.p50}/${c.completionDelayMs.p99}`,
      c.cpuPct.jobcenter,
      c.cpuPct.worker,
      c.cpuPct.postgresDb ?? null,
      c.jobcenterPeakRssMb,
    ]),
  );
  table(
    'throughput — best sustained rate against the raw HTTP ceiling (undici Pool.request, 16 in flight)',
    ['best succeeded/s', 'at offered/s', 'ceiling req/s', 'ratio', 'target', 'pass'],
    [
      [
        best.succeededPerSec,
        best.offeredPerSec,
        ceiling.reqPerSec,
        `${round(ratio * 100)} %`,
        `≥ ${TARGET_RATIO * 100} % (SQLite)`,
        ratio >= TARGET_RATIO ? 'yes' : 'NO',
      ],
    ],
  );
  emit(f, 'throughput', {
    db: f.db,
    ceiling,
    bestSucceededPerSec: best.succeededPerSec,
    bestAtOfferedPerSec: best.offeredPerSec,
    ratioToCeiling: round(ratio, 3),
    target: `≥ ${TARGET_RATIO * 100} % of the ceiling (on SQLite)`,
    pass: ratio >= TARGET_RATIO,
    cases,
  });
}
