import type { Schedule } from './schedule.js';
import { wallClockMs } from './time-zone.js';

/** One upcoming fire, for showing a schedule to a person. */
export interface PreviewFire {
  /** The instant, ISO 8601 in UTC with ms, e.g. `2027-03-14T07:00:00.000Z`. */
  at: string;
  /** The same instant in the schedule's zone with that zone's offset then, e.g. `2027-03-14T03:00:00-04:00`. */
  local: string;
}

/**
 * The first `count` fires strictly after `fromMs` (epoch ms), fewer if the schedule ends.
 * @throws RangeError if `count` is not a whole number ≥ 0.
 */
export function previewFires(schedule: Schedule, count: number, fromMs: number): PreviewFire[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`previewFires: count must be a whole number >= 0, got ${count}`);
  }
  const fires: PreviewFire[] = [];
  let after = fromMs;
  while (fires.length < count) {
    const at = schedule.nextAfter(after);
    if (at === null) break;
    fires.push({ at: new Date(at).toISOString(), local: formatLocal(schedule.timezone, at) });
    after = at;
  }
  return fires;
}

/** `ms` as local ISO 8601 to the second with the zone's offset (`+00:00` for UTC, never `Z`). */
function formatLocal(timeZone: string, ms: number): string {
  const wall = wallClockMs(timeZone, ms);
  const offsetMinutes = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(offsetMinutes) / 60);
  const minutes = Math.abs(offsetMinutes) % 60;
  const offset = `${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  return `${new Date(wall).toISOString().slice(0, 19)}${offset}`;
}
