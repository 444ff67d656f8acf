/**
 * precision: N jobs on `* * * * * *`, one trivial keep-alive worker in its
 * own process, JobCenter in its own process (the CLI). Counts S whole
 * seconds after a warm-up and reports lateness (worker receipt −
 * scheduledAt), expected vs received fires, duplicates and misses, plus the
 * raw undici ceiling measured in the same run and the target derived from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuWindow,
  emit,
  log,
  memMb,
  num,
  onCleanup,
  parseFlags,
  pMap,
  round,
  scratchStore,
  sleep,
  storeQuery,
  summary,
  table,
  tempDir,
} from './lib/common.mjs';
import { insertGroup, insertJobs, makeJob, openBenchStore } from './lib/jobs.mjs';
import { createGroup, measureBurstFloor, measureCeiling, startJobCenter, startWorker } from './lib/procs.mjs';

export const usage = `npm run bench -- precision [--jobs 100[,1000,10000]] [--seconds 60] [--db sqlite|postgres]
  [--warmup 3] [--grace 5] [--create-concurrency 20] [--ceiling-seconds 5] [--floor-seconds 10] [--no-floor] [--setup api|store] [--period s|m]
  [--routing random|first|round_robin|least_busy|broadcast] [--members 1] [--alerts none|ok|hang] [--save]
--period m: jobs on '* * * * *' (every minute) instead of every second; --seconds (default 120) then counts
whole minutes, warm-up defaults to 1 s and grace to 10 s (the peers' minute runs use the same margin).
--setup api (default) creates the jobs through POST /api/v1/jobs while the server runs; store writes them
into the database before it starts (for when the API stalls under the firing load).
--members M starts M trivial workers (each its own process) in the group; --routing broadcast then sends
every fire to every member as one shard each, and lateness is reported per shard (member).
--alerts ok|hang: the worker fails every run and every failure alerts a webhook channel (window 1 ms),
answered at once (ok) or never (hang): the lateness compared with --alerts none shows what alerting costs the fires.
Each N in --jobs is a separate case with a fresh database, worker(s) and JobCenter.`;

export function flags(argv) {
  return parseFlags(argv, {
    warmup: { type: 'string' },
    grace: { type: 'string' },
    'create-concurrency': { type: 'string' },
    'ceiling-seconds': { type: 'string' },
    'floor-seconds': { type: 'string' },
    'no-floor': { type: 'boolean' },
    setup: { type: 'string' },
    period: { type: 'string' },
    routing: { type: 'string' },
    alerts: { type: 'string' },
    members: { type: 'string' },
  });
}

function jobsList(f) {
  // "100,1000,10000" is a list; "1,000" alone is one thousand. Accept both: split on commas
  // only when every part is a plausible N on its own (not a 3-digit thousands group).
  const raw = String(f.jobs ?? '100');
  const parts = raw.split(',');
  if (parts.length > 1 && parts.slice(1).every((p) => /^\d{3}$/.test(p))) return [num(raw)];
  return parts.map((p) => num(p));
}

/** Period, cron, counted window, warm-up and grace: per second (default) or per minute (--period m). */
function timing(f) {
  const minute = f.period === 'm';
  if (f.period !== undefined && !['s', 'm'].includes(f.period)) throw new Error('--period must be s or m');
  const periodMs = minute ? 60_000 : 1000;
  const seconds = num(f.seconds, minute ? 120 : 60);
  if ((seconds * 1000) % periodMs !== 0)
    throw new Error(`--seconds must be a multiple of ${periodMs / 1000}`);
  return {
    periodMs,
    cron: minute ? '* * * * *' : '* * * * * *',
    seconds,
    warmup: num(f.warmup, minute ? 1 : 3),
    grace: num(f.grace, minute ? 10 : 5),
  };
}

export function hardTimeoutMs(f) {
  const t = timing(f);
  let ms = 60_000;
  for (const n of jobsList(f)) {
    ms += (180 + setupBudgetMs(n) / 1000 + t.seconds + t.periodMs / 1000 + t.grace + 60) * 1000;
  }
  return ms;
}

/** How long creating N jobs through the API may take before the case is given up. */
const setupBudgetMs = (n) => (60 + n / 50) * 1000;

/** The latency target for N jobs, given the ceiling in requests per second. */
export function targetP99(n, ceilingPerSec) {
  const formula = 1.5 * (n / (ceilingPerSec / 1000)) + 5;
  if (n <= 100) return { ms: 10, rule: 'p99 ≤ 10 ms (N ≤ 100)', formulaMs: round(formula) };
  if (n >= 10_000) return { ms: 1000, rule: 'p99 ≤ 1 s (N ≥ 10,000)', formulaMs: round(formula) };
  return { ms: round(formula), rule: 'p99 ≤ 1.5 × N ÷ ceiling(req/ms) + 5 ms', formulaMs: round(formula) };
}

/** A webhook receiver for the alerting comparison: answers at once, or never (`hang`). Counts requests. */
async function startHook(hang) {
  const { createServer } = await import('node:http');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    if (!hang) req.on('end', () => res.end('ok'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${server.address().port}/hook`, requests: () => requests };
}

/** Alert messages by status (one page of 500 is enough to see how sending goes). */
async function alertMessageStatuses(jc) {
  const res = await jc.api('GET', '/alerts?limit=500', undefined, { timeoutMs: 10_000 }).catch(() => null);
  const counts = {};
  for (const m of res?.body?.items ?? []) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
}

async function createHookChannel(jc, url) {
  const res = await jc.api('POST', '/alert-channels', {
    name: 'bench-hook',
    type: 'webhook',
    config: { url },
    secret: { secret: 'bench-webhook-secret-0123456789' },
  });
  if (res.status !== 201)
    throw new Error(`creating the bench webhook channel: ${res.status} ${JSON.stringify(res.body)}`);
}

async function runCase(f, n, ceiling) {
  const { periodMs: P, cron, seconds, warmup, grace } = timing(f);
  const concurrency = num(f['create-concurrency'], 20);
  const setup = f.setup ?? 'api';
  const store = await scratchStore('precision', f.db);
  const routing = f.routing ?? 'random';
  const alerts = f.alerts ?? 'none';
  if (!['none', 'ok', 'hang'].includes(alerts)) throw new Error('--alerts must be none, ok or hang');
  const workers = await Promise.all(
    Array.from({ length: Math.max(1, num(f.members, 1)) }, () =>
      startWorker({ record: true, fail: alerts !== 'none' }),
    ),
  );
  const hook = alerts === 'none' ? null : await startHook(alerts === 'hang');
  const alertConfig = hook
    ? { alertWindowMs: 1, alertDefaults: { on: ['failed'], recipients: ['channel:bench-hook'] } }
    : {};
  const worker = workers[0];
  const urls = workers.map((w) => w.url);
  const ids = new Array(n);
  let created = 0;
  let setupError = null;
  let jc;
  const t0 = performance.now();
  if (setup === 'store') {
    // Written straight into the store before the server starts (when the API cannot keep up).
    const repo = await openBenchStore(store);
    await insertGroup(repo, 'bench', urls);
    await insertJobs(repo, n, (i) => {
      const job = makeJob(`p-${String(i).padStart(6, '0')}`, {
        schedule: { cron, timezone: 'UTC' },
        routing,
      });
      ids[i] = job.id;
      return job;
    });
    await repo.close();
    created = n;
    jc = await startJobCenter({
      dataDir: store.dataDir,
      databaseUrl: store.databaseUrl,
      logLevel: 'warn',
      config: alertConfig,
    });
    if (hook) await createHookChannel(jc, hook.url);
  } else {
    jc = await startJobCenter({
      dataDir: store.dataDir,
      databaseUrl: store.databaseUrl,
      logLevel: 'warn',
      config: alertConfig,
    });
    if (hook) await createHookChannel(jc, hook.url);
    await createGroup(jc, 'bench', urls);
    log(`precision N=${n} on ${f.db}: creating jobs through the API (${concurrency} in flight)`);
    try {
      const budgetMs = setupBudgetMs(n);
      await pMap(n, concurrency, async (i) => {
        if (performance.now() - t0 > budgetMs)
          throw new Error(`setup budget of ${budgetMs / 1000} s exceeded`);
        const res = await jc.api('POST', '/jobs', {
          name: `p-${String(i).padStart(6, '0')}`,
          schedule: { cron, timezone: 'UTC' },
          target: { group: 'bench', path: '/run' },
          routing,
        });
        if (res.status !== 201) throw new Error(`POST /jobs: ${res.status} ${JSON.stringify(res.body)}`);
        ids[i] = res.body.id;
        created++;
      });
    } catch (err) {
      setupError = `${err?.name ?? 'Error'}: ${err?.message ?? err} after ${created} jobs in ${Math.round(performance.now() - t0)} ms`;
    }
  }
  const setupMs = performance.now() - t0;
  if (setupError) {
    log(`precision N=${n}: setup failed: ${setupError}`);
    await jc.stop();
    await Promise.all(workers.map((w) => w.stop()));
    return {
      n,
      db: f.db,
      setup,
      setupError,
      created,
      setupMs: Math.round(setupMs),
      latencyMs: {},
      cpuPct: {},
      stages: { firedLateMs: {}, sentLateMs: {} },
      perSecondMs: {},
      target: targetP99(n, ceiling.reqPerSec),
      pass: false,
    };
  }
  const armedAt = Date.now();
  const firstInstant = Math.floor((armedAt + warmup * 1000) / P) * P + P;
  const lastInstant = firstInstant + ((seconds * 1000) / P - 1) * P;
  log(
    `precision N=${n}: ${n} jobs in ${Math.round(setupMs)} ms; counting ${seconds} s from ${new Date(firstInstant).toISOString()}`,
  );

  await sleep(firstInstant - Date.now());
  const cpu = cpuWindow({ jobcenter: jc.pid, worker: worker.pid, driver: process.pid }, store.dbName);
  let peakRss = 0;
  while (Date.now() < lastInstant + Math.min(P, grace * 1000)) {
    await sleep(Math.min(1000, lastInstant + Math.min(P, grace * 1000) - Date.now()));
    peakRss = Math.max(peakRss, memMb(jc.pid).rss ?? 0);
  }
  const cpuPct = cpu.stop();
  await sleep(lastInstant + grace * 1000 - Date.now());
  const mem = memMb(jc.pid);

  const overview = await jc.api('GET', '/overview', undefined, { timeoutMs: 10_000 }).catch(() => null);
  const alertStatuses = hook ? await alertMessageStatuses(jc) : null;
  const dumpDir = tempDir('precision-dump');
  const dumps = [];
  for (const [k, w] of workers.entries()) {
    const file = join(dumpDir, `receipts-${k}.tsv`);
    dumps.push({ file, ...(await w.dump(file)) });
  }
  const dumped = { count: dumps.reduce((a, d) => a + d.count, 0), bad: dumps.reduce((a, d) => a + d.bad, 0) };
  await jc.stop();
  await Promise.all(workers.map((w) => w.stop()));

  // Broadcast: every member gets its own shard of every fire, so each member's receipts are one
  // shard's; otherwise a fire reaches one member and the receipts are analysed together.
  const tsvs = dumps.map((d) => readFileSync(d.file, 'utf8'));
  const shards =
    routing === 'broadcast'
      ? tsvs.map((tsv, index) => Object.assign(analyse(tsv, ids, firstInstant, lastInstant, P), { index }))
      : null;
  const stats = shards
    ? combineShards(shards)
    : analyse(tsvs.filter((t) => t.length > 0).join('\n'), ids, firstInstant, lastInstant, P);
  const stages = await stagesFromDb(store, firstInstant, lastInstant);
  const target = targetP99(n, ceiling.reqPerSec);
  const pass =
    stats.misses === 0 &&
    stats.duplicates === 0 &&
    stats.latencyMs.p99 !== null &&
    stats.latencyMs.p99 <= target.ms;
  return {
    n,
    db: f.db,
    setup,
    cron,
    seconds,
    warmupS: warmup,
    graceS: grace,
    setupMs: Math.round(setupMs),
    createPerSec: Math.round((n / setupMs) * 1000),
    routing,
    members: workers.length,
    alerts,
    ...(hook ? { alertRequests: hook.requests(), alertMessages: alertStatuses } : {}),
    ...stats,
    ...(shards
      ? {
          shards: shards.map((sh) => ({
            index: sh.index,
            misses: sh.misses,
            duplicates: sh.duplicates,
            latencyMs: sh.latencyMs,
          })),
        }
      : {}),
    workerReceived: dumped.count,
    workerBadBodies: dumped.bad,
    cpuPct,
    jobcenterRssMb: mem.rss,
    jobcenterPeakRssMb: Math.max(peakRss, mem.hwm ?? 0),
    stages,
    runs24h: overview?.body?.runs24h ?? null,
    jobcenterWarnings: jc.problems.length,
    jobcenterWarningSample: jc.problems.slice(0, 3).map((p) => p.msg),
    target: { p99Ms: target.ms, rule: target.rule, formulaMs: target.formulaMs },
    pass,
  };
}

/** The shards' figures as one case: counts summed, lateness over every shard's receipts. */
function combineShards(shards) {
  const sum = (k) => shards.reduce((a, s) => a + (s[k] ?? 0), 0);
  const all = shards.flatMap((s) => s.latencies);
  const s = summary(all);
  const first = shards[0];
  return {
    ...first,
    expected: sum('expected'),
    receivedInWindow: sum('receivedInWindow'),
    misses: sum('misses'),
    duplicates: sum('duplicates'),
    duplicatesInWindow: sum('duplicatesInWindow'),
    receivedTotal: sum('receivedTotal'),
    retries: sum('retries'),
    latencyMs: {
      min: round(s.min, 2),
      p50: round(s.p50, 2),
      p95: round(s.p95, 2),
      p99: round(s.p99, 2),
      max: round(s.max, 2),
      mean: round(s.mean, 2),
    },
  };
}

/**
 * Where the lateness goes, from the stored runs of the counted window:
 * timer = createdAt − scheduledAt (the tick that wrote the fire started), sent =
 * first attempt's sentAt − scheduledAt (after the fire was written; it is also
 * the run's firedAt); and the runs' statuses.
 */
async function stagesFromDb(store, firstInstant, lastInstant) {
  const rows = await storeQuery(
    store,
    `SELECT r.scheduled_at AS s, r.created_at AS f, a.sent_at AS sent, r.status AS status
       FROM runs r LEFT JOIN attempts a ON a.run_id = r.id AND a.n = 1
      WHERE r.scheduled_at >= ? AND r.scheduled_at <= ? AND r.trigger = 'schedule'`,
    [firstInstant, lastInstant],
  );
  const timer = [];
  const sent = [];
  const byStatus = {};
  for (const r of rows) {
    const s = Number(r.s);
    if (r.f !== null) timer.push(Number(r.f) - s);
    if (r.sent !== null) sent.push(Number(r.sent) - s);
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  }
  const pick = (v) => {
    const x = summary(v);
    return { p50: x.p50, p99: x.p99, max: x.max };
  };
  return { runsInWindow: rows.length, byStatus, firedLateMs: pick(timer), sentLateMs: pick(sent) };
}

/** Receipts → expected/received, misses, duplicates and lateness of each (job, second)'s first receipt. */
export function analyse(tsv, ids, firstInstant, lastInstant, P = 1000) {
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const instants = (lastInstant - firstInstant) / P + 1;
  const rows = tsv.length ? tsv.split('\n') : [];
  let minS = Number.POSITIVE_INFINITY;
  let maxS = Number.NEGATIVE_INFINITY;
  const parsed = new Array(rows.length);
  let unknownJob = 0;
  let notWholeSecond = 0;
  for (let k = 0; k < rows.length; k++) {
    const [jobId, s, r, runId, attempt] = rows[k].split('\t');
    const i = index.get(jobId);
    const sched = Number(s);
    if (i === undefined) {
      unknownJob++;
      continue;
    }
    if (sched % P !== 0) {
      notWholeSecond++;
      continue;
    }
    parsed[k] = { i, sched, recv: Number(r), runId, attempt: Number(attempt) };
    if (sched < minS) minS = sched;
    if (sched > maxS) maxS = sched;
  }
  // Duplicates over every receipt (also outside the window): same job and scheduledAt twice.
  const span = Number.isFinite(minS) ? (maxS - minS) / P + 1 : 0;
  const all = new Uint8Array(n * span);
  const inWindow = new Uint8Array(n * instants);
  const lateness = [];
  const firstBySecond = new Array(instants);
  const lastBySecond = new Array(instants);
  let duplicates = 0;
  let duplicatesInWindow = 0;
  let early = 0;
  let before = 0;
  let after = 0;
  let retries = 0;
  let received = 0;
  for (const p of parsed) {
    if (!p) continue;
    received++;
    if (p.attempt > 1) retries++;
    const g = p.i * span + (p.sched - minS) / P;
    if (all[g]) duplicates++;
    else all[g] = 1;
    if (p.sched < firstInstant) {
      before++;
      continue;
    }
    if (p.sched > lastInstant) {
      after++;
      continue;
    }
    const slot = p.i * instants + (p.sched - firstInstant) / P;
    if (inWindow[slot]) {
      duplicatesInWindow++;
      continue;
    }
    inWindow[slot] = 1;
    const l = p.recv - p.sched;
    if (l < 0) early++;
    lateness.push(l);
    const sec = (p.sched - firstInstant) / P;
    if (!(l >= firstBySecond[sec])) firstBySecond[sec] = l;
    if (!(l <= lastBySecond[sec])) lastBySecond[sec] = l;
  }
  const s = summary(lateness);
  const first = summary(firstBySecond.filter((x) => x !== undefined));
  const spread = summary(lastBySecond.map((x, k) => x - firstBySecond[k]).filter((x) => !Number.isNaN(x)));
  const expected = n * instants;
  const out = {
    instants,
    expected,
    receivedInWindow: lateness.length,
    misses: expected - lateness.length,
    duplicates,
    duplicatesInWindow,
    receivedTotal: received,
    beforeWindow: before,
    afterWindow: after,
    unknownJob,
    notWholeSecond,
    retries,
    earlyFires: early,
    // Per counted second: when its first trigger arrived, and how long until its last one did.
    perSecondMs: {
      firstArrivalP50: round(first.p50, 2),
      firstArrivalMax: round(first.max, 2),
      spreadP50: round(spread.p50, 2),
      spreadMax: round(spread.max, 2),
    },
    latencyMs: {
      min: round(s.min, 2),
      p50: round(s.p50, 2),
      p95: round(s.p95, 2),
      p99: round(s.p99, 2),
      max: round(s.max, 2),
      mean: round(s.mean, 2),
    },
  };
  // The raw lateness, for combining shards; not part of the printed JSON.
  Object.defineProperty(out, 'latencies', { value: lateness, enumerable: false });
  return out;
}

const pair = (x) => (x?.p50 === undefined ? null : `${x.p50}/${x.p99}`);

export async function run(f) {
  const list = jobsList(f);
  log(`precision: measuring the undici ceiling (${num(f['ceiling-seconds'], 5)} s, concurrency 16)`);
  const ceilWorker = await startWorker({ record: false });
  const ceiling = await measureCeiling(ceilWorker.url, {
    seconds: num(f['ceiling-seconds'], 5),
    concurrency: 16,
  });
  await ceilWorker.stop();
  log(`precision: ceiling ${ceiling.reqPerSec} req/s`);

  const cases = [];
  for (const n of list) cases.push(await runCase(f, n, ceiling));
  // The same load without JobCenter: undici alone, bursts of N at whole seconds (only for the
  // per-second period; its p99 is the floor any scheduler in this process layout can reach).
  const floors = [];
  if (timing(f).periodMs === 1000 && !f['no-floor']) {
    for (const n of list) {
      log(`precision: raw burst floor for N=${n}`);
      floors.push(await measureBurstFloor(n, { seconds: num(f['floor-seconds'], 10) }));
    }
  }

  table(
    `precision — JobCenter on ${f.db}, '${timing(f).cron}' jobs, lateness = worker receipt − scheduledAt (ms)`,
    [
      'N',
      'seconds',
      'expected',
      'received',
      'misses',
      'dups',
      'p50',
      'p99',
      'max',
      'target p99',
      'pass',
      'JC CPU %',
      'JC RSS MB',
    ],
    cases.map((c) => [
      c.n,
      c.seconds,
      c.expected,
      c.receivedInWindow,
      c.misses,
      c.duplicates,
      c.latencyMs.p50,
      c.latencyMs.p99,
      c.latencyMs.max,
      c.target.p99Ms,
      c.pass ? 'yes' : 'NO',
      c.cpuPct.jobcenter,
      c.jobcenterRssMb,
    ]),
  );
  table(
    'precision — side costs',
    [
      'N',
      'create jobs ms',
      'jobs/s',
      'tick−sched p50/p99',
      '1st arrival p50',
      'spread p50',
      'sent−sched p50/p99',
      'worker CPU %',
      'PG (this DB) CPU %',
      'host busy %',
      'retries',
      'JC warnings',
    ],
    cases.map((c) => [
      c.n,
      c.setupMs,
      c.createPerSec,
      pair(c.stages.firedLateMs),
      c.perSecondMs.firstArrivalP50,
      c.perSecondMs.spreadP50,
      pair(c.stages.sentLateMs),
      c.cpuPct.worker,
      c.cpuPct.postgresDb ?? null,
      c.cpuPct.hostBusyOfAllCores,
      c.retries,
      c.jobcenterWarnings,
    ]),
  );
  table(
    'raw HTTP ceiling (undici Pool.request → trivial node:http worker, same box)',
    ['concurrency', 'req/s', 'p50 ms', 'p99 ms', 'client CPU %', 'N=1000 target p99 ms'],
    [
      [
        ceiling.concurrency,
        ceiling.reqPerSec,
        ceiling.p50Ms,
        ceiling.p99Ms,
        ceiling.clientCpuPct,
        targetP99(1000, ceiling.reqPerSec).ms,
      ],
    ],
  );
  for (const c of cases.filter((x) => x.shards)) {
    table(
      `precision — N=${c.n}, routing ${c.routing}: lateness per shard (member), ms`,
      ['shard', 'misses', 'dups', 'p50', 'p95', 'p99', 'max'],
      c.shards.map((sh) => [
        sh.index,
        sh.misses,
        sh.duplicates,
        sh.latencyMs.p50,
        sh.latencyMs.p95,
        sh.latencyMs.p99,
        sh.latencyMs.max,
      ]),
    );
  }
  if (floors.length > 0) {
    table(
      'raw burst floor (undici Agent alone, N requests at each whole second → the same kind of worker) vs JobCenter',
      [
        'N',
        'bursts',
        'floor p50 ms',
        'floor p99 ms',
        'floor max ms',
        'JobCenter p99 ms',
        'JobCenter ÷ floor',
      ],
      floors.map((fl) => {
        const c = cases.find((x) => x.n === fl.n);
        return [
          fl.n,
          fl.seconds,
          fl.p50Ms,
          fl.p99Ms,
          fl.maxMs,
          c?.latencyMs.p99 ?? null,
          c?.latencyMs.p99 != null && fl.p99Ms > 0 ? round(c.latencyMs.p99 / fl.p99Ms, 2) : null,
        ];
      }),
    );
  }
  emit(f, 'precision', { db: f.db, ceiling, floors, cases, pass: cases.every((c) => c.pass) });
}
