import type { IncomingHttpHeaders } from 'node:http';
import { WorkerHttpError } from './errors.js';

/**
 * Why JobCenter started the run: `schedule`, `manual` (run now), `retry`
 * (a re-run after a failed or lost run) or `catchup` (a misfired fire run
 * late). Kept open to strings so a newer JobCenter's kinds pass through.
 */
export type TriggerKind = 'schedule' | 'manual' | 'retry' | 'catchup' | (string & {});

/** This member's slice of a broadcast run; `{ index: 0, total: 1 }` otherwise. */
export interface Shard {
  /** 0-based index of this member's shard. */
  readonly index: number;
  /** Number of shards, i.e. of members the run was broadcast to. */
  readonly total: number;
}

/** Where and how to report progress and the result of a run (PROTOCOL.md §2). */
export interface RunCallback {
  /** Base URL; the SDK posts to `{url}/progress` and `{url}/result`. */
  readonly url: string;
  /** The run token, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
}

/**
 * A trigger as the worker understood it. For a POST trigger every field comes
 * from the JSON body (PROTOCOL.md §1). For a GET trigger only `runId` and
 * `attempt` are known (from the `X-JobCenter-Run` and `X-JobCenter-Attempt`
 * headers); the body-only fields are `null`, `params` is `{}` and there is no
 * callback.
 */
export interface Trigger {
  /** The HTTP method JobCenter used: the job's `target.method`. */
  readonly method: 'POST' | 'GET';
  /** The run's id (a ULID). */
  readonly runId: string;
  /** The job's id; `null` for a GET trigger. */
  readonly jobId: string | null;
  /** The job's name; `null` for a GET trigger. */
  readonly job: string | null;
  /** The fire's nominal time (ISO-8601 UTC); `null` for a GET trigger. */
  readonly scheduledAt: string | null;
  /** When the first attempt was sent (ISO-8601 UTC), the same in every attempt; `null` for a GET trigger. */
  readonly firedAt: string | null;
  /** 1-based notification attempt number. */
  readonly attempt: number;
  /** Why the run started; `null` for a GET trigger. */
  readonly trigger: TriggerKind | null;
  /** The job's params shallow-merged with run-now params; `{}` for a GET trigger. */
  readonly params: Readonly<Record<string, unknown>>;
  /** This member's shard of a broadcast run; `{ index: 0, total: 1 }` otherwise. */
  readonly shard: Shard;
  /** The job's timeout warning in seconds, or `null` for none (and for a GET trigger). */
  readonly timeoutSec: number | null;
  /** Where to report; absent for a GET trigger. */
  readonly callback: RunCallback | null;
  /** The whole parsed body, including fields newer than this SDK; `{}` for a GET trigger. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Reads a GET trigger: no body, the run travels in the headers (PROTOCOL.md §1). */
export function triggerFromHeaders(headers: IncomingHttpHeaders): Trigger {
  const runId = firstHeader(headers['x-jobcenter-run']);
  if (!runId) {
    throw new WorkerHttpError('invalid_trigger', 'a GET trigger needs an X-JobCenter-Run header');
  }
  return {
    method: 'GET',
    runId,
    jobId: null,
    job: null,
    scheduledAt: null,
    firedAt: null,
    attempt: attemptFromHeader(headers),
    trigger: null,
    params: {},
    shard: { index: 0, total: 1 },
    timeoutSec: null,
    callback: null,
    payload: {},
  };
}

/**
 * Reads a POST trigger's JSON body. Only `runId` is required; missing
 * optional fields take the protocol's defaults so an older or newer JobCenter
 * still gets its run executed.
 *
 * @throws {WorkerHttpError} `invalid_json` or `invalid_trigger` (both 400)
 */
export function triggerFromBody(rawBody: Buffer, headers: IncomingHttpHeaders): Trigger {
  const body = parseJsonObject(rawBody);
  const runId = body.runId;
  if (typeof runId !== 'string' || runId === '') {
    throw new WorkerHttpError('invalid_trigger', 'the trigger body needs a non-empty string "runId"');
  }
  return {
    method: 'POST',
    runId,
    jobId: stringOrNull(body.jobId),
    job: stringOrNull(body.job),
    scheduledAt: stringOrNull(body.scheduledAt),
    firedAt: stringOrNull(body.firedAt),
    attempt: isPositiveInteger(body.attempt) ? body.attempt : attemptFromHeader(headers),
    trigger: stringOrNull(body.trigger),
    params: isPlainObject(body.params) ? body.params : {},
    shard: readShard(body.shard),
    timeoutSec: typeof body.timeoutSec === 'number' ? body.timeoutSec : null,
    callback: readCallback(body.callback),
    payload: body,
  };
}

/**
 * Parses a body that must be a JSON object.
 *
 * @throws {WorkerHttpError} `invalid_json` when it is not
 */
export function parseJsonObject(rawBody: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new WorkerHttpError('invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) {
    throw new WorkerHttpError('invalid_json', 'the body must be a JSON object');
  }
  return value;
}

function readCallback(value: unknown): RunCallback | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value) || typeof value.url !== 'string' || typeof value.token !== 'string') {
    throw new WorkerHttpError('invalid_trigger', '"callback" must be {"url": string, "token": string}');
  }
  return { url: value.url.replace(/\/+$/, ''), token: value.token };
}

function readShard(value: unknown): Shard {
  if (isPlainObject(value) && Number.isInteger(value.index) && isPositiveInteger(value.total)) {
    return { index: value.index as number, total: value.total };
  }
  return { index: 0, total: 1 };
}

function attemptFromHeader(headers: IncomingHttpHeaders): number {
  const attempt = Number(firstHeader(headers['x-jobcenter-attempt']));
  return isPositiveInteger(attempt) ? attempt : 1;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** True for `{…}` literals and `JSON.parse` objects, false for arrays, class instances and `null`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
