/**
 * Fires that fell due while no scheduler ran (PROTOCOL.md §4 misfire), as a
 * pure plan of which rows to write.
 */
import type { MisfirePolicy } from './job.js';

export interface DueFires {
  /** The earliest due fires, in order, at most `maxRows` of them. */
  first: number[];
  /** How many fires fell due in all. */
  total: number;
  /** The latest due fire, and the one before it (null when fewer). */
  last: number | null;
  beforeLast: number | null;
  /** True when `total` was extrapolated rather than counted (very long outages). */
  approximate?: boolean;
}

export interface MisfirePlan {
  /** Nominal times recorded `missed`, one row each. */
  missed: number[];
  /** One more `missed` row standing for fires not recorded one by one. */
  summary: { at: number; count: number; approximate: boolean } | null;
  /** Under fire_once: the latest fire, run now as a `catchup` run. */
  catchup: number | null;
}

export function planMisfire(policy: MisfirePolicy, due: DueFires, maxRows: number): MisfirePlan {
  if (due.total === 0 || due.last === null) return { missed: [], summary: null, catchup: null };
  const catchup = policy === 'fire_once' ? due.last : null;
  // The fires that become missed rows: all of them, less the catchup one.
  const missedTotal = due.total - (catchup === null ? 0 : 1);
  const lastMissed = catchup === null ? due.last : due.beforeLast;
  if (missedTotal <= maxRows) {
    const missed = due.first.slice(0, missedTotal);
    return { missed, summary: null, catchup };
  }
  const missed = due.first.slice(0, maxRows);
  return {
    missed,
    summary:
      lastMissed === null
        ? null
        : { at: lastMissed, count: missedTotal - maxRows, approximate: due.approximate === true },
    catchup,
  };
}
