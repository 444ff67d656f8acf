import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgressUpdate } from './context.js';
import { CallbackError } from './errors.js';
import type { JobResult } from './job-result.js';
import type { RunCallback } from './trigger.js';

/** How result reports are retried and bounded; all times in milliseconds. */
export interface CallbackSettings {
  /** Timeout of one callback request. */
  timeoutMs: number;
  /** Retries of a result report after the first attempt. */
  retries: number;
  /** First backoff; doubled at each retry. */
  backoffMs: number;
  /** Longest backoff between two retries. */
  maxBackoffMs: number;
  /** Aborted to give up on every report (worker `close()` past its timeout). */
  shutdown: AbortSignal;
}

/** setTimeout fires at once for delays above 2^31-1 ms, so every wait is capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Posts one progress update to `{callback.url}/progress`, without retry:
 * progress is advisory and the next update supersedes it. A `409` (the run has
 * ended, e.g. it was cancelled) is not an error.
 *
 * @throws {CallbackError} on a network error, a timeout or another non-2xx answer
 */
export async function postProgress(
  runId: string,
  callback: RunCallback,
  update: ProgressUpdate,
  settings: CallbackSettings,
): Promise<void> {
  const { status } = await postCallback(runId, `${callback.url}/progress`, callback.token, update, settings);
  if ((status >= 200 && status < 300) || status === 409) return;
  throw new CallbackError(`progress report for run ${runId} answered ${status}`, runId, status, false);
}

/**
 * Posts the result to `{callback.url}/result`, retrying with exponential
 * backoff (with jitter, honouring `Retry-After`) on network errors, timeouts,
 * 5xx, 408 and 429. A `409` means JobCenter already recorded a result for the
 * run, so there is nothing left to do. Other 4xx are not retried: the same
 * request would get the same answer.
 *
 * @throws {CallbackError} when the report is refused or the retries run out
 */
export async function reportResult(
  runId: string,
  callback: RunCallback,
  result: JobResult,
  settings: CallbackSettings,
): Promise<void> {
  const url = `${callback.url}/result`;
  for (let attempt = 0; ; attempt++) {
    let failure: CallbackError;
    let retryAfterMs: number | null = null;
    try {
      const answer = await postCallback(runId, url, callback.token, result, settings);
      if ((answer.status >= 200 && answer.status < 300) || answer.status === 409) return;
      const retryable = answer.status >= 500 || answer.status === 408 || answer.status === 429;
      failure = new CallbackError(
        `result report for run ${runId} answered ${answer.status}`,
        runId,
        answer.status,
        retryable,
      );
      retryAfterMs = answer.retryAfterMs;
    } catch (error) {
      if (!(error instanceof CallbackError)) throw error;
      failure = error;
    }
    if (!failure.retryable || attempt >= settings.retries || settings.shutdown.aborted) {
      if (failure.retryable && attempt >= settings.retries) {
        throw new CallbackError(
          `gave up reporting the result of run ${runId} after ${attempt + 1} attempts: ${failure.message}`,
          runId,
          failure.status,
          true,
          { cause: failure },
        );
      }
      throw failure;
    }
    const backoff = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** attempt);
    // Jitter spreads the retries of many workers hitting a recovering JobCenter at once.
    const delay = Math.max(retryAfterMs ?? 0, backoff / 2 + Math.random() * (backoff / 2));
    try {
      await sleep(Math.min(delay, MAX_TIMER_MS), undefined, { signal: settings.shutdown });
    } catch {
      throw new CallbackError(
        `worker closed before the result of run ${runId} was reported`,
        runId,
        null,
        true,
        {
          cause: failure,
        },
      );
    }
  }
}

async function postCallback(
  runId: string,
  url: string,
  token: string,
  body: unknown,
  settings: CallbackSettings,
): Promise<{ status: number; retryAfterMs: number | null }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), settings.shutdown]),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new CallbackError(`could not reach ${url}: ${reason}`, runId, null, true, { cause: error });
  }
  // Read the answer to the end so the connection goes back to the pool.
  await response.arrayBuffer().catch(() => undefined);
  return { status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
