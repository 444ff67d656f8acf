/**
 * Retention of run history: which finished runs a job has outgrown. Pure
 * rules, no I/O; the monitor's pruner (monitor/retention.ts) applies them.
 */
import type { JobRetention } from './job.js';

export const DAY_MS = 86_400_000;
/** Longest retention in days (100 years), for the server and for jobs alike. */
export const MAX_RETENTION_DAYS = 36_500;
/** Most runs a job's retention may keep. */
export const MAX_RETENTION_COUNT = 1_000_000_000;
/**
 * Days limits move on the hour. The cut-off then advances once an hour, so a
 * job's outgrown runs go in one batch an hour instead of one tiny delete per
 * job and pass; a run outlives its limit by at most an hour plus a pass.
 */
export const RETENTION_STEP_MS = 3_600_000;

/** The limits that apply to a job: its own per dimension, else the server's. Deleted jobs pass null. */
export function effectiveRetention(own: JobRetention | null, server: JobRetention): JobRetention {
  return { days: own?.days ?? server.days, count: own?.count ?? server.count };
}

/** A run's place in its job's history: ordered by `scheduledAt`, then `id`. */
export interface RunKey {
  at: number;
  id: string;
}

/**
 * Everything of a job at or below this bound is outgrown: runs scheduled
 * before `at`, and, when `id` is set, the runs scheduled at `at` whose id is
 * at most `id`. Open runs are never removed, whatever the bound.
 */
export interface RemovalBound {
  at: number;
  id: string | null;
}

/** Runs scheduled before this instant are outgrown by a days limit (floored to the hour). */
export function daysCutoff(days: number, now: number): number {
  return Math.floor((now - days * DAY_MS) / RETENTION_STEP_MS) * RETENTION_STEP_MS;
}

/**
 * The bound of a job's outgrown runs. `oldestAt` is its oldest run's
 * `scheduledAt` (null: no runs); `countCutoff` the newest run beyond its
 * count limit (null: within the limit, or no limit). Null: nothing outgrown.
 * Either limit removes a run, so the later of the two bounds wins.
 */
export function removalBound(
  limits: JobRetention,
  now: number,
  oldestAt: number | null,
  countCutoff: RunKey | null,
): RemovalBound | null {
  let bound: RemovalBound | null = null;
  if (limits.days !== null && oldestAt !== null) {
    const cutoff = daysCutoff(limits.days, now);
    if (oldestAt < cutoff) bound = { at: cutoff, id: null };
  }
  if (countCutoff !== null && (bound === null || countCutoff.at >= bound.at)) {
    bound = { at: countCutoff.at, id: countCutoff.id };
  }
  return bound;
}

/** The later of two run keys in history order. */
export function laterKey(a: RunKey, b: RunKey): RunKey {
  return a.at > b.at || (a.at === b.at && a.id > b.id) ? a : b;
}
