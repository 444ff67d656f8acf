/** setTimeout fires at once for delays above 2^31-1 ms, so the interval is capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `beat` after `intervalMs` without any report of the run, again and
 * again until stopped. Every report (progress, log, heartbeat) calls
 * {@link touch}, which restarts the wait: a run that reports often sends no
 * extra heartbeat at all.
 *
 * The timer is not unref'd on purpose: it lives exactly as long as the run's
 * handler, which holds the process anyway, and a leaked one stays visible.
 */
export class HeartbeatTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, beat: () => void) {
    this.#timer = setTimeout(
      () => {
        if (this.#timer === undefined) return;
        beat();
        // beat() usually touches, which re-arms already; a refresh is cheap and makes sure.
        this.#timer?.refresh();
      },
      Math.min(intervalMs, MAX_TIMER_MS),
    );
  }

  /** Restarts the wait: a report was just made. */
  touch(): void {
    this.#timer?.refresh();
  }

  /** Stops for good. Idempotent. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
