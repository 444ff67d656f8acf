import type { Schedule } from '../cron/schedule.js';
import type { DueFires } from '../domain/misfire.js';

/**
 * Fires counted one by one before the rest of a long outage is estimated.
 * An every-second job down for a day has 86,400 fires (about 3 s of cron
 * arithmetic); a month would take minutes per schedule at start-up.
 */
export const MAX_COUNTED_FIRES = 100_000;

/**
 * Fires with `from < at <= to`: the first `keep` of them, the total count,
 * and the last two. Beyond `maxCounted` fires the total is extrapolated from
 * the average interval so far (`approximate`), and the last two are found by
 * searching back from `to`.
 */
export function enumerateDue(
  schedule: Schedule,
  from: number,
  to: number,
  keep: number,
  maxCounted = MAX_COUNTED_FIRES,
): DueFires {
  const first: number[] = [];
  let total = 0;
  let last: number | null = null;
  let beforeLast: number | null = null;
  let at = schedule.nextAfter(from);
  for (; at !== null && at <= to; at = schedule.nextAfter(at)) {
    if (first.length < keep) first.push(at);
    beforeLast = last;
    last = at;
    total++;
    if (total >= maxCounted) break;
  }
  if (total < maxCounted || last === null || first[0] === undefined)
    return { first, total, last, beforeLast };
  const next = schedule.nextAfter(last);
  if (next === null || next > to) return { first, total, last, beforeLast };
  // Extrapolate the count from the average interval, and find the true last two fires near `to`.
  const interval = (last - first[0]) / Math.max(1, total - 1);
  const counted = total;
  for (let window = Math.max(1_000, interval * 2); ; window *= 4) {
    const start = Math.max(last, to - window);
    const tail: number[] = [];
    for (let t = schedule.nextAfter(start); t !== null && t <= to; t = schedule.nextAfter(t)) {
      tail.push(t);
      if (tail.length > 2) tail.shift();
    }
    if (tail.length === 2 || start === last) {
      const lastFire = tail[tail.length - 1] ?? last;
      return {
        first,
        total: counted + Math.max(1, Math.round((lastFire - last) / interval)),
        last: lastFire,
        beforeLast: tail.length === 2 ? (tail[0] as number) : last,
        approximate: true,
      };
    }
  }
}
