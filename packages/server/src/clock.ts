/** The source of time for everything time-dependent, so tests can fix it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The longest delay `setTimeout` honours (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** setTimeout capped at the timer limit; the callback must re-check whether its time has come. */
export function setCappedTimeout(fn: () => void, delayMs: number): NodeJS.Timeout {
  return setTimeout(fn, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Where in each second background work runs: half a second away from the whole seconds cron fires at. */
export const BACKGROUND_PHASE_MS = 500;

/**
 * Milliseconds from `now` to the next instant that is `phaseMs` past a
 * multiple of `intervalMs` (counted from the epoch). Cron fires fall on
 * whole seconds; periodic background work (lease renewal, monitor sweeps,
 * member refresh) locked to the half second never competes with them for
 * the event loop or the database, however long it runs.
 */
export function delayToPhase(now: number, intervalMs: number, phaseMs = BACKGROUND_PHASE_MS): number {
  const offset = phaseMs % intervalMs;
  const since = (((now - offset) % intervalMs) + intervalMs) % intervalMs;
  return intervalMs - since;
}
