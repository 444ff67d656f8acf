import { describe, expect, it } from 'vitest';
import { planMisfire } from './misfire.js';

const due = (times: number[], total = times.length) => ({
  first: times,
  total,
  last: total === times.length ? (times[times.length - 1] ?? null) : 9_999,
  beforeLast: total === times.length ? (times[times.length - 2] ?? null) : 9_998,
});

describe('misfire plan', () => {
  it('nothing due: nothing to write', () => {
    expect(planMisfire('skip', due([]), 1000)).toEqual({ missed: [], summary: null, catchup: null });
    expect(planMisfire('fire_once', due([]), 1000)).toEqual({ missed: [], summary: null, catchup: null });
  });

  it('skip records every due fire missed', () => {
    expect(planMisfire('skip', due([1, 2, 3]), 1000)).toEqual({
      missed: [1, 2, 3],
      summary: null,
      catchup: null,
    });
  });

  it('fire_once records all but the latest missed and fires the latest', () => {
    expect(planMisfire('fire_once', due([1, 2, 3]), 1000)).toEqual({
      missed: [1, 2],
      summary: null,
      catchup: 3,
    });
    expect(planMisfire('fire_once', due([7]), 1000)).toEqual({ missed: [], summary: null, catchup: 7 });
  });

  it('a long outage: at most maxRows missed rows, then one summary row counting the rest', () => {
    const first = [1, 2, 3, 4];
    expect(planMisfire('skip', due(first, 5000), 3)).toEqual({
      missed: [1, 2, 3],
      summary: { at: 9_999, count: 4997, approximate: false },
      catchup: null,
    });
    expect(planMisfire('fire_once', due(first, 5000), 3)).toEqual({
      missed: [1, 2, 3],
      summary: { at: 9_998, count: 4996, approximate: false },
      catchup: 9_999,
    });
  });

  it('exactly maxRows missed needs no summary', () => {
    expect(planMisfire('skip', due([1, 2, 3]), 3).summary).toBeNull();
    expect(planMisfire('fire_once', due([1, 2, 3, 4]), 3)).toEqual({
      missed: [1, 2, 3],
      summary: null,
      catchup: 4,
    });
  });
});
