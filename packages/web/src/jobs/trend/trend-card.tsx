/**
 * The trend chart of a job: run duration over time, drag or wheel to zoom,
 * the slider below; the window and the zoom live in the URL. Above 2,000
 * runs the server answers one point per bucket: zooming in then offers every
 * run of the zoomed window.
 */
import { ReloadOutlined, ZoomInOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Empty, Segmented, Space, Spin } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../api/endpoints';
import type { TrendPoint } from '../../api/types';
import { type ChartHandler, EChart } from '../../charts/echart';
import { ErrorState } from '../../common/api-error';
import { usePollInterval } from '../../live/live-updates';
import { TREND_KINDS, type TrendKind, trendKind } from './trend-kinds';
import { TrendLegend } from './trend-legend';
import { type TrendLabels, trendOption } from './trend-option';
import { RANGE_PRESETS, type RangePreset, readRange, readZoom, resolveRange } from './trend-range';

interface Props {
  job: string;
  onOpenRun(runId: string): void;
}

export function TrendCard({ job, onOpenRun }: Props) {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const range = readRange(params);
  const rangeKey = 'preset' in range ? range.preset : `${range.from}-${range.to}`;
  const poll = usePollInterval(30_000, 120_000);
  const trend = useQuery({
    queryKey: ['trend', job, rangeKey],
    queryFn: async () => {
      const window = resolveRange(range, Date.now());
      const answer = await api.jobs.trend(
        job,
        new Date(window.from).toISOString(),
        new Date(window.to).toISOString(),
      );
      return { ...answer, window };
    },
    refetchInterval: 'preset' in range ? poll : false,
  });

  // The zoom the next option starts with: from the URL at first, then the user's, so a refetch keeps it.
  const initialZoom = useRef(readZoom(params));
  const [zoom, setZoom] = useState(initialZoom.current);
  const zoomTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the labels follow the language
  const labels: TrendLabels = useMemo(
    () => ({
      kind: Object.fromEntries(TREND_KINDS.map((k) => [k, t(`trend.kind.${k}`)])) as TrendLabels['kind'],
      status: (s: TrendPoint['status']) => t(`status.${s}`),
      duration: t('runs.duration'),
      timedOut: t('runs.timedOut'),
      bucket: (size: string) => t('trend.bucket', { size }),
      clickToOpen: t('trend.clickToOpen'),
    }),
    [t, i18n.language],
  );

  const [hidden, setHidden] = useState<ReadonlySet<TrendKind>>(new Set());
  const toggleKind = (kind: TrendKind) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (!next.delete(kind)) next.add(kind);
      return next;
    });
  const counts = useMemo(() => {
    const byKind = Object.fromEntries(TREND_KINDS.map((k) => [k, 0])) as Record<TrendKind, number>;
    for (const point of trend.data?.points ?? []) byKind[trendKind(point)] += 1;
    return byKind;
  }, [trend.data]);

  const option = useMemo(
    () =>
      trend.data
        ? trendOption(
            trend.data.points,
            trend.data.bucketMs,
            trend.data.window,
            initialZoom.current,
            labels,
            hidden,
          )
        : null,
    [trend.data, labels, hidden],
  );

  const setUrl = (patch: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const copy = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) copy.delete(k);
          else copy.set(k, v);
        }
        return copy;
      },
      { replace: true },
    );

  const events: Record<string, ChartHandler> = {
    click: (p: { data?: { point?: TrendPoint } }) => {
      if (p.data?.point) onOpenRun(p.data.point.runId);
    },
    datazoom: (_p, chart) => {
      clearTimeout(zoomTimer.current);
      zoomTimer.current = setTimeout(() => {
        const dz = (
          chart.getOption() as {
            dataZoom?: { startValue?: number; endValue?: number; start?: number; end?: number }[];
          }
        ).dataZoom?.[0];
        if (!dz || dz.startValue === undefined || dz.endValue === undefined) return;
        const whole = dz.start === 0 && dz.end === 100;
        const next = whole ? null : { from: dz.startValue, to: dz.endValue };
        initialZoom.current = next;
        setZoom(next);
        setUrl({
          zoomFrom: next ? new Date(next.from).toISOString() : null,
          zoomTo: next ? new Date(next.to).toISOString() : null,
        });
      }, 300);
    },
  };

  const chooseRange = (patch: Record<string, string | null>) => {
    initialZoom.current = null;
    setZoom(null);
    setUrl({ zoomFrom: null, zoomTo: null, ...patch });
  };

  const bucketed = trend.data?.bucketMs !== null && trend.data?.bucketMs !== undefined;

  return (
    <Card
      size="small"
      title={t('trend.title')}
      extra={
        <Space wrap>
          <Segmented<string>
            size="small"
            value={'preset' in range ? range.preset : 'custom'}
            options={[
              ...Object.keys(RANGE_PRESETS).map((k) => ({
                value: k,
                label: t(`trend.range.${k as RangePreset}`),
              })),
              { value: 'custom', label: t('trend.range.custom'), disabled: true },
            ]}
            onChange={(v) => chooseRange({ range: v, from: null, to: null })}
            data-testid="trend-range"
          />
          <DatePicker.RangePicker
            size="small"
            showTime
            allowClear={false}
            value={'preset' in range ? null : [dayjs(range.from), dayjs(range.to)]}
            onChange={(v) => {
              if (v?.[0] && v[1]) {
                chooseRange({ range: null, from: v[0].toISOString(), to: v[1].toISOString() });
              }
            }}
            aria-label={t('trend.range.custom')}
          />
          <Button
            size="small"
            icon={<ReloadOutlined />}
            onClick={() => void trend.refetch()}
            loading={trend.isFetching}
            aria-label={t('common.refresh')}
          />
        </Space>
      }
    >
      {trend.isError ? (
        <ErrorState error={trend.error} retry={() => void trend.refetch()} />
      ) : !trend.data || !option ? (
        <Spin style={{ display: 'block', margin: '100px auto' }} />
      ) : trend.data.points.length === 0 ? (
        <Empty description={t('trend.empty')} style={{ margin: '64px 0' }} />
      ) : (
        <>
          {bucketed && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 8 }}
              message={t('trend.bucketed', { size: formatBucket(trend.data.bucketMs as number) })}
              action={
                zoom ? (
                  <Button
                    size="small"
                    icon={<ZoomInOutlined />}
                    onClick={() =>
                      chooseRange({
                        range: null,
                        from: new Date(zoom.from).toISOString(),
                        to: new Date(zoom.to).toISOString(),
                      })
                    }
                  >
                    {t('trend.showEveryRun')}
                  </Button>
                ) : undefined
              }
            />
          )}
          <TrendLegend counts={counts} hidden={hidden} onToggle={toggleKind} bucketed={bucketed} />
          <EChart
            option={option}
            events={events}
            style={{ height: 320 }}
            data-testid="trend-chart"
            aria-label={t('trend.title')}
          />
        </>
      )}
    </Card>
  );
}

function formatBucket(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
