/**
 * Every error the worker answers with, as `{"error": {"code", "message"}}`
 * (PROTOCOL.md's error shape), and its HTTP status. One registry so the
 * README's table and the code cannot drift apart.
 */
export const workerErrors = {
  /** No `X-JobCenter-Signature` header. */
  signature_missing: 401,
  /** The header is not `t=<unix seconds>,v1=<64 hex digits>`. */
  signature_malformed: 401,
  /** No `v1` matches the HMAC of the body with any configured secret. */
  signature_mismatch: 401,
  /** `t` is further from the worker's clock than the tolerance. */
  signature_expired: 401,
  /** No job is registered at this path. */
  not_found: 404,
  /** The path exists but not for this HTTP method. */
  method_not_allowed: 405,
  /** The body is not valid JSON. */
  invalid_json: 400,
  /** The body is JSON but lacks what the protocol requires (e.g. `runId`). */
  invalid_trigger: 400,
  /** The body exceeds `maxBodyBytes`. */
  body_too_large: 413,
  /** `maxConcurrent` runs are already in flight (PROTOCOL.md §1: JobCenter may try another member). */
  busy: 409,
  /** `close()` was called; the worker takes no new runs. */
  closing: 503,
  /** An Express body parser consumed the body without keeping its raw bytes. */
  raw_body_unavailable: 500,
  /** A bug in the worker or its adapter; the message is not leaked. */
  internal_error: 500,
} as const;

/** A code from {@link workerErrors}. */
export type WorkerErrorCode = keyof typeof workerErrors;

/** An error the worker turns into an HTTP answer with the code's status. */
export class WorkerHttpError extends Error {
  override readonly name: string = 'WorkerHttpError';
  /** The HTTP status sent for this error, from {@link workerErrors}. */
  readonly status: number;

  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(`jobcenter-worker: ${message}`);
    this.status = workerErrors[code];
  }
}

/**
 * A progress or result report to JobCenter (PROTOCOL.md §2) that did not get
 * through. `retryable` tells whether trying again later could help (network
 * errors, 5xx, 408, 429) or not (400, 401, 404: the report itself is wrong).
 */
export class CallbackError extends Error {
  override readonly name: string = 'CallbackError';

  constructor(
    message: string,
    /** The run the report was for. */
    readonly runId: string,
    /** The HTTP status JobCenter answered, or `null` for a network error or timeout. */
    readonly status: number | null,
    /** Whether a later attempt could succeed. */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`jobcenter-worker: ${message}`, options);
  }
}

/**
 * A worker announcement (`POST {server}/api/v1/worker-groups/{group}/heartbeat`,
 * PROTOCOL.md §5) that did not get through. The announcer keeps going: the
 * next one is sent after `intervalMs` whatever this one's fate, so it is only
 * passed to `onError`.
 */
export class AnnounceError extends Error {
  override readonly name: string = 'AnnounceError';

  constructor(
    message: string,
    /** The HTTP status JobCenter answered, or `null` for a network error or timeout. */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(`jobcenter-worker: ${message}`, options);
  }
}

/** The body of an error answer: `{"error": {"code", "message"}}`. */
export function errorBody(
  code: WorkerErrorCode,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message: message.replace(/^jobcenter-worker: /, '') } };
}
