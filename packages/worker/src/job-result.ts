import { cancelledResult, wasCancelledByJobCenter } from './cancellation.js';
import type { JobContext } from './context.js';
import { isPlainObject } from './trigger.js';

/** The final outcome of a run, as sent to JobCenter (PROTOCOL.md §1 sync answer, §2 result). */
export interface JobResult {
  status: 'succeeded' | 'failed';
  message?: string;
  output?: Record<string, unknown>;
}

/**
 * A job's handler: an async function of the run's context. What it returns
 * becomes the run's result by {@link toJobResult}'s rule; if it throws (or
 * rejects) the run fails with the error's message.
 */
export type JobHandler = (ctx: JobContext) => unknown;

const RESULT_KEYS = new Set(['status', 'message', 'output']);

/**
 * Turns a handler's return value into a result. The rule, in order:
 *
 * 1. `undefined` or `null`: `succeeded`, nothing else.
 * 2. a string: `succeeded` with that string as `message`.
 * 3. an explicit result: a plain object whose `status` is `"succeeded"` or
 *    `"failed"` and which has no keys but `status`, `message` (a string) and
 *    `output` (a plain object): taken as it is.
 * 4. any other plain object: `succeeded` with the object as `output`.
 * 5. anything else (number, boolean, array, class instance): `succeeded` with
 *    `output: { value }`, since JobCenter's `output` is always an object.
 */
export function toJobResult(value: unknown): JobResult {
  if (value === undefined || value === null) return { status: 'succeeded' };
  if (typeof value === 'string') return { status: 'succeeded', message: value };
  if (isPlainObject(value)) {
    if (isExplicitResult(value)) {
      const result: JobResult = { status: value.status };
      if (value.message !== undefined) result.message = value.message;
      if (value.output !== undefined) result.output = value.output;
      return result;
    }
    return { status: 'succeeded', output: value };
  }
  return { status: 'succeeded', output: { value } };
}

function isExplicitResult(
  value: Record<string, unknown>,
): value is { status: JobResult['status']; message?: string; output?: Record<string, unknown> } {
  return (
    (value.status === 'succeeded' || value.status === 'failed') &&
    Object.keys(value).every((key) => RESULT_KEYS.has(key)) &&
    (value.message === undefined || typeof value.message === 'string') &&
    (value.output === undefined || isPlainObject(value.output))
  );
}

/**
 * Runs a handler and settles on its result; never rejects. A throw becomes
 * `{status: "failed", message: <error message>}` (after a cancel, an
 * `AbortError` is reported with the signal's reason instead); an output that cannot be
 * sent as JSON (a cycle, a BigInt) becomes a failure that says so. A run
 * cancelled by JobCenter (or by a mock context's `cancel()`) is `failed` with
 * the cancel's reason as its message, whatever the handler returned; an
 * output it returned is kept. The output is returned as it will be sent
 * (after a JSON round trip), so what a unit test sees is what JobCenter stores.
 */
export async function invokeHandler(handler: JobHandler, ctx: JobContext): Promise<JobResult> {
  let result: JobResult;
  try {
    result = toJobResult(await handler(ctx));
  } catch (error) {
    // APIs given ctx.signal throw their own generic AbortError ("The operation
    // was aborted"); the signal's reason says who cancelled the run and why.
    const cancelled = ctx.signal.aborted && (error === ctx.signal.reason || isAbortError(error));
    result = { status: 'failed', message: errorMessage(cancelled ? ctx.signal.reason : error) };
  }
  if (wasCancelledByJobCenter(ctx.signal)) result = cancelledResult(ctx.signal, result);
  try {
    return JSON.parse(JSON.stringify(result)) as JobResult;
  } catch (error) {
    return {
      status: 'failed',
      message: `the handler's output is not JSON-serializable: ${errorMessage(error)}`,
    };
  }
}

function isAbortError(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return error.message || error.name;
  return String(error);
}
