/**
 * Shared bench code: arguments, statistics, tables, /proc readers, the
 * PostgreSQL scratch databases, and one cleanup registry that stops every
 * child process, removes every temp dir and drops every database this run
 * made, on success, on failure, on a signal and on the hard timeout alike.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH_DIR);
export const SERVER_DIR = join(ROOT, 'packages', 'server');
export const SERVER_DIST = join(SERVER_DIR, 'dist');
export const CLI = join(SERVER_DIST, 'cli', 'main.js');
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** The server's own dependencies (undici, pg, better-sqlite3, ulid), resolved from packages/server. */
export const serverRequire = createRequire(join(SERVER_DIR, 'package.json'));

/** Imports a module of the built server, e.g. `serverModule('store/store.js')`. */
export function serverModule(rel) {
  return import(pathToFileURL(join(SERVER_DIST, rel)).href);
}

export const PG_ADMIN_URL =
  process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

// ---------------------------------------------------------------- arguments

/**
 * Common flags plus the benchmark's own. Numbers accept 1,000 / 1_000 / 10k.
 */
export function parseFlags(argv, own = {}) {
  const { values } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string' },
      seconds: { type: 'string' },
      db: { type: 'string', default: 'sqlite' },
      save: { type: 'boolean', default: false },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...own,
    },
    allowPositionals: false,
    strict: true,
  });
  if (!['sqlite', 'postgres'].includes(values.db))
    throw new Error(`--db must be sqlite or postgres, got ${values.db}`);
  return values;
}

export function num(value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  const s = String(value).trim().toLowerCase().replace(/[,_]/g, '');
  const m = s.match(/^(\d+(?:\.\d+)?)([km]?)$/);
  if (!m) throw new Error(`not a number: ${value}`);
  return Number(m[1]) * (m[2] === 'k' ? 1_000 : m[2] === 'm' ? 1_000_000 : 1);
}

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile of an ascending-sorted array. */
export function pct(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function summary(values) {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    min: s.length ? s[0] : null,
    p50: pct(s, 0.5),
    p95: pct(s, 0.95),
    p99: pct(s, 0.99),
    max: s.length ? s[s.length - 1] : null,
    mean: s.length ? sum / s.length : null,
  };
}

export const round = (v, d = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? null : Number(v.toFixed(d));

// ---------------------------------------------------------------- output

export function table(title, headers, rows) {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '–' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [
    `\n${title}`,
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

export function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

/** Prints the result as the LAST stdout line, and appends it to bench/results/<name>.jsonl with --save. */
export function emit(flags, name, result) {
  const record = {
    bench: name,
    at: new Date().toISOString(),
    node: process.version,
    host: hostInfo(),
    ...result,
  };
  const line = JSON.stringify(record);
  if (flags.save || flags.out) {
    const file = flags.out ?? join(RESULTS_DIR, `${name}.jsonl`);
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  }
  process.stdout.write(`${line}\n`);
}

function hostInfo() {
  let cpus = null;
  try {
    cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? null;
  } catch {}
  let load = null;
  try {
    load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {}
  return { cpus, loadavg1: load };
}

// ---------------------------------------------------------------- /proc

const CLK_TCK = (() => {
  try {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    return Number(r.stdout.trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU ms (user + system) of one process, or null when it is gone. */
export function cpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM in MB, and the RSS split: anonymous (heaps) and file-backed (code, mapped database). */
export function memMb(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? Number.NaN);
    return {
      rss: round(kb('VmRSS') / 1024),
      hwm: round(kb('VmHWM') / 1024),
      anon: round(kb('RssAnon') / 1024),
      file: round(kb('RssFile') / 1024),
    };
  } catch {
    return { rss: null, hwm: null, anon: null, file: null };
  }
}

export function hostCpu() {
  const l = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = l[3] + l[4];
  return { idle, total: l.reduce((a, b) => a + b, 0) };
}

function postmasterPid() {
  try {
    return Number(readFileSync('/var/lib/postgresql/15/main/postmaster.pid', 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}

/**
 * CPU ms per PostgreSQL process: { cluster, db } where `db` counts only the
 * backends connected to `dbName` (their command line names the database).
 */
export function pgCpu(dbName) {
  const pm = postmasterPid();
  if (!pm) return null;
  const procs = new Map();
  let cluster = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(d) !== pm && Number(f[1]) !== pm) continue;
    const ms = ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
    cluster += ms;
    if (dbName) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      } catch {}
      if (cmd.includes(` ${dbName} `)) procs.set(d, ms);
    }
  }
  return { cluster, procs };
}

/** A CPU sampler over a window: processes by pid, the PostgreSQL cluster and this DB's backends, the host. */
export function cpuWindow(pids, dbName) {
  const take = () => ({
    t: performance.now(),
    pids: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)])),
    pg: dbName !== undefined ? pgCpu(dbName) : null,
    host: hostCpu(),
  });
  const a = take();
  return {
    /** CPU % of one core per process over the window, plus host busy % of all cores. */
    stop() {
      const b = take();
      const wall = b.t - a.t;
      const out = {};
      for (const k of Object.keys(pids)) {
        out[k] =
          a.pids[k] !== null && b.pids[k] !== null ? round(((b.pids[k] - a.pids[k]) / wall) * 100) : null;
      }
      if (a.pg && b.pg) {
        out.postgresCluster = round(((b.pg.cluster - a.pg.cluster) / wall) * 100);
        let db = 0;
        for (const [pid, ms] of b.pg.procs) db += ms - (a.pg.procs.get(pid) ?? 0);
        out.postgresDb = round((db / wall) * 100);
      }
      const busy = b.host.total - b.host.idle - (a.host.total - a.host.idle);
      const total = b.host.total - a.host.total;
      out.hostBusyOfAllCores = total > 0 ? round((busy / total) * 100) : null;
      return out;
    },
  };
}

// ---------------------------------------------------------------- cleanup

const cleanups = [];
let cleaning = null;

/** Registers an undo step; steps run last-registered first. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return fn;
}

export function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        log(`cleanup step failed: ${err?.message ?? err}`);
      }
    }
  })();
  return cleaning;
}

/** Installs signal and crash handlers plus a hard timeout; every path cleans up before exit. */
export function guard(hardTimeoutMs) {
  const bail = (why, code) => {
    log(why);
    const force = setTimeout(() => process.exit(code), 20_000);
    force.unref();
    cleanup().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => bail('SIGINT: cleaning up', 130));
  process.on('SIGTERM', () => bail('SIGTERM: cleaning up', 143));
  process.on('uncaughtException', (err) => bail(`uncaught: ${err?.stack ?? err}`, 1));
  process.on('unhandledRejection', (err) => bail(`unhandled rejection: ${err?.stack ?? err}`, 1));
  const t = setTimeout(
    () => bail(`hard timeout after ${Math.round(hardTimeoutMs / 1000)} s`, 124),
    hardTimeoutMs,
  );
  t.unref();
}

let swept = false;

/** Removes temp dirs of earlier bench runs whose process is gone (killed with SIGKILL). */
function sweepTempDirs() {
  swept = true;
  for (const name of readdirSync(tmpdir())) {
    const m = name.match(/^jc-bench-.+-(\d+)-[^-]+$/);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export function tempDir(prefix) {
  if (!swept) sweepTempDirs();
  const dir = mkdtempSync(join(tmpdir(), `jc-bench-${prefix}-${process.pid}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------- PostgreSQL

function pgClient(url) {
  const pg = serverRequire('pg');
  return new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
}

export async function pgQuery(url, text, params) {
  const c = pgClient(url);
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * A scratch database `jc_bench_<tag>_<pid>_<rand>`, dropped at cleanup.
 * Also drops leftovers of earlier bench runs whose process is gone.
 */
export async function createPgDatabase(tag) {
  const { rows } = await pgQuery(
    PG_ADMIN_URL,
    "SELECT datname FROM pg_database WHERE datname LIKE 'jc\\_bench\\_%'",
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split('_').at(-2));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (!alive) {
      log(`dropping leftover database ${datname}`);
      await pgQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  }
  const name = `jc_bench_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await pgQuery(PG_ADMIN_URL, `CREATE DATABASE ${name}`);
  onCleanup(async () => {
    await pgQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** A fresh store location for `--db`: a temp data dir, plus a scratch database on PostgreSQL. */
export async function scratchStore(tag, dialect) {
  const dataDir = tempDir(tag);
  if (dialect === 'sqlite') return { dialect, dataDir, databaseUrl: undefined, dbName: undefined };
  const db = await createPgDatabase(tag);
  return { dialect, dataDir, databaseUrl: db.url, dbName: db.name };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn(i)` for i in [0, count) with at most `limit` in flight. */
export async function pMap(count, limit, fn) {
  let next = 0;
  let failed = null;
  const workers = Array.from({ length: Math.min(limit, count) }, async () => {
    while (failed === null) {
      const i = next++;
      if (i >= count) return;
      try {
        await fn(i);
      } catch (err) {
        failed = err;
      }
    }
  });
  await Promise.all(workers);
  if (failed) throw failed;
}

/**
 * Runs one SQL statement against a bench store (`?` placeholders on both
 * dialects) and answers the rows. SQLite: the data dir's jobcenter.db via
 * better-sqlite3; PostgreSQL: a short-lived pg client.
 */
export async function storeQuery(store, text, params = []) {
  if (store.dialect === 'sqlite') {
    const SQLite = serverRequire('better-sqlite3');
    const db = new SQLite(join(store.dataDir, 'jobcenter.db'));
    try {
      db.pragma('busy_timeout = 10000');
      const stmt = db.prepare(text);
      return stmt.reader ? stmt.all(...params) : [stmt.run(...params)];
    } finally {
      db.close();
    }
  }
  let i = 0;
  const { rows } = await pgQuery(
    store.databaseUrl,
    text.replace(/\?/g, () => `$${++i}`),
    params,
  );
  return rows;
}
