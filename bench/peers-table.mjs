#!/usr/bin/env node
/**
 * The side-by-side table: JobCenter's precision runs (bench/results/precision.jsonl,
 * written by `npm run bench -- precision ... --save`) next to the peers
 * (bench/results/peers.jsonl, written by bench/peers.sh). The latest record
 * of each (system, database, period, N) is shown. Markdown on stdout.
 *
 *   node bench/peers-table.mjs [--dir bench/results]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR } from './lib/common.mjs';

const { values } = parseArgs({ options: { dir: { type: 'string', default: RESULTS_DIR } } });
const load = (file) => {
  const p = join(values.dir, file);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
};

const fmt = (x, unit = '') => {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (unit === 'ms' && x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Number(x.toFixed(1)));
};

const rows = new Map();
for (const r of load('precision.jsonl')) {
  for (const c of r.cases ?? []) {
    if (c.setupError) {
      rows.set(`jobcenter ${c.db} ${c.setup ?? 'api'} ${c.cron} ${c.n}`, {
        system: `JobCenter (${c.db})`,
        period: c.cron === '* * * * *' ? '1 min' : '1 s',
        n: c.n,
        note: `setup failed: ${c.setupError}`,
      });
      continue;
    }
    rows.set(`jobcenter ${c.db} ${c.setup ?? 'api'} ${c.cron ?? '* * * * * *'} ${c.n}`, {
      system: `JobCenter (${c.db}${c.setup === 'store' ? ', jobs written to the DB' : ''})`,
      period: c.cron === '* * * * *' ? '1 min' : '1 s',
      n: c.n,
      instants: c.instants,
      expected: c.expected,
      hit: (c.receivedInWindow / c.expected) * 100,
      misses: c.misses,
      dups: c.duplicates,
      p50: c.latencyMs.p50,
      p99: c.latencyMs.p99,
      max: c.latencyMs.max,
      cpu: c.cpuPct.jobcenter,
      db: c.cpuPct.postgresDb ?? null,
      rss: c.jobcenterPeakRssMb,
      setup: c.setupMs,
      note: `target p99 ${c.target.p99Ms} ms: ${c.pass ? 'met' : 'NOT met'}`,
    });
  }
}
for (const r of load('peers.jsonl')) {
  const windowMs = (r.driver_window_s ?? r.window_s ?? 0) * 1000;
  // The driver samples the PostgreSQL cluster and Redis for every peer: keep the store each peer uses.
  const dbMs =
    r.peer === 'bullmq'
      ? (r.redis_cpu_window_ms ?? null)
      : ['pg-boss', 'graphile-worker', 'agenda'].includes(r.peer)
        ? (r.pg_cpu_window_ms ?? null)
        : null;
  rows.set(`${r.peer} ${r.label} ${r.period} ${r.n}`, {
    system: `${r.peer}${r.label && r.label !== 'default' ? ` (${r.label})` : ''}`,
    period: r.period === 's' ? '1 s' : '1 min',
    n: r.n,
    instants: r.instants,
    expected: r.expected,
    hit: r.expected ? (r.unique_hits / r.expected) * 100 : null,
    misses: r.misses,
    dups: r.duplicates,
    p50: r.lat_p50_ms,
    p99: r.lat_p99_ms,
    max: r.lat_max_ms,
    cpu: r.cpu_window_pct,
    db: dbMs !== null && windowMs > 0 ? (dbMs / windowMs) * 100 : null,
    rss: r.peak_rss_mb,
    setup: (r.setup_ms ?? 0) + (r.create_queues_ms ?? 0) || null,
    note: r.failed ? `failed (exit ${r.exit_code ?? r.signal})` : r.version ? `v${r.version}` : '',
  });
}

const ceil = load('peers-ceil-http.jsonl').filter((r) => String(r.client ?? '').includes('undici'));
const order = (r) =>
  `${r.period === '1 s' ? 0 : 1} ${String(r.n).padStart(6, '0')} ${r.system.startsWith('JobCenter') ? 0 : 1}${r.system}`;
const list = [...rows.values()].sort((a, b) => order(a).localeCompare(order(b)));
const out = [
  '| system | period | N | instants | expected | hit % | misses | dups | p50 ms | p99 ms | max ms | process CPU % | DB/Redis CPU % | RSS MB | setup ms | note |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...list.map(
    (r) =>
      `| ${r.system} | ${r.period} | ${r.n} | ${r.instants ?? '–'} | ${r.expected ?? '–'} | ${fmt(r.hit)} | ${r.misses ?? '–'} | ${r.dups ?? '–'} | ${fmt(r.p50, 'ms')} | ${fmt(r.p99, 'ms')} | ${fmt(r.max, 'ms')} | ${fmt(r.cpu)} | ${fmt(r.db)} | ${fmt(r.rss)} | ${fmt(r.setup)} | ${r.note ?? ''} |`,
  ),
];
if (list.length === 0)
  out.push('| (no results yet: run `npm run bench -- precision ... --save` and `bench/peers.sh`) |');
if (ceil.length) {
  out.push(
    '',
    `HTTP ceiling in this sitting (peers' ceil-http.mjs, undici Pool): ${ceil
      .map((c) => `${c.concurrency ?? c.conc ?? '?'} in flight ${c.rps ?? c.req_per_s ?? '?'} req/s`)
      .join('; ')}`,
  );
}
out.push(
  '',
  'Lateness: JobCenter = receipt of the HTTP trigger by a worker in another process − scheduledAt; peers = handler start in the scheduler process − scheduled instant. CPU % is of one core during the counted window; JobCenter RSS is the server process (peak).',
);
process.stdout.write(`${out.join('\n')}\n`);
