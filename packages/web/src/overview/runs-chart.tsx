/** Runs of the last 24 hours by outcome, as a small bar chart. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Overview, RunStatus } from '../api/types';
import { EChart } from '../charts/echart';

type Outcome = { key: RunStatus | 'timedOut'; label: `status.${RunStatus}` | 'runs.timedOut'; color: string };

export const OUTCOMES: Outcome[] = [
  { key: 'succeeded', label: 'status.succeeded', color: '#52c41a' },
  { key: 'failed', label: 'status.failed', color: '#ff4d4f' },
  { key: 'timedOut', label: 'runs.timedOut', color: '#faad14' },
  { key: 'missed', label: 'status.missed', color: '#eb2f96' },
  { key: 'skipped', label: 'status.skipped', color: '#8c8c8c' },
  { key: 'lost', label: 'status.lost', color: '#d4380d' },
  { key: 'running', label: 'status.running', color: '#1677ff' },
  { key: 'pending', label: 'status.pending', color: '#91caff' },
  { key: 'cancelled', label: 'status.cancelled', color: '#bfbfbf' },
];

export function RunsChart({ runs }: { runs: Overview['runs24h'] }) {
  const { t, i18n } = useTranslation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the labels follow the language
  const option = useMemo(
    () => ({
      grid: { left: 40, right: 8, top: 16, bottom: 24 },
      tooltip: { trigger: 'item' },
      xAxis: {
        type: 'category',
        data: OUTCOMES.map((o) => t(o.label)),
        axisLabel: { interval: 0, fontSize: 11 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          barMaxWidth: 32,
          data: OUTCOMES.map((o) => ({
            value: o.key === 'timedOut' ? runs.timedOut : runs[o.key],
            itemStyle: { color: o.color },
          })),
        },
      ],
    }),
    [runs, t, i18n.language],
  );
  return <EChart option={option} style={{ height: 180, marginTop: 8 }} aria-label={t('overview.last24h')} />;
}
