import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../cron/schedule.js';
import { enumerateDue } from './due-fires.js';

const T0 = Date.parse('2027-01-01T00:00:00.000Z');

describe('due fires after an outage', () => {
  it('counts exactly and keeps the first ones and the last two', () => {
    const due = enumerateDue(parseSchedule('*/10 * * * * *'), T0, T0 + 60_000, 3);
    expect(due).toEqual({
      first: [T0 + 10_000, T0 + 20_000, T0 + 30_000],
      total: 6,
      last: T0 + 60_000,
      beforeLast: T0 + 50_000,
    });
  });

  it('is empty when nothing fell due', () => {
    expect(enumerateDue(parseSchedule('0 0 * * *'), T0, T0 + 1_000, 3)).toEqual({
      first: [],
      total: 0,
      last: null,
      beforeLast: null,
    });
  });

  it('extrapolates the count of a very long outage but finds the true last fires', () => {
    // Every second for 30 days: 2,592,000 fires; only 1,000 are walked.
    const to = T0 + 30 * 86_400_000 + 500;
    const due = enumerateDue(parseSchedule('* * * * * *'), T0, to, 5, 1_000);
    expect(due.first).toEqual([1, 2, 3, 4, 5].map((s) => T0 + s * 1000));
    expect(due.last).toBe(T0 + 30 * 86_400_000);
    expect(due.beforeLast).toBe(T0 + 30 * 86_400_000 - 1000);
    expect(due.total).toBe(2_592_000);
    expect(due.approximate).toBe(true);
  });
});
