import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AnnounceOptions, type Announcer, resolveAnnounceSettings, startAnnouncer } from './announce.js';
import { createFastifyPlugin, type WorkerFastifyPlugin } from './fastify-plugin.js';
import type { JobHandler } from './job-result.js';
import { pathnameOf, serveNodeRequest } from './node-http.js';
import { DEFAULT_TOLERANCE_SEC } from './signature.js';
import { type JobDefinition, type JobMode, WorkerCore } from './worker-core.js';

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /**
   * The worker group's signing secret (shown once when the group is created or
   * its secret rotated). Pass `[newSecret, oldSecret]` during a rotation:
   * a request signed with any of them is accepted. Required.
   */
  secret: string | readonly string[];
  /**
   * The jobs, by the path JobCenter calls (the job's `target.path`, relative to
   * where the worker is mounted). A bare function is an `async` job; use
   * `{ mode: 'sync', handler }` for a sync one. Required, at least one.
   */
  jobs: Readonly<Record<string, JobHandler | JobDefinition>>;
  /** How far a signature's `t` may be from `now()`, in seconds, either way. Default 300. */
  toleranceSec?: number;
  /** Runs allowed in flight at once; one more is answered `409` (busy). Default `Infinity`. */
  maxConcurrent?: number;
  /** Retries of a failed result report (network error, 5xx, 408, 429) after the first attempt. Default 8. */
  reportRetries?: number;
  /** Backoff before the first retry of a result report, in ms, doubled each retry (with jitter). Default 1000. */
  reportBackoffMs?: number;
  /** Longest backoff between two result-report retries, in ms. Default 60000. */
  reportMaxBackoffMs?: number;
  /** Timeout of each progress or result request to JobCenter, in ms. Default 10000. */
  callbackTimeoutMs?: number;
  /**
   * While an async run's handler runs, send a heartbeat (a progress call with
   * no fields) after this many ms without any progress, log or heartbeat call,
   * so a job with a `heartbeatSec` is not declared lost during a long quiet
   * step. In ms; `0` disables. Keep it well below the jobs' `heartbeatSec`.
   * Default 10000.
   */
  heartbeatIntervalMs?: number;
  /**
   * Announce this worker to a worker group (dynamic membership, PROTOCOL.md
   * §5) once it serves: {@link Worker.listen} starts it after listening, or
   * call {@link Worker.startAnnouncing} when you serve through `handle`,
   * `middleware()` or `fastifyPlugin`; `close()` stops it. `secret` defaults
   * to the worker's (first) secret; failures go to `onError`, and `now` dates
   * the signatures. Default: no announcing.
   */
  announce?: WorkerAnnounceOptions;
  /** Largest accepted request body, in bytes; larger is answered `413`. Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
  /** The clock used to check signature times and to date announcements, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Told about what cannot be answered to anyone: a progress or result report
   * that failed for good (a `CallbackError`), an internal error. Default: a
   * `console.warn` line.
   */
  onError?: (error: unknown) => void;
}

/** The `announce` option of {@link createWorker}: {@link AnnounceOptions} with the worker's own defaults. */
export type WorkerAnnounceOptions = Omit<AnnounceOptions, 'secret' | 'now' | 'onError'> & {
  /** The group's signing secret. Default: the worker's `secret` (the first one, during a rotation). */
  secret?: string;
};

/** Options of {@link Worker.close}. */
export interface CloseOptions {
  /** Abort every in-flight run's `ctx.signal` at once instead of letting it finish. Default `false`. */
  cancelRunning?: boolean;
  /**
   * Stop waiting after this many ms: abort the signals of runs still going,
   * give up on unsent result reports, cut open connections. Default: wait as
   * long as it takes.
   */
  timeoutMs?: number;
}

/** An Express (or Connect) middleware. */
export type WorkerMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** A JobCenter worker: its jobs behind the handlers for node:http, Express and Fastify. */
export interface Worker {
  /**
   * A `node:http` request listener: `http.createServer(worker.handle)`.
   * Answers every request itself (`404` for a path with no job); never rejects.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Express middleware: `app.use(worker.middleware())`, or mounted under a
   * prefix (`app.use('/worker', …)`; job paths are then relative to it).
   * Passes requests for other paths to `next()`. Needs the raw body: mount it
   * before `express.json()`, or keep the bytes with
   * `express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })`;
   * `express.raw()` and `express.text()` bodies work as they are.
   */
  middleware(): WorkerMiddleware;
  /**
   * A Fastify plugin: `await app.register(worker.fastifyPlugin)`, optionally
   * with `{ prefix }`. It keeps raw bodies within its own scope only, and
   * closes the worker when the app closes.
   */
  readonly fastifyPlugin: WorkerFastifyPlugin;
  /**
   * Starts a `node:http` server on `port` (default 9090) and `host` (default:
   * every interface) and resolves once it listens. `close()` closes it.
   */
  listen(port?: number, host?: string): Promise<Server>;
  /**
   * Starts announcing the worker as the `announce` option says (at once, then
   * every `intervalMs`). `listen()` calls it; call it yourself, once your
   * server listens, when you serve through `handle`, `middleware()` or
   * `fastifyPlugin`. Idempotent; a no-op without the `announce` option or
   * after `close()`.
   */
  startAnnouncing(): void;
  /**
   * Stops announcing, takes no new runs (new triggers are answered `503`;
   * cancels still work), closes servers started by `listen()`, and resolves when every in-flight
   * run has finished and its result has been reported. Idempotent: later calls
   * return the first call's promise.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Runs accepted and not yet finished. */
  readonly running: number;
}

/**
 * Creates a worker that verifies JobCenter's signed triggers, runs the
 * matching handler, and answers or reports back (PROTOCOL.md §1–2).
 *
 * @example
 * const worker = createWorker({
 *   secret: process.env.JOBCENTER_SECRET!,
 *   jobs: {
 *     '/jobs/refund-sweep': async (ctx) => ({ refunded: await sweep(ctx.params, ctx.signal) }),
 *     '/jobs/ping': { mode: 'sync', handler: () => 'pong' },
 *   },
 * });
 * await worker.listen(9090);
 */
export function createWorker(options: WorkerOptions): Worker {
  const secrets = typeof options.secret === 'string' ? [options.secret] : [...(options.secret ?? [])];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('jobcenter-worker: createWorker: "secret" must be a non-empty string (or several)');
  }
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes, 1024 * 1024);
  const onError =
    options.onError ?? ((error: unknown) => console.warn(`[jobcenter-worker] ${describe(error)}`));
  const core = new WorkerCore(normalizeJobs(options.jobs), {
    secrets,
    toleranceSec: nonNegative('toleranceSec', options.toleranceSec, DEFAULT_TOLERANCE_SEC),
    maxConcurrent: positive('maxConcurrent', options.maxConcurrent, Number.POSITIVE_INFINITY),
    now: options.now ?? Date.now,
    callback: {
      retries: nonNegative('reportRetries', options.reportRetries, 8),
      backoffMs: nonNegative('reportBackoffMs', options.reportBackoffMs, 1000),
      maxBackoffMs: nonNegative('reportMaxBackoffMs', options.reportMaxBackoffMs, 60_000),
      timeoutMs: positive('callbackTimeoutMs', options.callbackTimeoutMs, 10_000),
    },
    heartbeatIntervalMs: nonNegative('heartbeatIntervalMs', options.heartbeatIntervalMs, 10_000),
    onError,
  });
  // Resolved here, so a bad option fails at createWorker and not at listen().
  const announceSettings = options.announce
    ? resolveAnnounceSettings({
        ...options.announce,
        secret: options.announce.secret ?? secrets[0]!,
        now: options.now ?? Date.now,
        onError,
      })
    : undefined;
  const servers = new Set<Server>();
  let closing: Promise<void> | undefined;
  let announcer: Announcer | undefined;

  const startAnnouncing = () => {
    if (!announceSettings || announcer || closing) return;
    announcer = startAnnouncer(announceSettings);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) =>
    serveNodeRequest(core, pathnameOf(req.url), req, res, maxBodyBytes);

  const close = (closeOptions: CloseOptions = {}): Promise<void> => {
    closing ??= closeWorker(core, servers, announcer, closeOptions);
    return closing;
  };

  return {
    handle,
    middleware() {
      return (req, res, next) => {
        const pathname = pathnameOf(req.url);
        if (!core.match(pathname)) {
          next();
          return;
        }
        serveNodeRequest(core, pathname, req, res, maxBodyBytes).catch(next);
      };
    },
    fastifyPlugin: createFastifyPlugin(core, maxBodyBytes, () => close()),
    async listen(port = 9090, host?: string) {
      if (closing) throw new Error('jobcenter-worker: listen() after close()');
      const server = createServer((req, res) => {
        void handle(req, res);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      servers.add(server);
      startAnnouncing();
      return server;
    },
    startAnnouncing,
    close,
    get running() {
      return core.running;
    },
  };
}

async function closeWorker(
  core: WorkerCore,
  servers: Set<Server>,
  announcer: Announcer | undefined,
  options: CloseOptions,
): Promise<void> {
  // Stop announcing first: a closing worker takes no new runs, so it stops claiming membership.
  const announcerStopped = announcer?.stop();
  core.beginClose(options.cancelRunning ?? false);
  const serversClosed = [...servers].map(
    (server) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  );
  const everything = Promise.all([core.settled(), announcerStopped, ...serversClosed]).then(() => undefined);
  if (options.timeoutMs === undefined) return everything;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.min(options.timeoutMs ?? 0, 2 ** 31 - 1));
  });
  const outcome = await Promise.race([everything, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    core.cancelAll('the worker closed before the run finished');
    core.abandonReports();
    for (const server of servers) server.closeAllConnections();
  }
}

function normalizeJobs(jobs: WorkerOptions['jobs']): Map<string, Required<JobDefinition>> {
  const normalized = new Map<string, Required<JobDefinition>>();
  for (const [path, job] of Object.entries(jobs ?? {})) {
    if (!path.startsWith('/') || /[?#\s]/.test(path)) {
      throw new TypeError(
        `jobcenter-worker: createWorker: job path "${path}" must start with "/" and have no query`,
      );
    }
    const definition: JobDefinition = typeof job === 'function' ? { handler: job } : job;
    const mode: JobMode = definition.mode ?? 'async';
    if (typeof definition.handler !== 'function' || (mode !== 'sync' && mode !== 'async')) {
      throw new TypeError(
        `jobcenter-worker: createWorker: job "${path}" must be a function or { mode?: 'sync' | 'async', handler }`,
      );
    }
    normalized.set(path, { mode, handler: definition.handler });
  }
  if (normalized.size === 0) throw new TypeError('jobcenter-worker: createWorker: register at least one job');
  for (const path of normalized.keys()) {
    if (path.endsWith('/cancel') && normalized.has(path.slice(0, -'/cancel'.length))) {
      throw new TypeError(
        `jobcenter-worker: createWorker: job path "${path}" collides with the cancel path of its parent job`,
      );
    }
  }
  return normalized;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`jobcenter-worker: createWorker: ${name} must be > 0, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0))
    throw new RangeError(`jobcenter-worker: createWorker: ${name} must be >= 0, got ${value}`);
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
