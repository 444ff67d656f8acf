/**
 * How each run shows on the trend chart. One mark per outcome, chosen by
 * what matters most: a run that never ran, then a failure, then a timeout.
 */
import type { TrendPoint } from '../../api/types';

export const TREND_KINDS = [
  'succeeded',
  'open',
  'timedOut',
  'failed',
  'lost',
  'missed',
  'skipped',
  'cancelled',
] as const;
export type TrendKind = (typeof TREND_KINDS)[number];

export function trendKind(point: Pick<TrendPoint, 'status' | 'timedOut'>): TrendKind {
  switch (point.status) {
    case 'missed':
      return 'missed';
    case 'failed':
      return 'failed';
    case 'lost':
      return 'lost';
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
    default:
      if (point.timedOut) return 'timedOut';
      return point.status === 'succeeded' ? 'succeeded' : 'open';
  }
}

/** ECharts symbols: a cross, a warning triangle with a hole for the "!", a thin bar. */
const CROSS = 'path://M2,0 L10,8 L18,0 L20,2 L12,10 L20,18 L18,20 L10,12 L2,20 L0,18 L8,10 L0,2 Z';
const EXCLAMATION = 'path://M10,0 L20,18 L0,18 Z M9,5 L9,12 L11,12 L11,5 Z M9,14 L9,16 L11,16 L11,14 Z';

export interface KindStyle {
  color: string;
  symbol: string;
  size: number | [number, number];
  /** Drawn upwards from the axis, as a bar rather than a point. */
  bar?: boolean;
}

export const KIND_STYLE: Record<TrendKind, KindStyle> = {
  succeeded: { color: '#52c41a', symbol: 'circle', size: 7 },
  open: { color: '#1677ff', symbol: 'circle', size: 8 },
  timedOut: { color: '#faad14', symbol: EXCLAMATION, size: 14 },
  failed: { color: '#ff4d4f', symbol: CROSS, size: 11 },
  lost: { color: '#d4380d', symbol: CROSS, size: 11 },
  missed: { color: '#f5222d', symbol: 'rect', size: [4, 22], bar: true },
  skipped: { color: '#bfbfbf', symbol: 'circle', size: 7 },
  cancelled: { color: '#8c8c8c', symbol: 'diamond', size: 9 },
};
