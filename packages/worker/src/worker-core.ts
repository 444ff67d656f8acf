import type { IncomingHttpHeaders } from 'node:http';
import { type CallbackSettings, postProgress, reportResult } from './callback-client.js';
import { createJobContext } from './context.js';
import { errorBody, WorkerHttpError } from './errors.js';
import { invokeHandler, type JobHandler, type JobResult } from './job-result.js';
import { ProgressReporter } from './progress-reporter.js';
import { verifySignature } from './signature.js';
import { parseJsonObject, type Trigger, triggerFromBody, triggerFromHeaders } from './trigger.js';

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
  onError: (error: unknown) => void;
}

interface InFlightRun {
  path: string;
  controller: AbortController;
  result: Promise<JobResult>;
}

/**
 * Routing, signature checks and the life of runs, free of any HTTP server:
 * the node:http, Express and Fastify adapters all feed it the same
 * {@link WorkerRequest}.
 */
export class WorkerCore {
  readonly routes = new Map<string, Route>();
  readonly #settings: CoreSettings;
  readonly #inFlight = new Map<string, InFlightRun>();
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
    for (const run of this.#inFlight.values()) run.controller.abort(new DOMException(why, 'AbortError'));
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
    const existing = this.#inFlight.get(trigger.runId);
    if (existing && existing.path === route.path) {
      // A later attempt of a run already executing here (JobCenter did not get
      // our first answer in time): share that execution rather than run twice.
      if (mode === 'async') return { status: 202, body: { runId: trigger.runId, accepted: true } };
      return { status: 200, body: await existing.result };
    }
    if (this.#closing) throw new WorkerHttpError('closing', 'the worker is closing and takes no new runs');
    if (this.#inFlight.size >= this.#settings.maxConcurrent) {
      throw new WorkerHttpError('busy', `busy: ${this.#inFlight.size} runs in flight (maxConcurrent)`);
    }
    const run = this.#startRun(route, trigger, mode);
    if (mode === 'async') {
      return { status: 202, body: { runId: trigger.runId, accepted: true }, afterResponse: run.begin };
    }
    run.begin(true);
    return { status: 200, body: await run.result };
  }

  #cancel(route: Route, request: WorkerRequest): WorkerAnswer {
    this.#verify(request);
    const { runId } = parseJsonObject(request.rawBody);
    if (typeof runId !== 'string' || runId === '') {
      throw new WorkerHttpError('invalid_trigger', 'the cancel body needs a non-empty string "runId"');
    }
    const run = this.#inFlight.get(runId);
    if (!run || run.path !== route.path) {
      throw new WorkerHttpError(
        'run_not_found',
        `run ${runId} is not in flight at ${route.path} on this worker`,
      );
    }
    run.controller.abort(new DOMException(`run ${runId} was cancelled by JobCenter`, 'AbortError'));
    return { status: 200, body: { runId, cancelled: true } };
  }

  #verify(request: WorkerRequest): void {
    verifySignature(this.#settings.secrets, request.headers['x-jobcenter-signature'], request.rawBody, {
      nowMs: this.#settings.now(),
      toleranceSec: this.#settings.toleranceSec,
    });
  }

  /**
   * Registers the run at once (it counts against `maxConcurrent` and can be
   * cancelled from now on) but runs the handler only when `begin` is called.
   */
  #startRun(route: Route, trigger: Trigger, mode: JobMode) {
    const { runId, callback } = trigger;
    const settings = this.#settings;
    const callbackSettings: CallbackSettings = { ...settings.callback, shutdown: this.#shutdown.signal };
    const controller = new AbortController();
    const reporter = callback
      ? new ProgressReporter(
          (update) => postProgress(runId, callback, update, callbackSettings),
          settings.onError,
        )
      : undefined;
    const ctx = createJobContext(trigger, controller.signal, (update) =>
      reporter ? reporter.push(update) : Promise.resolve(),
    );
    let begin: (delivered: boolean) => void = () => {};
    const begun = new Promise<boolean>((resolve) => {
      begin = resolve;
    });
    const result = begun
      .then(async (delivered): Promise<JobResult | null> => {
        if (!delivered) return null;
        const outcome = await invokeHandler(route.handler, ctx);
        // JobCenter refuses progress once the result is in: send what is queued first.
        await reporter?.flush();
        return outcome;
      })
      .finally(() => this.#inFlight.delete(runId));
    this.#inFlight.set(runId, { path: route.path, controller, result: result.then(orDropped) });
    if (mode === 'async' && callback) {
      this.#track(
        result.then((outcome) =>
          outcome ? reportResult(runId, callback, outcome, callbackSettings) : undefined,
        ),
      );
    } else {
      this.#track(result);
    }
    return { begin, result: result.then(orDropped) };
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.#settings.onError(error));
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }
}

function orDropped(outcome: JobResult | null): JobResult {
  return outcome ?? { status: 'failed', message: 'the trigger was never answered, so the run did not start' };
}

function methodNotAllowed(method: string, path: string, allowed: string): WorkerHttpError {
  return new WorkerHttpError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`);
}
