import { describe, expect, it, vi } from 'vitest';
import { parseSchedule, ScheduleError } from './schedule.js';

/** The first `count` fires strictly after `fromIso`, as ISO strings. */
function fires(cron: string, timezone: string, fromIso: string, count: number): string[] {
  const schedule = parseSchedule(cron, timezone);
  const out: string[] = [];
  let after = Date.parse(fromIso);
  while (out.length < count) {
    const next = schedule.nextAfter(after);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    after = next;
  }
  return out;
}

/** The ScheduleError that parseSchedule throws for these arguments. */
function rejection(cron: string, timezone?: string): ScheduleError {
  try {
    parseSchedule(cron, timezone);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return error as ScheduleError;
  }
  throw new Error(`parseSchedule accepted ${JSON.stringify(cron)}`);
}

describe('parseSchedule', () => {
  it('normalises whitespace and defaults the time zone to UTC', () => {
    const schedule = parseSchedule('  0   3 * *\t*  ');
    expect(schedule.cron).toBe('0 3 * * *');
    expect(schedule.timezone).toBe('UTC');
    expect(parseSchedule('0 3 * * *', 'Asia/Shanghai').timezone).toBe('Asia/Shanghai');
  });

  it('accepts 5 or 6 fields and nothing else', () => {
    expect(rejection('').message).toBe('schedule.cron: expected 5 or 6 fields, got 0');
    expect(rejection('* * * *').message).toBe('schedule.cron: expected 5 or 6 fields, got 4');
    expect(rejection('0 0 0 1 1 * 2030').message).toBe('schedule.cron: expected 5 or 6 fields, got 7');
    expect(rejection('0 0 0 1 1 * 2030').field).toBe('schedule.cron');
  });

  it('refuses nicknames, "?" and the "+" AND modifier', () => {
    expect(rejection('@daily').message).toBe(
      'schedule.cron: nicknames such as "@daily" are not supported; write 5 or 6 fields, e.g. "0 0 * * *"',
    );
    expect(rejection('0 0 ? * MON').message).toBe(
      'schedule.cron: day-of-month "?" is not supported; use "*"',
    );
    expect(rejection('0 12 1 * +MON').message).toBe(
      'schedule.cron: day-of-week "+MON": "+" (day-of-month AND day-of-week) is not supported; the two combine with OR',
    );
  });

  it.each([
    ['60 * * * *', 'minute value 60 is out of range 0-59'],
    ['0 24 * * *', 'hour value 24 is out of range 0-23'],
    ['0 0 32 * *', 'day-of-month value 32 is out of range 1-31'],
    ['0 0 0 * *', 'day-of-month value 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month value 13 is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week value 8 is out of range 0-7'],
    ['60 0 0 * * *', 'second value 60 is out of range 0-59'],
    ['0 0 * Foo *', 'month "Foo" is not a number or a name (JAN-DEC)'],
    ['0 0 * * FUN', 'day-of-week "FUN" is not a number or a name (SUN-SAT)'],
    ['x * * * *', 'minute "x" is not a number'],
    ['1.5 * * * *', 'minute "1.5" is not a number'],
    ['*/0 * * * *', 'minute step "/0" must be a whole number from 1 to 60'],
    ['0 */25 * * *', 'hour step "/25" must be a whole number from 1 to 24'],
    ['0 22-2 * * *', 'hour range "22-2" runs backwards; write it as two, e.g. "22-23,0-2"'],
    ['5/15 * * * *', 'minute "5/15": a step needs "*" or a range before it, e.g. "5-59/15"'],
    ['1,,2 * * * *', 'minute "1,,2" has an empty list item'],
    ['1-2-3 * * * *', 'minute "1-2-3" has more than one "-"'],
    ['0 0 * * MON#6', 'day-of-week "MON#6": the number after "#" must be 1 to 5, or L for the last'],
    ['0 0 * * L', 'day-of-week "L" needs a weekday before it, e.g. "5L" or "FRI#L" for the last Friday'],
    [
      '0 0 L-3 * *',
      'day-of-month "L-3": L and W are written L (last day), LW (last weekday) or 15W (the weekday nearest the 15th)',
    ],
    ['0 0 32W * *', 'day-of-month value 32 is out of range 1-31'],
  ])('explains what is wrong with %j', (cron, problem) => {
    const error = rejection(cron);
    expect(error.field).toBe('schedule.cron');
    expect(error.message).toBe(`schedule.cron: ${problem}`);
  });

  it("passes on croner's own objections, prefixed with the field", () => {
    expect(rejection('0 0 1,LW * *').message).toMatch(/^schedule\.cron: .*LW can not be in a list/);
  });

  it('refuses an expression that never fires', () => {
    expect(rejection('0 0 30 2 *').message).toBe('schedule.cron: never fires (no date matches "0 0 30 2 *")');
    expect(rejection('0 0 31 4,6,9,11 *').message).toMatch(/^schedule\.cron: never fires/);
    expect(rejection('0 0 0 31 2 *', 'Europe/Berlin').message).toMatch(/^schedule\.cron: never fires/);
    expect(fires('0 0 29 2 *', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('refuses an unknown time zone, naming schedule.timezone', () => {
    const error = rejection('0 0 * * *', 'Mars/Base');
    expect(error.field).toBe('schedule.timezone');
    expect(error.message).toBe(
      'schedule.timezone: unknown time zone "Mars/Base"; use an IANA name such as "Europe/Berlin" or "UTC"',
    );
    expect(rejection('0 0 * * *', '').field).toBe('schedule.timezone');
    // A zone, not an offset: an offset would not follow DST.
    expect(rejection('0 0 * * *', '+05:30').field).toBe('schedule.timezone');
  });

  it('reports the expression before the time zone', () => {
    expect(rejection('61 * * * *', 'Mars/Base').field).toBe('schedule.cron');
  });

  it('never creates a timer', () => {
    vi.useFakeTimers();
    try {
      const schedule = parseSchedule('* * * * * *', 'Europe/Berlin');
      schedule.nextAfter(Date.parse('2027-01-01T00:00:00Z'));
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('nextAfter', () => {
  it('returns the first fire strictly after the given instant', () => {
    const hourly = parseSchedule('0 * * * *');
    expect(hourly.nextAfter(Date.parse('2027-01-01T05:00:00.000Z'))).toBe(
      Date.parse('2027-01-01T06:00:00.000Z'),
    );
    expect(hourly.nextAfter(Date.parse('2027-01-01T04:59:59.999Z'))).toBe(
      Date.parse('2027-01-01T05:00:00.000Z'),
    );
  });

  it('reads 5 fields with second 0 and 6 fields with a leading second', () => {
    expect(fires('*/15 * * * *', 'UTC', '2027-01-01T00:00:30Z', 2)).toEqual([
      '2027-01-01T00:15:00.000Z',
      '2027-01-01T00:30:00.000Z',
    ]);
    expect(fires('30 */15 * * * *', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-01T00:00:30.000Z',
      '2027-01-01T00:15:30.000Z',
    ]);
  });

  it('fires every second, at whole seconds', () => {
    expect(fires('* * * * * *', 'UTC', '2027-01-01T00:00:00.500Z', 3)).toEqual([
      '2027-01-01T00:00:01.000Z',
      '2027-01-01T00:00:02.000Z',
      '2027-01-01T00:00:03.000Z',
    ]);
    expect(fires('* * * * *', 'UTC', '2027-01-01T00:00:59.999Z', 1)).toEqual(['2027-01-01T00:01:00.000Z']);
  });

  it('reads ranges, lists and steps', () => {
    expect(fires('0 9-17/4 * * *', 'UTC', '2027-01-01T00:00:00Z', 4)).toEqual([
      '2027-01-01T09:00:00.000Z',
      '2027-01-01T13:00:00.000Z',
      '2027-01-01T17:00:00.000Z',
      '2027-01-02T09:00:00.000Z',
    ]);
    expect(fires('0 0 1 1,7 *', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-07-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
  });

  it('reads month and day names in any case, and 7 as Sunday', () => {
    // 2027-01-01 is a Friday.
    expect(fires('0 0 1 jun *', 'UTC', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-06-01T00:00:00.000Z']);
    expect(fires('0 0 1 JAN-MAR/2 *', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-03-01T00:00:00.000Z',
      '2028-01-01T00:00:00.000Z',
    ]);
    expect(fires('0 0 * * Mon,wed', 'UTC', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-04T00:00:00.000Z',
      '2027-01-06T00:00:00.000Z',
      '2027-01-11T00:00:00.000Z',
    ]);
    const sundays = ['2027-01-03T00:00:00.000Z', '2027-01-10T00:00:00.000Z'];
    expect(fires('0 0 * * 7', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires('0 0 * * 0', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual(sundays);
    expect(fires('0 0 * * SAT-SUN', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-02T00:00:00.000Z',
      '2027-01-03T00:00:00.000Z',
    ]);
  });

  it('combines day-of-month and day-of-week with OR when both are restricted', () => {
    // The 13th (a Wednesday in January 2027) or any Friday.
    expect(fires('0 0 13 * FRI', 'UTC', '2027-01-01T00:00:00Z', 4)).toEqual([
      '2027-01-08T00:00:00.000Z',
      '2027-01-13T00:00:00.000Z',
      '2027-01-15T00:00:00.000Z',
      '2027-01-22T00:00:00.000Z',
    ]);
    // A step counts as restricted (Vixie cron would AND here, as the field starts with "*").
    expect(fires('0 0 */10 * MON', 'UTC', '2027-01-01T00:00:00Z', 6)).toEqual([
      '2027-01-04T00:00:00.000Z',
      '2027-01-11T00:00:00.000Z',
      '2027-01-18T00:00:00.000Z',
      '2027-01-21T00:00:00.000Z',
      '2027-01-25T00:00:00.000Z',
      '2027-01-31T00:00:00.000Z',
    ]);
  });

  it('uses only the restricted one when the other is "*"', () => {
    expect(fires('0 0 * * FRI', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-08T00:00:00.000Z',
      '2027-01-15T00:00:00.000Z',
    ]);
    expect(fires('0 0 13 * *', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-13T00:00:00.000Z',
      '2027-02-13T00:00:00.000Z',
    ]);
  });

  it('reads L as the last day of the month', () => {
    expect(fires('0 0 L * *', 'UTC', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-31T00:00:00.000Z',
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
    ]);
    expect(fires('0 0 L 2 *', 'UTC', '2027-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
  });

  it('reads W as the nearest weekday, within the month, and LW as the last weekday', () => {
    // 2027-05-15 is a Saturday, 2027-08-15 a Sunday, 2027-05-01 a Saturday.
    expect(fires('0 0 15W * *', 'UTC', '2027-05-01T00:00:00Z', 1)).toEqual(['2027-05-14T00:00:00.000Z']);
    expect(fires('0 0 15W * *', 'UTC', '2027-08-01T00:00:00Z', 1)).toEqual(['2027-08-16T00:00:00.000Z']);
    expect(fires('0 0 1W * *', 'UTC', '2027-04-30T00:00:00Z', 1)).toEqual(['2027-05-03T00:00:00.000Z']);
    // 2027-01-31 and 2027-02-28 are Sundays.
    expect(fires('0 0 LW * *', 'UTC', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-29T00:00:00.000Z',
      '2027-02-26T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
    ]);
  });

  it('reads # as the nth weekday of the month and 5L or FRI#L as the last one', () => {
    expect(fires('0 0 * * FRI#2', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-08T00:00:00.000Z',
      '2027-02-12T00:00:00.000Z',
    ]);
    expect(fires('0 0 * * 1#1', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-04T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
    const lastFridays = ['2027-01-29T00:00:00.000Z', '2027-02-26T00:00:00.000Z'];
    expect(fires('0 0 * * 5L', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual(lastFridays);
    expect(fires('0 0 * * FRI#L', 'UTC', '2027-01-01T00:00:00Z', 2)).toEqual(lastFridays);
  });

  it("reads the expression in the job's time zone", () => {
    // The protocol's example: every five minutes, in Asia/Shanghai (UTC+8).
    expect(fires('0 */5 * * * *', 'Asia/Shanghai', '2027-01-01T00:02:00Z', 1)).toEqual([
      '2027-01-01T00:05:00.000Z',
    ]);
    expect(fires('0 9 * * *', 'Asia/Shanghai', '2027-01-01T00:00:00Z', 1)).toEqual([
      '2027-01-01T01:00:00.000Z',
    ]);
    expect(fires('0 0 * * *', 'Asia/Kolkata', '2027-01-01T00:00:00Z', 1)).toEqual([
      '2027-01-01T18:30:00.000Z',
    ]);
    // Monday 00:00 in Auckland (UTC+13 in January) is Sunday in UTC.
    expect(fires('0 0 * * MON', 'Pacific/Auckland', '2027-01-01T00:00:00Z', 1)).toEqual([
      '2027-01-03T11:00:00.000Z',
    ]);
  });
});
