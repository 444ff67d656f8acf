import type { IncomingHttpHeaders } from 'node:http';
import type { CallbackSettings } from './callback-client.js';
import { errorBody, WorkerHttpError } from './errors.js';
import type { JobHandler } from './job-result.js';
import { type ActiveRun, startRun } from './run-execution.js';
import { verifySignature } from './signature.js';
import { parseJsonObject, triggerFromBody, triggerFromHeaders } from './trigger.js';

/**
 * How a job answers its trigger.
 * - `sync`: the handler runs within the request and the answer (`200`) carries
 *   the result. Only for jobs that finish well within the job's
 *   `target.responseTimeoutMs` (default 30 s).
 * - `async`: the worker answers `202` at once, runs the handler, and reports the
 *   result to `{callback.url}/result`. A trigger without a callback (GET
 *   triggers) runs sync whatever the mode, as there is nowhere to report to.
 */
export type JobMode = 'sync' | 'async';

/** A job with its mode spelled out; a bare handler is `{ mode: 'async', handler }`. */
export interface JobDefinition {
  /** Default `'async'`. */
  mode?: JobMode;
  handler: JobHandler;
}

/** A request as every adapter hands it to the core: method, headers, exact body bytes. */
export interface WorkerRequest {
  method: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/**
 * The answer to send. When `afterResponse` is set the adapter must call it once
 * the answer is flushed (`delivered: true`) or could not be (`false`): an
 * accepted async run starts only then, so it never races its own `202`, and is
 * dropped if JobCenter never got the `202` (it will send the run elsewhere).
 */
export interface WorkerAnswer {
  status: number;
  body: unknown;
  afterResponse?: (delivered: boolean) => void;
}

/** A path the worker answers: a job's trigger path, or its `/cancel` path. */
export interface Route {
  kind: 'trigger' | 'cancel';
  path: string;
  mode: JobMode;
  handler: JobHandler;
}

/** The core's settings, already defaulted and validated by `createWorker`. */
export interface CoreSettings {
  secrets: readonly string[];
  toleranceSec: number;
  maxConcurrent: number;
  now: () => number;
  callback: Omit<CallbackSettings, 'shutdown'>;
  /** Automatic heartbeats of async runs after this many ms without a report; 0: none. */
  heartbeatIntervalMs: number;
  onError: (error: unknown) => void;
}

/**
 * Routing, signature checks and the life of runs, free of any HTTP server:
 * the node:http, Express and Fastify adapters all feed it the same
 * {@link WorkerRequest}.
 */
export class WorkerCore {
  readonly routes = new Map<string, Route>();
  readonly #settings: CoreSettings;
  /** By `<path>#<runId>#<shard index>`. */
  readonly #inFlight = new Map<string, ActiveRun>();
  /** Runs and result reports not yet settled, for `close()` to wait on. */
  readonly #work = new Set<Promise<unknown>>();
  readonly #shutdown = new AbortController();
  #closing = false;

  constructor(jobs: ReadonlyMap<string, Required<JobDefinition>>, settings: CoreSettings) {
    this.#settings = settings;
    for (const [path, job] of jobs) {
      this.routes.set(path, { kind: 'trigger', path, ...job });
      this.routes.set(`${path}/cancel`, { kind: 'cancel', path, ...job });
    }
  }

  /** Runs whose handler has been accepted and has not finished. */
  get running(): number {
    return this.#inFlight.size;
  }

  /** The route for a request path (without its query string), if any. */
  match(pathname: string): Route | undefined {
    return this.routes.get(pathname);
  }

  /** Answers one request to a matched route. Never rejects: every error becomes an answer. */
  async dispatch(route: Route, request: WorkerRequest): Promise<WorkerAnswer> {
    try {
      if (route.kind === 'cancel') {
        if (request.method !== 'POST') throw methodNotAllowed(request.method, route.path, 'POST');
        return this.#cancel(route, request);
      }
      if (request.method !== 'POST' && request.method !== 'GET') {
        throw methodNotAllowed(request.method, route.path, 'POST or GET');
      }
      return await this.#trigger(route, request);
    } catch (error) {
      if (error instanceof WorkerHttpError) {
        return { status: error.status, body: errorBody(error.code, error.message) };
      }
      this.#settings.onError(error);
      return { status: 500, body: errorBody('internal_error', 'internal error in the worker') };
    }
  }

  /** Refuses new runs from now on; with `cancelRunning`, aborts every in-flight run's signal. */
  beginClose(cancelRunning: boolean): void {
    this.#closing = true;
    if (cancelRunning) this.cancelAll('the worker is closing');
  }

  /** Aborts every in-flight run's signal with an `AbortError` carrying `why`. */
  cancelAll(why: string): void {
    for (const run of this.#inFlight.values()) run.abort(new DOMException(why, 'AbortError'));
  }

  /** Resolves when every run and result report has settled. */
  async settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  /** Gives up on pending result reports: their retries stop at once. */
  abandonReports(): void {
    this.#shutdown.abort();
  }

  async #trigger(route: Route, request: WorkerRequest): Promise<WorkerAnswer> {
    this.#verify(request);
    const trigger =
      request.method === 'GET'
        ? triggerFromHeaders(request.headers)
        : triggerFromBody(request.rawBody, request.headers);
    const mode: JobMode = route.mode === 'async' && trigger.callback ? 'async' : 'sync';
    // Keyed by shard too: two shards of one broadcast run may land on one
    // process (two member URLs), and each is a run of its own.
    const key = `${route.path}#${trigger.runId}#${trigger.shard.index}`;
    const existing = this.#inFlight.get(key);
    if (existing) {
      // A later attempt of a run already executing here (JobCenter did not get
      // our first answer in time): share that execution rather than run twice.
      if (mode === 'async') return { status: 202, body: { runId: trigger.runId, accepted: true } };
      return { status: 200, body: await existing.result };
    }
    if (this.#closing) throw new WorkerHttpError('closing', 'the worker is closing and takes no new runs');
    if (this.#inFlight.size >= this.#settings.maxConcurrent) {
      throw new WorkerHttpError('busy', `busy: ${this.#inFlight.size} runs in flight (maxConcurrent)`);
    }
    const run = startRun(route.handler, route.path, trigger, mode, {
      callback: { ...this.#settings.callback, shutdown: this.#shutdown.signal },
      heartbeatIntervalMs: this.#settings.heartbeatIntervalMs,
      onError: this.#settings.onError,
    });
    this.#inFlight.set(key, run);
    void run.result.finally(() => this.#inFlight.delete(key));
    this.#track(run.settled);
    if (mode === 'async') {
      return { status: 202, body: { runId: trigger.runId, accepted: true }, afterResponse: run.begin };
    }
    run.begin(true);
    return { status: 200, body: await run.result };
  }

  /**
   * Answers a cancel: `200 {"runId", "cancelled": true}` when the run (any of
   * its shards) is executing here at this path, else `200 {"runId",
   * "cancelled": false, "reason": "unknown run"}`. Not a 404: the run is not
   * running here, which is what JobCenter asked for, and a 404 could not be
   * told apart from a worker that has no such job path.
   */
  #cancel(route: Route, request: WorkerRequest): WorkerAnswer {
    this.#verify(request);
    const { runId } = parseJsonObject(request.rawBody);
    if (typeof runId !== 'string' || runId === '') {
      throw new WorkerHttpError('invalid_trigger', 'the cancel body needs a non-empty string "runId"');
    }
    let cancelled = false;
    for (const run of this.#inFlight.values()) {
      if (run.runId !== runId || run.path !== route.path) continue;
      run.cancelByJobCenter();
      cancelled = true;
    }
    if (!cancelled) return { status: 200, body: { runId, cancelled: false, reason: 'unknown run' } };
    return { status: 200, body: { runId, cancelled: true } };
  }

  #verify(request: WorkerRequest): void {
    verifySignature(this.#settings.secrets, request.headers['x-jobcenter-signature'], request.rawBody, {
      nowMs: this.#settings.now(),
      toleranceSec: this.#settings.toleranceSec,
    });
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.#settings.onError(error));
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }
}

function methodNotAllowed(method: string, path: string, allowed: string): WorkerHttpError {
  return new WorkerHttpError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`);
}
