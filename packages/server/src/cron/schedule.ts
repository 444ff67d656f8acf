import { Cron, type CronOptions } from 'croner';
import { checkCronFields, isFixedTime } from './cron-fields.js';
import { gapBlockOf, gapsAcrossMidnight } from './dst-gaps.js';
import { cronError, ScheduleError } from './schedule-error.js';
import { isKnownTimeZone } from './time-zone.js';

export { ScheduleError, type ScheduleField } from './schedule-error.js';

/** A validated cron schedule in an IANA time zone. */
export interface Schedule {
  /** The expression as given, trimmed, with single spaces between fields. */
  readonly cron: string;
  /** The IANA time zone whose local time the expression is read in, as given (default `UTC`). */
  readonly timezone: string;
  /**
   * The first fire strictly after `afterMs` (epoch ms), or null if there is none before the year
   * 3000 (croner's search horizon). Fires are whole seconds. Croner throws if `afterMs` is not a
   * valid time (NaN, ±Infinity).
   */
  nextAfter(afterMs: number): number | null;
}

/**
 * Croner options for every schedule. Croner reads the expression in the job's zone and already
 * follows Vixie cron across DST: a fixed time skipped by a gap fires at the first instant after it,
 * a fixed time in a repeated hour fires once, at the first occurrence, and wildcard or step times
 * fire in both occurrences and are skipped in a gap. `fixedTimeRule: 'no-wildcard'` makes lists and
 * ranges fixed times as in Vixie cron (croner's default, 'single-value', would make `30 2,14 * * *`
 * skip 02:30 on the day DST starts).
 */
const CRONER_OPTIONS = {
  // Never started, so croner never creates a timer.
  paused: true,
  domAndDow: false,
  mode: '5-or-6-parts',
  fixedTimeRule: 'no-wildcard',
} as const satisfies CronOptions;

/** "Never fires" is checked from here; with no year field every expression repeats within 400 years. */
const NEVER_FIRES_PROBE = new Date(Date.UTC(2000, 0, 1));

/**
 * Validates a cron expression and time zone (default `UTC`) and returns a Schedule.
 *
 * The expression has 5 fields (minute hour day-of-month month day-of-week; second 0) or 6 (a leading
 * second). Fields take numbers, `*`, lists, ranges, steps (`*\/15`, `0-30/10`), month names JAN-DEC
 * and day names SUN-SAT (0 and 7 are Sunday); day-of-month takes `L`, `LW` and `15W`; day-of-week
 * takes `5L` and `FRI#2`/`FRI#L`. Day-of-month and day-of-week combine with OR when both are
 * restricted, as in Vixie cron; when one is `*` only the other counts. (Unlike Vixie cron, a step
 * such as `*\/2` counts as restricted.) Nicknames (`@daily`), `?`, the year field and croner's `+`
 * AND modifier are refused, as PROTOCOL.md §4 allows nothing else.
 *
 * @throws ScheduleError naming `schedule.cron` or `schedule.timezone`, e.g.
 *   `schedule.cron: expected 5 or 6 fields, got 7`, `schedule.timezone: unknown time zone "Mars/Base"`,
 *   `schedule.cron: never fires (no date matches "0 0 30 2 *")`.
 */
export function parseSchedule(cron: string, timezone = 'UTC'): Schedule {
  if (typeof cron !== 'string') throw cronError('expected a string');
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  checkCronFields(fields);
  if (typeof timezone !== 'string') throw new ScheduleError('schedule.timezone', 'expected a string');
  if (!isKnownTimeZone(timezone)) {
    throw new ScheduleError(
      'schedule.timezone',
      `unknown time zone ${JSON.stringify(timezone)}; use an IANA name such as "Europe/Berlin" or "UTC"`,
    );
  }
  const normalised = fields.join(' ');
  let job: Cron;
  try {
    job = new Cron(normalised, { ...CRONER_OPTIONS, timezone });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw cronError(message.replace(/^CronPattern: /, ''));
  }
  if (job.nextRun(NEVER_FIRES_PROBE) === null) {
    throw cronError(`never fires (no date matches ${JSON.stringify(normalised)})`);
  }
  return new CronSchedule(normalised, timezone, job, isFixedTime(fields));
}

class CronSchedule implements Schedule {
  readonly cron: string;
  readonly timezone: string;
  private readonly job: Cron;
  private readonly fixedTime: boolean;
  /** Reused by every call: croner copies the instant it is given and keeps no reference to it. */
  private readonly after = new Date(0);
  /** The same expression read in UTC, i.e. matched against wall-clock ms; made on first use. */
  private wallClockJob: Cron | undefined;

  constructor(cron: string, timezone: string, job: Cron, fixedTime: boolean) {
    this.cron = cron;
    this.timezone = timezone;
    this.job = job;
    this.fixedTime = fixedTime;
  }

  nextAfter(afterMs: number): number | null {
    this.after.setTime(afterMs);
    const next = this.job.nextRun(this.after);
    if (next === null) return null;
    const nextMs = next.getTime();
    if (!this.fixedTime) return nextMs;
    return this.gapFireBetween(afterMs, nextMs) ?? nextMs;
  }

  /**
   * The end of the first DST gap in (afterMs, nextMs) that crosses local midnight and skips a time
   * this schedule names on the day before; croner misses those fires (see dst-gaps.ts). Costs two
   * map lookups when there is no such gap, which is nearly always.
   */
  private gapFireBetween(afterMs: number, nextMs: number): number | null {
    const lastBlock = gapBlockOf(nextMs);
    for (let block = gapBlockOf(afterMs); block <= lastBlock; block++) {
      for (const gap of gapsAcrossMidnight(this.timezone, block)) {
        if (gap.endMs <= afterMs) continue;
        if (gap.endMs >= nextMs) return null;
        this.wallClockJob ??= new Cron(this.cron, { ...CRONER_OPTIONS, timezone: 'UTC' });
        const skipped = this.wallClockJob.nextRun(new Date(gap.wallStartMs - 1));
        if (skipped !== null && skipped.getTime() < gap.wallMidnightMs) return gap.endMs;
      }
    }
    return null;
  }
}
