/**
 * scale: 100,000 enabled jobs drawn from 1,000 distinct (cron, time zone)
 * pairs — 5- and 6-field crons whose periods are a minute or longer, in
 * several IANA zones — written straight into the store. Then measures
 * `jobcenter serve` (logLevel info, its own process): start-up time until it
 * answers /api/v1/healthz AND has logged 'scheduler active', its RSS after
 * start-up, idle CPU over 30 s, and a few API calls at that size.
 */
import { get } from 'node:http';
import {
  cpuMs,
  emit,
  log,
  memMb,
  num,
  parseFlags,
  round,
  scratchStore,
  sleep,
  summary,
  table,
} from './lib/common.mjs';
import { insertGroup, insertJobs, makeJob, openBenchStore } from './lib/jobs.mjs';
import { freePort, startJobCenter, startWorker } from './lib/procs.mjs';

export const usage = `npm run bench -- scale [--jobs 100000] [--pairs 1000] [--idle-seconds 30] [--db sqlite|postgres] [--save]`;

export function flags(argv) {
  return parseFlags(argv, { pairs: { type: 'string' }, 'idle-seconds': { type: 'string' } });
}

export function hardTimeoutMs(f) {
  return (300 + num(f.jobs, 100_000) / 500 + num(f['idle-seconds'], 30) + 60) * 1000;
}

const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Australia/Sydney',
  'America/Los_Angeles',
  'Europe/London',
  'Asia/Tokyo',
  'America/Sao_Paulo',
];

/** A small deterministic PRNG, so every run schedules the same set. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct (cron, zone) pairs; every cron fires at most once a minute, most far less often. */
export function schedulePairs(count) {
  const rnd = prng(42);
  const int = (n) => Math.floor(rnd() * n);
  const shapes = [
    () => `${int(60)} ${int(24)} * * *`, // daily
    () => `${int(60)} */${[2, 3, 4, 6, 8, 12][int(6)]} * * *`, // every few hours
    () => `${int(60)} ${int(24)} * * ${['1-5', '0', '6', '1', '3,5'][int(5)]}`, // weekly
    () => `${int(60)} ${int(24)} ${1 + int(28)} * *`, // monthly
    () => `${int(60)} * * * *`, // hourly
    () => `*/${[5, 10, 15, 20, 30][int(5)]} * * * *`, // every few minutes
    () => `${int(60)} ${int(60)} ${int(24)} * * *`, // 6 fields: daily at a second
    () => `${int(60)} ${int(60)} */${[2, 4, 6][int(3)]} * * *`, // 6 fields: every few hours
    () => `${int(60)} */${[5, 10, 15, 30][int(4)]} * * * *`, // 6 fields: every few minutes
    () => `${int(60)} ${int(60)} ${int(24)} * * 1-5`, // 6 fields: weekdays
  ];
  const seen = new Set();
  const pairs = [];
  for (let i = 0; pairs.length < count; i++) {
    const cron = shapes[i % shapes.length]();
    const timezone = ZONES[int(ZONES.length)];
    const key = `${timezone} ${cron}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ cron, timezone });
  }
  return pairs;
}

function healthz(url) {
  return new Promise((resolve) => {
    const req = get(`${url}/api/v1/healthz`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

async function timeCalls(jc, path, count) {
  const lat = [];
  let status = null;
  for (let i = 0; i < count + 2; i++) {
    const t0 = performance.now();
    const res = await jc.api('GET', path);
    if (i >= 2) lat.push(performance.now() - t0);
    status = res.status;
  }
  const s = summary(lat);
  return { path, status, p50: round(s.p50, 1), p95: round(s.p95, 1), max: round(s.max, 1) };
}

export async function run(f) {
  const n = num(f.jobs, 100_000);
  const pairCount = Math.min(num(f.pairs, 1000), n);
  const idleSeconds = num(f['idle-seconds'], 30);
  const pairs = schedulePairs(pairCount);
  const worker = await startWorker({ record: false });
  const store = await scratchStore('scale', f.db);
  const repo = await openBenchStore(store);
  const t0 = performance.now();
  await insertGroup(repo, 'bench', [worker.url]);
  await insertJobs(repo, n, (i) => {
    const p = pairs[i % pairs.length];
    return makeJob(`s-${String(i).padStart(6, '0')}`, {
      schedule: { cron: p.cron, timezone: p.timezone },
      team: `team-${i % 50}`,
      tags: [`t${i % 7}`],
    });
  });
  await repo.close();
  const insertMs = performance.now() - t0;
  log(
    `scale: ${n} jobs (${pairs.length} schedules) written in ${Math.round(insertMs)} ms; starting jobcenter`,
  );

  const port = await freePort();
  const jc = await startJobCenter({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    logLevel: 'info',
    port,
  });
  let healthyMs = null;
  while (healthyMs === null) {
    if (await healthz(jc.url)) healthyMs = performance.now() - jc.spawnedAt;
    else await sleep(10);
    if (jc.exitCode() !== null) throw new Error(`jobcenter exited (${jc.exitCode()}):\n${jc.stderr()}`);
    if (performance.now() - jc.spawnedAt > 300_000) throw new Error('no healthz within 300 s');
  }
  const active = await jc.waitLog('scheduler active', 300_000);
  const activeMs = active._seenMs;
  const readyMs = Math.max(healthyMs, activeMs);
  const rssAtReady = memMb(jc.pid);
  const phase = (msg) => {
    const l = jc.logs.find((x) => x.msg === msg);
    return l ? Math.round(l.time - jc.spawnedAtMs) : null;
  };
  log(
    `scale: ready after ${Math.round(readyMs)} ms (healthz ${Math.round(healthyMs)}, scheduler ${Math.round(activeMs)})`,
  );

  // Idle: let start-up garbage settle for 2 s, then CPU over the idle window.
  await sleep(2000);
  const fires0 = await worker.count();
  const cpu0 = cpuMs(jc.pid);
  const w0 = performance.now();
  await sleep(idleSeconds * 1000);
  const idleCpuPct = round(((cpuMs(jc.pid) - cpu0) / (performance.now() - w0)) * 100, 2);
  const fires1 = await worker.count();
  const rssAfterIdle = memMb(jc.pid);

  const calls = [
    await timeCalls(jc, '/jobs?limit=50', 20),
    await timeCalls(jc, '/jobs?team=team-7&limit=50', 20),
    await timeCalls(jc, '/jobs?q=s-0999&limit=50', 20),
    await timeCalls(jc, '/overview', 20),
  ];
  await jc.stop();
  await worker.stop();

  const rssMb = Math.max(rssAtReady.rss ?? 0, rssAfterIdle.rss ?? 0);
  const result = {
    db: f.db,
    jobs: n,
    schedules: pairs.length,
    zones: ZONES.length,
    insertMs: Math.round(insertMs),
    startup: {
      healthzMs: Math.round(healthyMs),
      schedulerActiveMs: Math.round(activeMs),
      readyMs: Math.round(readyMs),
      loggedJobs: active.jobs ?? null,
      loggedSchedules: active.schedules ?? null,
      phasesMsAfterSpawn: {
        leaseWon: phase('scheduler lease won'),
        schedulerActive: phase('scheduler active'),
        started: phase('JobCenter started'),
      },
    },
    rssMb: {
      atReady: rssAtReady.rss,
      afterIdle: rssAfterIdle.rss,
      peak: rssAfterIdle.hwm,
      atReadyAnon: rssAtReady.anon,
      atReadyFile: rssAtReady.file,
    },
    idle: { seconds: idleSeconds, cpuPct: idleCpuPct, triggersDuringIdle: fires1.triggers - fires0.triggers },
    api: calls,
    targets: { rssMb: '< 300', startupMs: '< 5000' },
    pass: rssMb < 300 && readyMs < 5000 && active.jobs === n,
    jobcenterWarnings: jc.problems.length,
    jobcenterWarningSample: jc.problems.slice(0, 3).map((p) => p.msg),
  };
  table(
    `scale — ${n} enabled jobs, ${pairs.length} (cron, zone) pairs, JobCenter on ${f.db}`,
    [
      'start-up ms',
      'healthz ms',
      'scheduler active ms',
      'RSS MB at ready',
      'RSS MB after idle',
      'peak RSS MB',
      'idle CPU %',
      'pass',
    ],
    [
      [
        result.startup.readyMs,
        result.startup.healthzMs,
        result.startup.schedulerActiveMs,
        rssAtReady.rss,
        rssAfterIdle.rss,
        rssAfterIdle.hwm,
        idleCpuPct,
        result.pass ? 'yes' : 'NO',
      ],
    ],
  );
  table(
    'scale — API at this size (ms, sequential)',
    ['call', 'status', 'p50', 'p95', 'max'],
    calls.map((c) => [c.path, c.status, c.p50, c.p95, c.max]),
  );
  process.stdout.write(
    `targets: start-up < 5,000 ms, RSS < 300 MB; jobs inserted in ${result.insertMs} ms; ${result.idle.triggersDuringIdle} triggers fired during the idle window\n`,
  );
  emit(f, 'scale', result);
}
