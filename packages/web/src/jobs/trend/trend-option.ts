/** The trend chart's ECharts option: duration over time, one mark per run, zoomable. */
import type { TrendPoint } from '../../api/types';
import { formatDuration, formatTime } from '../../common/format';
import { KIND_STYLE, TREND_KINDS, type TrendKind, trendKind } from './trend-kinds';

export interface TrendLabels {
  kind: Record<TrendKind, string>;
  status: (status: TrendPoint['status']) => string;
  duration: string;
  timedOut: string;
  bucket: (size: string) => string;
  clickToOpen: string;
}

export interface TrendDatum {
  value: [number, number];
  point: TrendPoint;
}

/** Points grouped by kind, each as `[time ms, duration ms]` (0 for runs without a duration). */
export function trendSeriesData(points: readonly TrendPoint[]): Record<TrendKind, TrendDatum[]> {
  const byKind = Object.fromEntries(TREND_KINDS.map((k) => [k, [] as TrendDatum[]])) as Record<
    TrendKind,
    TrendDatum[]
  >;
  for (const point of points) {
    byKind[trendKind(point)].push({ value: [Date.parse(point.at), point.durationMs ?? 0], point });
  }
  return byKind;
}

export function trendOption(
  points: readonly TrendPoint[],
  bucketMs: number | null,
  range: { from: number; to: number },
  zoom: { from: number; to: number } | null,
  labels: TrendLabels,
  hidden: ReadonlySet<TrendKind> = new Set(),
) {
  const byKind = trendSeriesData(points);
  const line = points
    .filter((p) => p.durationMs !== null && !hidden.has(trendKind(p)))
    .map((p) => [Date.parse(p.at), p.durationMs as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const zoomWindow = zoom ? { startValue: zoom.from, endValue: zoom.to } : { start: 0, end: 100 };
  return {
    animation: points.length < 500,
    grid: { left: 64, right: 24, top: 16, bottom: 64 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params: { data?: TrendDatum; seriesType?: string }) => {
        const point = params.data?.point;
        if (!point) return '';
        const lines = [
          `<b>${formatTime(point.at)}</b>`,
          `${labels.status(point.status)}${point.timedOut ? ` · ${labels.timedOut}` : ''}`,
          `${labels.duration}: ${formatDuration(point.durationMs)}`,
        ];
        if (bucketMs !== null) lines.push(labels.bucket(formatDuration(bucketMs)));
        lines.push(`<span style="opacity:.7">${labels.clickToOpen}</span>`);
        return lines.join('<br/>');
      },
    },
    xAxis: { type: 'time', min: range.from, max: range.to },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { formatter: (v: number) => formatDuration(v) },
      splitLine: { lineStyle: { opacity: 0.4 } },
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none', ...zoomWindow },
      { type: 'slider', xAxisIndex: 0, filterMode: 'none', height: 22, bottom: 10, ...zoomWindow },
    ],
    series: [
      {
        type: 'line',
        data: line,
        showSymbol: false,
        silent: true,
        lineStyle: { width: 1, opacity: 0.35 },
        itemStyle: { color: '#8c8c8c' },
        z: 1,
        large: true,
      },
      ...TREND_KINDS.filter((k) => byKind[k].length > 0 && !hidden.has(k)).map((kind) => {
        const style = KIND_STYLE[kind];
        return {
          type: 'scatter',
          name: labels.kind[kind],
          data: byKind[kind],
          symbol: style.symbol,
          symbolSize: style.size,
          symbolOffset: style.bar ? [0, '-50%'] : [0, 0],
          itemStyle: { color: style.color },
          cursor: 'pointer',
          z: kind === 'succeeded' ? 2 : 3,
        };
      }),
    ],
  };
}
