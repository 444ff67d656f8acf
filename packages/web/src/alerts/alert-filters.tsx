/** The filters of the alert history, all kept in the URL. */
import { useQuery } from '@tanstack/react-query';
import { DatePicker, Input, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { AlertQuery } from '../api/endpoints';
import { api } from '../api/endpoints';
import { ALERT_KINDS, ALERT_STATUSES, type AlertStatus } from '../api/types';

export const ALERT_FILTER_KEYS = ['job', 'team', 'kind', 'status', 'channel', 'from', 'to'] as const;
export type AlertFilters = Pick<AlertQuery, (typeof ALERT_FILTER_KEYS)[number]>;

/** The filters a URL holds; unknown statuses are dropped rather than sent. */
export function alertFiltersOf(params: URLSearchParams): AlertFilters {
  const text = (key: string) => params.get(key) || undefined;
  const status = params.get('status');
  return {
    job: text('job'),
    team: text('team'),
    kind: text('kind'),
    status: (ALERT_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as AlertStatus)
      : undefined,
    channel: text('channel'),
    from: text('from'),
    to: text('to'),
  };
}

interface Props {
  value: AlertFilters;
  onChange(patch: Record<string, string | null>): void;
}

export function AlertFiltersBar({ value, onChange }: Props) {
  const { t } = useTranslation();
  const channels = useQuery({
    queryKey: ['alert-channels'],
    queryFn: api.channels.list,
    retry: false,
    staleTime: 60_000,
  });
  const text = (key: 'job' | 'team', width: number) => (
    <Input.Search
      key={`${key}:${value[key] ?? ''}`}
      defaultValue={value[key] ?? ''}
      placeholder={t(`alerts.${key}`)}
      aria-label={t(`alerts.${key}`)}
      allowClear
      onSearch={(v) => onChange({ [key]: v.trim() })}
      style={{ width }}
      data-testid={`alert-filter-${key}`}
    />
  );
  return (
    <Space wrap style={{ marginBottom: 12 }}>
      {text('job', 200)}
      {text('team', 140)}
      <Select
        value={value.kind}
        placeholder={t('alerts.kind')}
        aria-label={t('alerts.kind')}
        allowClear
        onChange={(v?: string) => onChange({ kind: v ?? null })}
        style={{ width: 140 }}
        options={ALERT_KINDS.map((k) => ({ value: k, label: t(`alertEvent.${k}`) }))}
        data-testid="alert-filter-kind"
      />
      <Select
        value={value.status}
        placeholder={t('alerts.status')}
        aria-label={t('alerts.status')}
        allowClear
        onChange={(v?: string) => onChange({ status: v ?? null })}
        style={{ width: 130 }}
        options={ALERT_STATUSES.map((s) => ({ value: s, label: t(`alertStatus.${s}`) }))}
        data-testid="alert-filter-status"
      />
      <Select
        value={value.channel}
        placeholder={t('alerts.channel')}
        aria-label={t('alerts.channel')}
        allowClear
        showSearch
        onChange={(v?: string) => onChange({ channel: v ?? null })}
        style={{ width: 170 }}
        options={(channels.data?.items ?? []).map((c) => ({ value: c.name, label: c.name }))}
        data-testid="alert-filter-channel"
      />
      <DatePicker.RangePicker
        showTime
        value={value.from && value.to ? [dayjs(value.from), dayjs(value.to)] : null}
        onChange={(v) => onChange({ from: v?.[0]?.toISOString() ?? null, to: v?.[1]?.toISOString() ?? null })}
        aria-label={t('alerts.when')}
      />
    </Space>
  );
}
