import { describe, expect, it } from 'vitest';
import { previewFires } from './preview.js';
import { parseSchedule, type Schedule } from './schedule.js';

describe('previewFires', () => {
  it('shows each fire in UTC and in local time with the offset in force then', () => {
    const schedule = parseSchedule('30 2 * * *', 'America/New_York');
    expect(previewFires(schedule, 3, Date.parse('2027-03-13T00:00:00Z'))).toEqual([
      { at: '2027-03-13T07:30:00.000Z', local: '2027-03-13T02:30:00-05:00' },
      { at: '2027-03-14T07:00:00.000Z', local: '2027-03-14T03:00:00-04:00' },
      { at: '2027-03-15T06:30:00.000Z', local: '2027-03-15T02:30:00-04:00' },
    ]);
  });

  it('tells the two passes through a repeated hour apart by their offsets', () => {
    const schedule = parseSchedule('30 * * * *', 'America/New_York');
    expect(previewFires(schedule, 3, Date.parse('2027-11-07T05:00:00Z'))).toEqual([
      { at: '2027-11-07T05:30:00.000Z', local: '2027-11-07T01:30:00-04:00' },
      { at: '2027-11-07T06:30:00.000Z', local: '2027-11-07T01:30:00-05:00' },
      { at: '2027-11-07T07:30:00.000Z', local: '2027-11-07T02:30:00-05:00' },
    ]);
  });

  it('writes UTC as +00:00, half-hour offsets and seconds', () => {
    expect(previewFires(parseSchedule('0 0 * * *'), 1, Date.parse('2027-01-01T00:00:00Z'))).toEqual([
      { at: '2027-01-02T00:00:00.000Z', local: '2027-01-02T00:00:00+00:00' },
    ]);
    expect(
      previewFires(parseSchedule('15 0 0 * * *', 'Asia/Kolkata'), 1, Date.parse('2027-01-01T00:00:00Z')),
    ).toEqual([{ at: '2027-01-01T18:30:15.000Z', local: '2027-01-02T00:00:15+05:30' }]);
    expect(
      previewFires(parseSchedule('0 9 * * *', 'America/St_Johns'), 1, Date.parse('2027-01-01T00:00:00Z')),
    ).toEqual([{ at: '2027-01-01T12:30:00.000Z', local: '2027-01-01T09:00:00-03:30' }]);
  });

  it('returns nothing for a count of 0 and stops where the schedule ends', () => {
    const schedule = parseSchedule('* * * * * *');
    expect(previewFires(schedule, 0, 0)).toEqual([]);
    const twoFires: Schedule = {
      cron: '0 0 * * *',
      timezone: 'UTC',
      nextAfter: (afterMs) => (afterMs < 86_400_000 ? afterMs + 43_200_000 : null),
    };
    expect(previewFires(twoFires, 5, 0).map((fire) => fire.at)).toEqual([
      '1970-01-01T12:00:00.000Z',
      '1970-01-02T00:00:00.000Z',
    ]);
  });

  it('refuses a count that is not a whole number >= 0', () => {
    const schedule = parseSchedule('0 0 * * *');
    expect(() => previewFires(schedule, -1, 0)).toThrow(RangeError);
    expect(() => previewFires(schedule, 1.5, 0)).toThrow('count must be a whole number >= 0, got 1.5');
  });
});
