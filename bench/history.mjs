/**
 * history: one job with 1,000,000 runs (one a second, the newest a second
 * ago, 1 % failed; one attempt row each), written straight into the
 * database in big transactions; then `jobcenter serve` in its own process
 * and sequential timings (p50/p95 over --requests each, after 3 untimed) of
 * the history and trend calls the console makes.
 */
import {
  emit,
  log,
  num,
  parseFlags,
  pgQuery,
  round,
  scratchStore,
  serverRequire,
  storeQuery,
  summary,
  table,
} from './lib/common.mjs';
import { makeJob, newId, openBenchStore } from './lib/jobs.mjs';
import { startJobCenter } from './lib/procs.mjs';

export const usage = `npm run bench -- history [--runs 1000000] [--interval-ms 1000] [--requests 50] [--db sqlite|postgres] [--save]`;

export function flags(argv) {
  return parseFlags(argv, {
    runs: { type: 'string' },
    'interval-ms': { type: 'string' },
    requests: { type: 'string' },
  });
}

export function hardTimeoutMs(f) {
  return (300 + num(f.runs, 1_000_000) / 5_000 + num(f.requests, 50) * 8 * 3) * 1000;
}

export const RUN_COLUMNS = [
  'id',
  'job_id',
  'job_name',
  'trigger',
  'scheduled_at',
  'fire_key',
  'fired_at',
  'finished_at',
  'duration_ms',
  'status',
  'notify_status',
  'timed_out',
  'progress',
  'message',
  'output',
  'late_result',
  'retry_of',
  'member',
  'params',
  'timeout_at',
  'deadline_at',
  'attempt_count',
  'next_attempt_at',
  'last_heartbeat_at',
  'log_bytes',
  'truncated',
  'created_at',
];
const MEMBER = 'http://127.0.0.1:9';

/** Run i of `count`, as a row in RUN_COLUMNS order, plus its attempt. */
export function runRow(job, i, count, end, interval) {
  const scheduled = end - (count - 1 - i) * interval;
  const fired = scheduled + 2 + (i % 5);
  const duration = 5 + ((i * 7919) % 496);
  const failed = i % 100 === 37;
  const id = newId(fired);
  return {
    run: [
      id,
      job.id,
      job.name,
      'schedule',
      scheduled,
      scheduled,
      fired,
      fired + duration,
      duration,
      failed ? 'failed' : 'succeeded',
      'delivered',
      i % 500 === 0 ? 1 : 0,
      null,
      failed ? 'boom: upstream answered 503' : null,
      null,
      null,
      null,
      MEMBER,
      '{}',
      null,
      fired + 86_400_000,
      1,
      null,
      fired,
      0,
      0,
      fired,
    ],
    attempt: [id, 1, MEMBER, fired, 200, null, 2],
  };
}

async function insertSqlite(store, job, count, end, interval, makeRow) {
  const SQLite = serverRequire('better-sqlite3');
  const db = new SQLite(`${store.dataDir}/jobcenter.db`);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insRun = db.prepare(
    `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insAttempt = db.prepare(
    'INSERT INTO attempts (run_id, n, member, sent_at, http_status, error, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const { run, attempt } = makeRow(job, i, count, end, interval);
      insRun.run(run);
      insAttempt.run(attempt);
    }
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  db.close();
}

const PG_TYPES = {
  id: 'text',
  job_id: 'text',
  job_name: 'text',
  trigger: 'text',
  status: 'text',
  notify_status: 'text',
  message: 'text',
  output: 'text',
  late_result: 'text',
  retry_of: 'text',
  member: 'text',
  params: 'text',
  timed_out: 'int',
  progress: 'int',
  attempt_count: 'int',
  log_bytes: 'int',
  truncated: 'int',
};

async function insertPostgres(store, job, count, end, interval, makeRow) {
  const pg = serverRequire('pg');
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    const runSql = `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) SELECT * FROM unnest(${RUN_COLUMNS.map(
      (c, k) => `$${k + 1}::${PG_TYPES[c] ?? 'bigint'}[]`,
    ).join(', ')})`;
    const attemptSql =
      'INSERT INTO attempts (run_id, n, member, sent_at, http_status, error, latency_ms) SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::int[])';
    for (let i = 0; i < count; i += 20_000) {
      const to = Math.min(count, i + 20_000);
      const cols = RUN_COLUMNS.map(() => []);
      const acols = Array.from({ length: 7 }, () => []);
      for (let k = i; k < to; k++) {
        const { run, attempt } = makeRow(job, k, count, end, interval);
        for (let c = 0; c < run.length; c++) cols[c].push(run[c]);
        for (let c = 0; c < attempt.length; c++) acols[c].push(attempt[c]);
      }
      await client.query('BEGIN');
      await client.query(runSql, cols);
      await client.query(attemptSql, acols);
      await client.query('COMMIT');
    }
    // What autovacuum would have done by the time anyone looks at this history.
    await client.query('VACUUM ANALYZE runs');
    await client.query('VACUUM ANALYZE attempts');
  } finally {
    await client.end();
  }
}

/**
 * Writes `count` runs of `job` straight into the store's database, one every
 * `interval` ms up to `end`, each with one attempt: `makeRow(job, i, count,
 * end, interval)` makes run i (default `runRow`: 1 % failed, 0.2 % timed out).
 * Also used by the console benchmark and the console's screenshots.
 */
export async function insertRuns(store, job, { count, end, interval, makeRow = runRow }) {
  if (store.dialect === 'sqlite') await insertSqlite(store, job, count, end, interval, makeRow);
  else await insertPostgres(store, job, count, end, interval, makeRow);
}

async function timeCall(jc, label, path, requests, check) {
  const lat = [];
  let last = null;
  for (let i = 0; i < requests + 3; i++) {
    const t0 = performance.now();
    const res = await jc.api('GET', path);
    const ms = performance.now() - t0;
    if (res.status !== 200)
      throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    if (i >= 3) lat.push(ms);
    last = res.body;
  }
  const s = summary(lat);
  return {
    label,
    path,
    requests,
    p50: round(s.p50, 1),
    p95: round(s.p95, 1),
    max: round(s.max, 1),
    mean: round(s.mean, 1),
    answer: check(last),
    pass: s.p95 < 100,
  };
}

export async function run(f) {
  const count = num(f.runs, 1_000_000);
  const interval = num(f['interval-ms'], 1000);
  const requests = num(f.requests, 50);
  const store = await scratchStore('history', f.db);
  const repo = await openBenchStore(store);
  const job = makeJob('history-job', { enabled: false });
  await repo.jobs.insert(job);
  await repo.close();

  const end = Math.floor(Date.now() / 1000) * 1000 - 1000;
  log(
    `history: inserting ${count} runs of one job (every ${interval} ms up to ${new Date(end).toISOString()}) on ${f.db}`,
  );
  const t0 = performance.now();
  await insertRuns(store, job, { count, end, interval });
  const insertMs = performance.now() - t0;
  const [{ n: stored }] = await storeQuery(store, 'SELECT count(*) AS n FROM runs WHERE job_id = ?', [
    job.id,
  ]);
  log(`history: ${stored} runs stored in ${Math.round(insertMs)} ms`);
  let dbSize = null;
  if (f.db === 'postgres') {
    const { rows } = await pgQuery(store.databaseUrl, 'SELECT pg_database_size(current_database()) AS b');
    dbSize = Math.round(Number(rows[0].b) / 1048576);
  }

  const jc = await startJobCenter({
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    logLevel: 'warn',
  });
  const iso = (ms) => new Date(ms).toISOString();
  const mid = end - Math.floor(count / 2) * interval;
  const base = `/jobs/${job.id}`;
  const deep = await jc.api('GET', `${base}/runs?to=${iso(mid)}&limit=50`);
  const deepCursor = deep.body?.nextCursor;
  if (!deepCursor)
    throw new Error(`no cursor from ${base}/runs?to=${iso(mid)}: ${JSON.stringify(deep.body).slice(0, 300)}`);
  const items = (b) => `${b.items.length} runs${b.nextCursor ? ' + cursor' : ''}`;
  const points = (b) => `${b.points.length} points, bucket ${b.bucketMs ?? 'none'}`;
  const now = Date.now();
  const calls = [];
  const plan = [
    ['runs: first page (50)', `${base}/runs`, items],
    ['runs: first page by name', `/jobs/${job.name}/runs`, items],
    [`runs: deep page via cursor (~${Math.floor(count / 2)} in)`, `${base}/runs?cursor=${deepCursor}`, items],
    [
      'runs: from/to one hour, mid-history',
      `${base}/runs?from=${iso(mid - 3_600_000)}&to=${iso(mid)}`,
      items,
    ],
    ['runs: status=failed', `${base}/runs?status=failed`, items],
    ['trend: default (7 days)', `${base}/trend`, points],
    ['trend: 1 day', `${base}/trend?from=${iso(now - 86_400_000)}&to=${iso(now)}`, points],
    ['trend: 1 hour', `${base}/trend?from=${iso(now - 3_600_000)}&to=${iso(now)}`, points],
  ];
  for (const [label, path, check] of plan) {
    log(`history: ${label}`);
    calls.push(await timeCall(jc, label, path, requests, check));
  }
  await jc.stop();

  table(
    `history — one job with ${stored} runs on ${f.db}, sequential requests (ms), target p95 < 100`,
    ['call', 'n', 'p50', 'p95', 'max', 'answer', 'pass'],
    calls.map((c) => [c.label, c.requests, c.p50, c.p95, c.max, c.answer, c.pass ? 'yes' : 'NO']),
  );
  process.stdout.write(
    `runs inserted in ${Math.round(insertMs)} ms${dbSize ? `; database ${dbSize} MB` : ''}\n`,
  );
  emit(f, 'history', {
    db: f.db,
    runs: Number(stored),
    intervalMs: interval,
    insertMs: Math.round(insertMs),
    databaseMb: dbSize,
    calls,
    target: 'p95 < 100 ms',
    pass: calls.every((c) => c.pass),
    jobcenterWarnings: jc.problems.length,
  });
}
