import { describe, expect, it } from 'vitest';
import type { TrendPoint } from '../../api/types';
import { trendKind } from './trend-kinds';
import { trendSeriesData } from './trend-option';

const point = (
  status: TrendPoint['status'],
  timedOut = false,
  durationMs: number | null = 100,
): TrendPoint => ({
  runId: `r-${status}-${timedOut}`,
  at: '2026-11-25T00:00:00.000Z',
  durationMs,
  status,
  timedOut,
});

describe('trend marks', () => {
  it('gives each outcome its mark, the failure before the timeout', () => {
    expect(trendKind(point('succeeded'))).toBe('succeeded');
    expect(trendKind(point('succeeded', true))).toBe('timedOut');
    expect(trendKind(point('running', true))).toBe('timedOut');
    expect(trendKind(point('failed', true))).toBe('failed');
    expect(trendKind(point('lost', true))).toBe('lost');
    expect(trendKind(point('missed'))).toBe('missed');
    expect(trendKind(point('skipped'))).toBe('skipped');
    expect(trendKind(point('cancelled'))).toBe('cancelled');
    expect(trendKind(point('pending'))).toBe('open');
  });

  it('puts runs without a duration on the axis, keeping the run for the click', () => {
    const data = trendSeriesData([point('missed', false, null), point('succeeded', false, 1500)]);
    expect(data.missed).toHaveLength(1);
    expect(data.missed[0]?.value).toEqual([Date.parse('2026-11-25T00:00:00.000Z'), 0]);
    expect(data.missed[0]?.point.runId).toBe('r-missed-false');
    expect(data.succeeded[0]?.value[1]).toBe(1500);
    expect(data.failed).toEqual([]);
  });
});
