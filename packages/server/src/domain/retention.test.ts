import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  daysCutoff,
  effectiveRetention,
  laterKey,
  RETENTION_STEP_MS,
  removalBound,
} from './retention.js';

const NOW = Date.parse('2027-03-01T12:00:00.000Z');
const SERVER = { days: 90, count: null };

describe('retention rules', () => {
  it("takes a job's own limit per dimension, else the server's", () => {
    expect(effectiveRetention(null, SERVER)).toEqual({ days: 90, count: null });
    expect(effectiveRetention({ days: 7, count: null }, SERVER)).toEqual({ days: 7, count: null });
    expect(effectiveRetention({ days: null, count: 10 }, SERVER)).toEqual({ days: 90, count: 10 });
    expect(effectiveRetention({ days: null, count: 10 }, { days: null, count: 5 })).toEqual({
      days: null,
      count: 10,
    });
  });

  it('cuts days on the hour, never later than the exact limit', () => {
    expect(daysCutoff(3, NOW)).toBe(NOW - 3 * DAY_MS);
    const midHour = NOW + 25 * 60_000;
    expect(daysCutoff(3, midHour)).toBe(NOW - 3 * DAY_MS);
    expect(daysCutoff(3, midHour) % RETENTION_STEP_MS).toBe(0);
    expect(daysCutoff(3, midHour)).toBeLessThanOrEqual(midHour - 3 * DAY_MS);
  });

  it('has no bound when nothing is outgrown', () => {
    expect(removalBound({ days: null, count: null }, NOW, NOW - 400 * DAY_MS, null)).toBeNull();
    expect(removalBound({ days: 3, count: null }, NOW, NOW - 3 * DAY_MS, null)).toBeNull();
    expect(removalBound({ days: 3, count: 10 }, NOW, NOW - DAY_MS, null)).toBeNull();
  });

  it('takes the later of the days and count bounds: either limit removes a run', () => {
    const cutoff = NOW - 3 * DAY_MS;
    expect(removalBound({ days: 3, count: null }, NOW, cutoff - 1, null)).toEqual({ at: cutoff, id: null });
    const older = { at: cutoff - DAY_MS, id: 'B' };
    expect(removalBound({ days: 3, count: 5 }, NOW, cutoff - 2 * DAY_MS, older)).toEqual({
      at: cutoff,
      id: null,
    });
    const newer = { at: cutoff + DAY_MS, id: 'C' };
    expect(removalBound({ days: 3, count: 5 }, NOW, cutoff - 2 * DAY_MS, newer)).toEqual(newer);
    const same = { at: cutoff, id: 'D' };
    expect(
      removalBound({ days: 3, count: 5 }, NOW, cutoff - 1, same),
      'same instant: count reaches further',
    ).toEqual(same);
    expect(removalBound({ days: null, count: 5 }, NOW, cutoff, newer)).toEqual(newer);
  });

  it('orders run keys by time, then id', () => {
    expect(laterKey({ at: 1, id: 'Z' }, { at: 2, id: 'A' })).toEqual({ at: 2, id: 'A' });
    expect(laterKey({ at: 2, id: 'B' }, { at: 2, id: 'A' })).toEqual({ at: 2, id: 'B' });
  });
});
