/** Execution retries (PROTOCOL.md §4 `retry`): when the next re-run of a failed or lost run is due. */

/** The longest wait before a re-run, ms: every retry stays within the window a restart resumes. */
export const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

/**
 * The wait before the `n`-th re-run (1-based): `backoffSec` doubled per
 * earlier re-run, capped at 6 hours, times a jitter in [0.8, 1.2) so jobs
 * that failed together do not all come back in the same millisecond.
 */
export function retryDelayMs(backoffSec: number, n: number, random: () => number = Math.random): number {
  const base = backoffSec * 1000 * 2 ** Math.max(0, n - 1);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, jittered));
}

/** Which ended runs are re-run: failed (including not delivered) and lost ones; never cancelled or skipped. */
export function shouldRetry(status: string, retriesLeft: number): boolean {
  return retriesLeft > 0 && (status === 'failed' || status === 'lost');
}
