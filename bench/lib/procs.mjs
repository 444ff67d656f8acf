/**
 * The processes of a benchmark: the trivial worker (forked), `jobcenter
 * serve` (the built CLI, with a JSON config file), an API client, and the
 * raw undici ceiling. Every process is registered for cleanup.
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, CLI, log, onCleanup, round, serverRequire, sleep, summary, tempDir } from './common.mjs';

/** The admin API token every benchmark server is bootstrapped with. */
export const BENCH_TOKEN = 'jc_bench-admin-token-0123456789';

const undici = serverRequire('undici');

/** Waits for a child to exit; SIGKILLs it after `ms`. */
function stopChild(child, signal, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      log(`pid ${child.pid} did not stop in ${ms} ms: SIGKILL`);
      try {
        child.kill('SIGKILL');
      } catch {}
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    try {
      child.kill(signal);
    } catch {
      clearTimeout(t);
      resolve();
    }
  });
}

// ---------------------------------------------------------------- worker

/** Forks the trivial worker; `record` keeps every trigger's receipt for later analysis. */
export async function startWorker({ record = true, fail = false } = {}) {
  const args = [...(record ? ['--record'] : []), ...(fail ? ['--fail'] : [])];
  const child = fork(join(BENCH_DIR, 'lib', 'worker.mjs'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--max-old-space-size=4096'],
  });
  onCleanup(() => stopChild(child, 'SIGTERM', 5_000));
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('worker did not start in 10 s')), 10_000);
    child.once('message', (m) => {
      clearTimeout(t);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
  const ask = (msg, type) =>
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
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    /** Writes the records to `file`; answers {count, triggers, bad}. */
    dump: (file) => ask({ type: 'dump', file }, 'dumped'),
    count: () => ask({ type: 'count' }, 'count'),
    reset: () => ask({ type: 'reset' }, 'reset'),
    stop: () => stopChild(child, 'SIGTERM', 5_000),
  };
}

// ---------------------------------------------------------------- JobCenter

/**
 * Starts `jobcenter serve --config <file>` as its own process. Listens on a
 * free port (port 0; the URL is read from its "listening" line). Log lines
 * (pino JSON on stdout) are parsed; `waitLog(msg)` resolves on the first
 * line with that msg. The child also gets an IPC channel and a preload that
 * SIGTERMs it when the bench process dies, so it never outlives the bench.
 */
export async function startJobCenter({
  dataDir,
  databaseUrl,
  logLevel = 'warn',
  config = {},
  dir,
  startTimeoutMs = 120_000,
  port = 0,
  stopTimeoutMs = 20_000,
  nodeArgs = process.env.BENCH_JC_NODE_ARGS ? process.env.BENCH_JC_NODE_ARGS.split(' ') : [],
}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const file = join(dir ?? dataDir, 'jobcenter-bench.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        host: '127.0.0.1',
        port,
        dataDir,
        ...(databaseUrl ? { databaseUrl } : {}),
        logLevel,
        bootstrapToken: BENCH_TOKEN,
        ...config,
      },
      null,
      2,
    ),
  );
  const spawnedAt = performance.now();
  const spawnedAtMs = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      pathToFileURL(join(BENCH_DIR, 'lib', 'orphan-guard.mjs')).href,
      CLI,
      'serve',
      '--config',
      file,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, JOBCENTER_CONFIG: '', DATABASE_URL: '' },
    },
  );
  onCleanup(() => stopChild(child, 'SIGTERM', stopTimeoutMs));
  const logs = [];
  const waiters = [];
  const problems = [];
  let url = null;
  let listeningLineMs = null;
  let urlResolve;
  const urlReady = new Promise((resolve) => {
    urlResolve = resolve;
  });
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const at = performance.now();
      if (line.startsWith('{')) {
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        entry._seenMs = at - spawnedAt;
        if (logs.length < 2000) logs.push(entry);
        if (entry.level >= 40 && problems.length < 50) problems.push(entry);
        for (const w of waiters.filter((x) => x.msg === entry.msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      } else {
        const m = line.match(/listening on (http:\/\/\S+)/);
        if (m) {
          listeningLineMs = at - spawnedAt;
          url ??= m[1];
          urlResolve({ url, atMs: at - spawnedAt });
        }
      }
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  if (port) {
    url = `http://127.0.0.1:${port}`;
    urlResolve({ url, atMs: null });
  }
  await Promise.race([
    urlReady,
    exited.then(({ code }) => {
      throw new Error(`jobcenter exited (${code}) before listening:\n${stderr}`);
    }),
    sleep(startTimeoutMs).then(() => {
      throw new Error(`jobcenter did not listen within ${startTimeoutMs} ms:\n${stderr}`);
    }),
  ]);
  const pool = new undici.Pool(url, { connections: 32, keepAliveTimeout: 60_000 });
  onCleanup(() => (pool.closed || pool.destroyed ? undefined : pool.close()));
  const api = async (method, path, body, { timeoutMs = 120_000 } = {}) => {
    const res = await pool.request({
      method,
      path: `/api/v1${path}`,
      headers: {
        authorization: `Bearer ${BENCH_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.statusCode, body: parsed };
  };
  return {
    pid: child.pid,
    url,
    spawnedAt,
    spawnedAtMs,
    /** When the CLI printed its "listening" line (after the scheduler started), ms after spawn. */
    get listeningLineMs() {
      return listeningLineMs;
    },
    api,
    pool,
    logs,
    problems,
    stderr: () => stderr,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    /** The first log line with this msg (already seen or still to come). */
    waitLog(msg, timeoutMs = 120_000) {
      const seen = logs.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { msg, resolve };
        waiters.push(w);
        setTimeout(() => {
          if (waiters.includes(w)) reject(new Error(`no '${msg}' log within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      });
    },
    async stop() {
      await pool.close().catch(() => undefined);
      await stopChild(child, 'SIGTERM', stopTimeoutMs);
      return exited;
    },
  };
}

/** A free loopback port (bound, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Creates a worker group through the API. */
export async function createGroup(jc, name, memberUrls) {
  const res = await jc.api('POST', '/worker-groups', { name, members: memberUrls.map((url) => ({ url })) });
  if (res.status !== 201)
    throw new Error(`creating group ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// ---------------------------------------------------------------- ceiling

/** A body shaped like a real trigger (same size, same JSON parse on the worker). */
export function triggerLikeBody() {
  const id = '01JBENCH0000000000000000000';
  return JSON.stringify({
    runId: id.slice(0, 26),
    jobId: id.slice(0, 26),
    job: 'precision-00000',
    scheduledAt: new Date().toISOString(),
    firedAt: new Date().toISOString(),
    attempt: 1,
    trigger: 'schedule',
    params: {},
    shard: { index: 0, total: 1 },
    timeoutSec: null,
    callback: { url: `http://127.0.0.1:8080/api/v1/callbacks/${id.slice(0, 26)}`, token: 'x'.repeat(43) },
  });
}

/**
 * The raw HTTP ceiling: undici `Pool.request` (the client JobCenter uses),
 * `concurrency` requests in flight on as many keep-alive connections, for
 * `seconds` after a `warmup`, against the worker's unrecorded /ceiling path.
 */
export async function measureCeiling(workerUrl, { seconds = 5, warmup = 1, concurrency = 16 } = {}) {
  const pool = new undici.Pool(workerUrl, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const body = triggerLikeBody();
  const headers = { 'content-type': 'application/json', 'x-jobcenter-signature': `t=1,v1=${'0'.repeat(64)}` };
  let counting = false;
  let stop = false;
  let count = 0;
  let errors = 0;
  const lat = [];
  const loop = async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: '/ceiling', headers, body });
        await res.body.text();
        if (counting) {
          count++;
          if (count % 8 === 0) lat.push(performance.now() - t0);
        }
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await sleep(warmup * 1000);
  counting = true;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(seconds * 1000);
  counting = false;
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  stop = true;
  await Promise.all(loops);
  await pool.close();
  const l = summary(lat);
  return {
    reqPerSec: Math.round((count / elapsed) * 1000),
    concurrency,
    seconds,
    errors,
    p50Ms: round(l.p50, 2),
    p99Ms: round(l.p99, 2),
    clientCpuPct: round(((cpu.user + cpu.system) / 1000 / elapsed) * 100),
  };
}

/**
 * The raw burst floor: what undici alone achieves on the shape of load the
 * precision benchmark offers. At each whole second, `n` trigger-shaped
 * requests go out at once through an undici Agent configured as JobCenter's
 * (64 connections per origin, keep-alive) to a fresh recording worker; no
 * database, no signing, no scheduler. Lateness = worker receipt − the whole
 * second. 2 warm-up bursts, then `seconds` counted ones.
 */
export async function measureBurstFloor(n, { seconds = 10 } = {}) {
  const worker = await startWorker({ record: true });
  const agent = new undici.Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', 'x-jobcenter-signature': `t=1,v1=${'0'.repeat(64)}` };
  const template = JSON.parse(triggerLikeBody());
  const burst = async (at, counted) => {
    const scheduledAt = new Date(at).toISOString();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const body = JSON.stringify({ ...template, jobId: `${counted ? 'c' : 'w'}${i}`, scheduledAt });
        const res = await agent.request({ origin: worker.url, path: '/run', method: 'POST', headers, body });
        await res.body.text();
      }),
    );
  };
  const nextSecond = async () => {
    const at = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await sleep(at - Date.now());
    return at;
  };
  for (let i = 0; i < 2 + seconds; i++) await burst(await nextSecond(), i >= 2);
  const file = join(tempDir('burst-floor'), 'receipts.tsv');
  await worker.dump(file);
  await agent.close();
  await worker.stop();
  const lat = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [jobId, s, r] = line.split('\t');
    if (jobId?.startsWith('c')) lat.push(Number(r) - Number(s));
  }
  const l = summary(lat);
  return {
    n,
    seconds,
    received: lat.length,
    p50Ms: round(l.p50, 2),
    p99Ms: round(l.p99, 2),
    maxMs: round(l.max, 2),
  };
}
