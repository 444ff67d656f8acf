import { describe, expect, it } from 'vitest';
import { dstShifts, offsetOf } from './dst-shifts';

describe('DST shifts in a preview', () => {
  it('marks the first fire after the offset changed, naming the old offset', () => {
    const fires = [
      { local: '2027-03-12T02:30:00-05:00' },
      { local: '2027-03-13T02:30:00-05:00' },
      { local: '2027-03-14T03:00:00-04:00' },
      { local: '2027-03-15T02:30:00-04:00' },
    ];
    expect(dstShifts(fires)).toEqual([null, null, '-05:00', null]);
  });

  it('reads Z as UTC and never marks a zone without DST', () => {
    expect(offsetOf('2027-01-01T00:00:00Z')).toBe('+00:00');
    expect(dstShifts([{ local: '2027-01-01T00:00:00Z' }, { local: '2027-01-02T00:00:00+00:00' }])).toEqual([
      null,
      null,
    ]);
  });
});
