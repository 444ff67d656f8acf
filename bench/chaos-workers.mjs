/**
 * chaos-workers: N every-second jobs (`routing: "random"`, `delivery:
 * "until_delivered"`) on one worker group of M members served by real worker
 * processes on 127.0.0.1. Two cases in the same run, each with a fresh
 * database and JobCenter, on the same pool: healthy (every member answers
 * 200 at once), then chaos (every few seconds a different fraction of the
 * members fails, each in its own way: 500, 409, hang past the response
 * timeout, connection refused, connection dropped, 202 without callback).
 * Reports what was recorded (fires, delivered, failed, skipped, lost),
 * duplicates (must be 0) and the scheduler's lateness in both cases.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH_DIR,
  cpuWindow,
  emit,
  log,
  memMb,
  num,
  onCleanup,
  parseFlags,
  round,
  scratchStore,
  sleep,
  storeQuery,
  summary,
  table,
  tempDir,
} from './lib/common.mjs';
import { insertGroup, insertJobs, makeJob, openBenchStore } from './lib/jobs.mjs';
import { startJobCenter } from './lib/procs.mjs';

export const usage = `npm run bench -- chaos-workers [--jobs 1000] [--seconds 60] [--members 10] [--db sqlite|postgres]
  [--procs 2] [--fail-fraction 0.2] [--rotate-seconds 5] [--response-timeout-ms 500] [--deadline-sec 3]
  [--warmup 3] [--grace S] [--save]
Two cases in one run on the same pool of members: healthy, then chaos. Each case has a fresh database
and JobCenter; jobs are written into the store before it starts. --procs worker processes serve the
--members ports between them. In chaos, every --rotate-seconds a different --fail-fraction of the
members fails (500, 409, hang, refused, drop, 202 without callback, rotating over the members).
--grace (default deadline + response timeout + 3 s) is waited after the window so that runs of the
window reach their final state (a silent member's runs are lost at --deadline-sec).`;

export function flags(argv) {
  return parseFlags(argv, {
    members: { type: 'string' },
    procs: { type: 'string' },
    'fail-fraction': { type: 'string' },
    'rotate-seconds': { type: 'string' },
    'response-timeout-ms': { type: 'string' },
    'deadline-sec': { type: 'string' },
    warmup: { type: 'string' },
    grace: { type: 'string' },
  });
}

/** The failure modes, in the order the rotation hands them out. */
export const FAILURES = ['error', 'busy', 'hang', 'refused', 'drop', 'silent'];

function settings(f) {
  const members = num(f.members, 10);
  const responseTimeoutMs = num(f['response-timeout-ms'], 500);
  const deadlineSec = num(f['deadline-sec'], 3);
  const s = {
    jobs: num(f.jobs, 1000),
    seconds: num(f.seconds, 60),
    members,
    procs: Math.max(1, Math.min(members, num(f.procs, 2))),
    failFraction: num(f['fail-fraction'], 0.2),
    rotateSeconds: num(f['rotate-seconds'], 5),
    responseTimeoutMs,
    deadlineSec,
    warmup: num(f.warmup, 3),
    grace: num(f.grace, deadlineSec + Math.ceil(responseTimeoutMs / 1000) + 3),
  };
  if (s.members < 1 || s.jobs < 1 || s.seconds < 1)
    throw new Error('--jobs, --seconds and --members must be ≥ 1');
  if (s.failFraction < 0 || s.failFraction > 1) throw new Error('--fail-fraction must be between 0 and 1');
  return s;
}

export function hardTimeoutMs(f) {
  const s = settings(f);
  const perCase = 90 + s.jobs / 100 + s.warmup + s.seconds + s.grace + 30;
  return (60 + 2 * perCase) * 1000;
}

// ---------------------------------------------------------------- the pool

function stopChild(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Forks `procs` worker processes serving `members` ports between them. */
async function startPool(members, procs) {
  const children = [];
  const urls = [];
  const per = Math.ceil(members / procs);
  for (let first = 0; first < members; first += per) {
    const n = Math.min(per, members - first);
    const child = fork(
      join(BENCH_DIR, 'lib', 'chaos-worker.mjs'),
      ['--members', String(n), '--first-index', String(first)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=2048'] },
    );
    onCleanup(() => stopChild(child, 5_000));
    const ready = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('chaos worker did not start in 10 s')), 10_000);
      child.once('message', (m) => {
        clearTimeout(t);
        resolve(m);
      });
      child.once('exit', (code) => reject(new Error(`chaos worker exited (${code}) before it was ready`)));
    });
    for (const port of ready.ports) urls.push(`http://127.0.0.1:${port}`);
    children.push(child);
  }
  const ask = (child, msg, type) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m?.type === type) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      child.send(msg);
    });
  return {
    urls,
    pids: children.map((c) => c.pid),
    /** Sets every member's mode ({index: mode}; absent members answer ok). */
    setModes: (modes) => Promise.all(children.map((c) => ask(c, { type: 'modes', modes }, 'moded'))),
    reset: () => Promise.all(children.map((c) => ask(c, { type: 'reset' }, 'reset'))),
    /** Writes every process's receipts to files in `dir`; answers the TSV text, joined. */
    async dump(dir) {
      const parts = [];
      for (const [i, c] of children.entries()) {
        const file = join(dir, `receipts-${i}.tsv`);
        const res = await ask(c, { type: 'dump', file }, 'dumped');
        if (res.count > 0) parts.push(readFileSync(file, 'utf8'));
      }
      return parts.join('\n');
    },
    stop: () => Promise.all(children.map((c) => stopChild(c, 5_000))),
  };
}

/** Rotation k: which members fail and how (a different fraction each time, modes rotating too). */
export function rotation(k, members, fraction) {
  const failing = Math.round(members * fraction);
  const modes = {};
  for (let i = 0; i < failing; i++) {
    modes[(k * failing + i) % members] = FAILURES[(k * failing + i) % FAILURES.length];
  }
  return modes;
}

// ---------------------------------------------------------------- one case

async function runCase(f, s, pool, chaos) {
  const name = chaos ? 'chaos' : 'healthy';
  await pool.setModes({});
  await pool.reset();
  const store = await scratchStore(`chaos_${name}`, f.db);
  const repo = await openBenchStore(store);
  await insertGroup(repo, 'chaos', pool.urls);
  const ids = [];
  await insertJobs(repo, s.jobs, (i) => {
    const job = makeJob(`chaos-${String(i).padStart(6, '0')}`, {
      routing: 'random',
      delivery: 'until_delivered',
      deadlineSec: s.deadlineSec,
      target: {
        group: 'chaos',
        path: '/run',
        url: null,
        method: 'POST',
        headers: {},
        connectTimeoutMs: 1_000,
        responseTimeoutMs: s.responseTimeoutMs,
      },
    });
    ids.push(job.id);
    return job;
  });
  await repo.close();
  const jc = await startJobCenter({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    logLevel: 'warn',
    config: { shutdownGraceMs: 2_000 },
  });

  const armedAt = Date.now();
  const firstInstant = Math.ceil((armedAt + s.warmup * 1000) / 1000) * 1000;
  const lastInstant = firstInstant + (s.seconds - 1) * 1000;
  log(
    `chaos-workers ${name}: ${s.jobs} jobs, ${s.members} members; counting ${s.seconds} s from ${new Date(firstInstant).toISOString()}`,
  );

  // Chaos covers the warm-up too, so the counted window starts in it; it ends after the window.
  const rotations = [];
  let rotating = null;
  if (chaos) {
    rotating = (async () => {
      for (let k = 0; Date.now() < lastInstant + 1000; k++) {
        const modes = rotation(k, s.members, s.failFraction);
        await pool.setModes(modes);
        rotations.push({ at: new Date().toISOString(), modes });
        await sleep(Math.min(s.rotateSeconds * 1000, Math.max(0, lastInstant + 1000 - Date.now())));
      }
      await pool.setModes({});
    })();
  }

  await sleep(firstInstant - Date.now());
  const cpu = cpuWindow({ jobcenter: jc.pid, driver: process.pid, ...workerPids(pool) }, store.dbName);
  let peakRss = 0;
  while (Date.now() < lastInstant + 1000) {
    await sleep(Math.min(1000, lastInstant + 1000 - Date.now()));
    peakRss = Math.max(peakRss, memMb(jc.pid).rss ?? 0);
  }
  const cpuPct = cpu.stop();
  await rotating;
  log(`chaos-workers ${name}: window over; waiting ${s.grace} s for runs to settle`);
  await sleep(lastInstant + s.grace * 1000 - Date.now());

  const receipts = await pool.dump(tempDir(`chaos-${name}-dump`));
  await jc.stop();
  const fromDb = await runsOfWindow(store, firstInstant, lastInstant);
  const worker = analyseReceipts(receipts, firstInstant, lastInstant);
  const duplicates = fromDb.duplicateFires + worker.duplicateRuns + worker.duplicateExecutions;
  return {
    case: name,
    expected: s.jobs * s.seconds,
    ...fromDb,
    worker,
    duplicates,
    cpuPct,
    jobcenterPeakRssMb: peakRss,
    jobcenterWarnings: jc.problems.length,
    jobcenterWarningSample: [...new Set(jc.problems.map((p) => p.msg))].slice(0, 5),
    rotations: rotations.length,
    rotationSample: rotations.slice(0, 3),
  };
}

function workerPids(pool) {
  return Object.fromEntries(pool.pids.map((pid, i) => [`worker${i}`, pid]));
}

/** What the runs of the window recorded, from the database (after the grace period). */
async function runsOfWindow(store, firstInstant, lastInstant) {
  const rows = await storeQuery(
    store,
    `SELECT r.scheduled_at AS s, r.status AS status, r.notify_status AS notify, a.sent_at AS sent
       FROM runs r LEFT JOIN attempts a ON a.run_id = r.id AND a.n = 1
      WHERE r.trigger = 'schedule' AND r.scheduled_at >= ? AND r.scheduled_at <= ?`,
    [firstInstant, lastInstant],
  );
  const byStatus = {};
  const byNotify = {};
  const sent = [];
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    byNotify[r.notify] = (byNotify[r.notify] ?? 0) + 1;
    if (r.sent !== null) sent.push(Number(r.sent) - Number(r.s));
  }
  const attemptRows = await storeQuery(
    store,
    `SELECT a.http_status AS h,
            CASE WHEN a.error IS NULL THEN NULL
                 WHEN a.error LIKE 'no answer within%' THEN 'timeout'
                 WHEN a.error LIKE '%ECONNREFUSED%' THEN 'refused'
                 WHEN a.error LIKE '%UND_ERR_SOCKET%' OR a.error LIKE '%ECONNRESET%' THEN 'dropped'
                 WHEN a.error LIKE 'member busy%' THEN 'busy'
                 WHEN a.error LIKE 'HTTP %' THEN 'http'
                 ELSE 'other' END AS e,
            COUNT(*) AS c
       FROM attempts a JOIN runs r ON r.id = a.run_id
      WHERE r.trigger = 'schedule' AND r.scheduled_at >= ? AND r.scheduled_at <= ?
      GROUP BY 1, 2`,
    [firstInstant, lastInstant],
  );
  const attempts = {};
  let attemptCount = 0;
  for (const a of attemptRows) {
    const k = a.e === null ? String(a.h) : `${a.e}${a.h === null ? '' : ` ${a.h}`}`;
    attempts[k] = (attempts[k] ?? 0) + Number(a.c);
    attemptCount += Number(a.c);
  }
  const [dup] = await storeQuery(
    store,
    `SELECT COUNT(*) AS c FROM (SELECT job_id, scheduled_at FROM runs WHERE trigger = 'schedule'
      GROUP BY job_id, scheduled_at HAVING COUNT(*) > 1) d`,
  );
  const l = summary(sent);
  return {
    fires: rows.length,
    delivered: byNotify.delivered ?? 0,
    notDelivered: byNotify.failed ?? 0,
    skipped: byStatus.skipped ?? 0,
    lost: byStatus.lost ?? 0,
    succeeded: byStatus.succeeded ?? 0,
    failed: byStatus.failed ?? 0,
    stillOpen: (byStatus.pending ?? 0) + (byStatus.running ?? 0),
    byStatus,
    byNotify,
    attempts,
    attemptsPerRun: rows.length > 0 ? round(attemptCount / rows.length, 2) : null,
    duplicateFires: Number(dup?.c ?? 0),
    sentLateMs: { p50: round(l.p50, 1), p99: round(l.p99, 1), max: round(l.max, 1) },
  };
}

/**
 * The workers' receipts: first-attempt lateness (receipt − scheduledAt) of the
 * window, over all members and over those that answered 200 at the time; and,
 * over the whole run, fires received under two run ids (duplicateRuns) or
 * accepted (200/202) by more than one attempt (duplicateExecutions).
 */
export function analyseReceipts(tsv, firstInstant, lastInstant) {
  const all = [];
  const healthy = [];
  const byFire = new Map();
  let receipts = 0;
  for (const line of tsv.length > 0 ? tsv.split('\n') : []) {
    if (line === '') continue;
    const [jobId, s, r, runId, attempt, , answer] = line.split('\t');
    const sched = Number(s);
    receipts++;
    const key = `${jobId}|${sched}`;
    let fire = byFire.get(key);
    if (!fire) {
      fire = { runIds: new Set(), accepted: 0 };
      byFire.set(key, fire);
    }
    fire.runIds.add(runId);
    if (answer === '200' || answer === '202') fire.accepted++;
    if (attempt !== '1' || sched < firstInstant || sched > lastInstant) continue;
    const lateness = Number(r) - sched;
    all.push(lateness);
    if (answer === '200') healthy.push(lateness);
  }
  let duplicateRuns = 0;
  let duplicateExecutions = 0;
  for (const fire of byFire.values()) {
    if (fire.runIds.size > 1) duplicateRuns++;
    if (fire.accepted > 1) duplicateExecutions++;
  }
  const pick = (v) => {
    const x = summary(v);
    return { n: x.n, p50: round(x.p50, 1), p99: round(x.p99, 1), max: round(x.max, 1) };
  };
  return {
    receipts,
    firstAttemptLateMs: pick(all),
    firstAttemptLateHealthyMs: pick(healthy),
    duplicateRuns,
    duplicateExecutions,
  };
}

// ---------------------------------------------------------------- run

export async function run(f) {
  const s = settings(f);
  log(`chaos-workers: ${s.members} members in ${s.procs} worker processes`);
  const pool = await startPool(s.members, s.procs);
  const healthy = await runCase(f, s, pool, false);
  const chaos = await runCase(f, s, pool, true);
  await pool.stop();

  const cases = [healthy, chaos];
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);
  const sentRatio = ratio(chaos.sentLateMs.p99, healthy.sentLateMs.p99);
  const receiptRatio = ratio(
    chaos.worker.firstAttemptLateHealthyMs.p99,
    healthy.worker.firstAttemptLateHealthyMs.p99,
  );
  const pass =
    healthy.duplicates === 0 &&
    chaos.duplicates === 0 &&
    sentRatio !== null &&
    sentRatio <= 2 &&
    receiptRatio !== null &&
    receiptRatio <= 2;

  table(
    `chaos-workers — ${s.jobs} jobs every second for ${s.seconds} s, ${s.members} members (random, until_delivered), ${f.db}`,
    [
      'case',
      'expected',
      'fires',
      'delivered',
      'not delivered',
      'skipped',
      'lost',
      'succeeded',
      'failed',
      'open',
      'dups',
      'attempts/run',
    ],
    cases.map((c) => [
      c.case,
      c.expected,
      c.fires,
      c.delivered,
      c.notDelivered,
      c.skipped,
      c.lost,
      c.succeeded,
      c.failed,
      c.stillOpen,
      c.duplicates,
      c.attemptsPerRun,
    ]),
  );
  table(
    'chaos-workers — lateness of the first attempt (ms): sentAt − scheduledAt (runs), receipt − scheduledAt (workers)',
    [
      'case',
      'sent p50',
      'sent p99',
      'receipt p50',
      'receipt p99',
      'receipt p99 (members answering 200)',
      'JC CPU %',
      'host busy %',
    ],
    cases.map((c) => [
      c.case,
      c.sentLateMs.p50,
      c.sentLateMs.p99,
      c.worker.firstAttemptLateMs.p50,
      c.worker.firstAttemptLateMs.p99,
      c.worker.firstAttemptLateHealthyMs.p99,
      c.cpuPct.jobcenter,
      c.cpuPct.hostBusyOfAllCores,
    ]),
  );
  table(
    'chaos-workers — attempts by outcome (window)',
    ['case', 'outcomes'],
    cases.map((c) => [
      c.case,
      Object.entries(c.attempts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    ]),
  );
  process.stdout.write(
    `\npass = 0 duplicates and chaos p99 ≤ 2 × healthy p99 (sent: ${sentRatio ?? '–'}×, receipt at members answering 200: ${receiptRatio ?? '–'}×): ${pass ? 'yes' : 'NO'}\n`,
  );
  emit(f, 'chaos-workers', {
    db: f.db,
    settings: s,
    cases,
    p99Ratio: { sent: sentRatio, receiptHealthy: receiptRatio },
    pass,
  });
}
