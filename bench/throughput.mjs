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

export const usage = `npm run bench -- throughput [--jobs auto|N] [--seconds 30] [--db sqlite|postgres]
  [--warmup 10] [--ceiling-seconds 5] [--save]
--jobs auto (default): max(10,000, half the measured ceiling), so the offer exceeds what one process can send.`;

export function flags(argv) {
  return parseFlags(argv, { warmup: { type: 'string' }, 'ceiling-seconds': { type: 'string' } });
}

export function hardTimeoutMs(f) {
  const jobs = f.jobs === undefined || f.jobs === 'auto' ? 40_000 : num(f.jobs);
  return (180 + jobs / 200 + num(f.seconds, 30) + num(f.warmup, 10) + 60) * 1000;
}

const TARGET_RATIO = 0.25;

export async function run(f) {
  const seconds = num(f.seconds, 30);
  const warmup = num(f.warmup, 10);
  const worker = await startWorker({ record: false });
  log(`throughput: measuring the undici ceiling (${num(f['ceiling-seconds'], 5)} s, concurrency 16)`);
  const ceiling = await measureCeiling(worker.url, {
    seconds: num(f['ceiling-seconds'], 5),
    concurrency: 16,
  });
  const n =
    f.jobs === undefined || f.jobs === 'auto'
      ? Math.max(10_000, Math.round(ceiling.reqPerSec / 2000) * 1000)
      : num(f.jobs);
  log(`throughput: ceiling ${ceiling.reqPerSec} req/s; offering ${n} fires/s on ${f.db}`);

  const store = await scratchStore('throughput', f.db);
  const repo = await openBenchStore(store);
  const t0 = performance.now();
  await insertGroup(repo, 'bench', [worker.url]);
  await insertJobs(repo, n, (i) => makeJob(`t-${String(i).padStart(6, '0')}`));
  await repo.close();
  log(`throughput: ${n} jobs written in ${Math.round(performance.now() - t0)} ms; starting jobcenter`);

  const jc = await startJobCenter({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    logLevel: 'warn',
    config: { shutdownGraceMs: 5_000 },
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
  await worker.stop();

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
  const ratio = perSec / ceiling.reqPerSec;
  const result = {
    db: f.db,
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
    saturated: perSec < 0.95 * n,
    completionDelayMs: { p50: d.p50, p99: d.p99, max: d.max },
    ceiling,
    ratioToCeiling: round(ratio, 3),
    target: `≥ ${TARGET_RATIO * 100} % of the ceiling (on SQLite)`,
    pass: ratio >= TARGET_RATIO,
    cpuPct,
    jobcenterPeakRssMb: peakRss,
    jobcenterWarnings: jc.problems.length,
    jobcenterWarningSample: jc.problems.slice(0, 3).map((p) => p.msg),
  };
  table(
    `throughput — JobCenter on ${f.db}, ${n} jobs every second, ${seconds} s window after ${warmup} s`,
    [
      'offered/s',
      'fires written/s',
      'triggers recv/s',
      'succeeded/s',
      'ceiling req/s',
      'ratio',
      'target',
      'pass',
    ],
    [
      [
        n,
        result.firesWrittenPerSec,
        result.triggersReceivedPerSec,
        perSec,
        ceiling.reqPerSec,
        `${round(ratio * 100)} %`,
        '≥ 25 %',
        result.pass ? 'yes' : 'NO',
      ],
    ],
  );
  table(
    'throughput — side figures',
    [
      'finished by status',
      'unfinished at end',
      'fire→stored p50/p99 ms',
      'JC CPU %',
      'worker CPU %',
      'PG (this DB) CPU %',
      'JC peak RSS MB',
    ],
    [
      [
        Object.entries(byStatus)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        result.unfinishedAtWindowEnd,
        `${d.p50}/${d.p99}`,
        cpuPct.jobcenter,
        cpuPct.worker,
        cpuPct.postgresDb ?? null,
        peakRss,
      ],
    ],
  );
  emit(f, 'throughput', result);
}
