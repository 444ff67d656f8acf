import type { Schedule } from '../cron/schedule.js';
import type { DueFires } from '../domain/misfire.js';

/** Fires with `from < at <= to`: the first `keep` of them, the total count, and the last two. */
export function enumerateDue(schedule: Schedule, from: number, to: number, keep: number): DueFires {
  const first: number[] = [];
  let total = 0;
  let last: number | null = null;
  let beforeLast: number | null = null;
  for (let at = schedule.nextAfter(from); at !== null && at <= to; at = schedule.nextAfter(at)) {
    if (first.length < keep) first.push(at);
    beforeLast = last;
    last = at;
    total++;
  }
  return { first, total, last, beforeLast };
}
