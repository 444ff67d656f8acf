/** Search and filters of the jobs list, all kept in the URL. */
import { Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { RUN_STATUSES } from '../api/types';

export interface JobFilters {
  q: string;
  team: string;
  owner: string;
  tag: string;
  status: string;
  lastStatus: string;
}

export const FILTER_KEYS = ['q', 'team', 'owner', 'tag', 'status', 'lastStatus'] as const;

interface Props {
  value: JobFilters;
  onChange(patch: Partial<JobFilters>): void;
}

export function JobsFilters({ value, onChange }: Props) {
  const { t } = useTranslation();
  const text = (key: 'team' | 'owner' | 'tag', width = 130) => (
    <Input.Search
      key={`${key}:${value[key]}`}
      defaultValue={value[key]}
      placeholder={t(`jobs.${key}`)}
      aria-label={t(`jobs.${key}`)}
      allowClear
      onSearch={(v) => onChange({ [key]: v.trim() })}
      style={{ width }}
      data-testid={`filter-${key}`}
    />
  );
  return (
    <Space wrap style={{ marginBottom: 12 }}>
      <Input.Search
        key={`q:${value.q}`}
        defaultValue={value.q}
        placeholder={t('jobs.searchPlaceholder')}
        aria-label={t('jobs.search')}
        allowClear
        onSearch={(v) => onChange({ q: v.trim() })}
        style={{ width: 240 }}
        data-testid="filter-q"
      />
      {text('team')}
      {text('owner')}
      {text('tag', 110)}
      <Select
        value={value.status || undefined}
        placeholder={t('jobs.status')}
        aria-label={t('jobs.status')}
        allowClear
        onChange={(v) => onChange({ status: v ?? '' })}
        style={{ width: 120 }}
        options={[
          { value: 'enabled', label: t('jobs.enabled') },
          { value: 'paused', label: t('jobs.paused') },
        ]}
        data-testid="filter-status"
      />
      <Select
        value={value.lastStatus || undefined}
        placeholder={t('jobs.lastStatus')}
        aria-label={t('jobs.lastStatus')}
        allowClear
        onChange={(v) => onChange({ lastStatus: v ?? '' })}
        style={{ width: 140 }}
        options={RUN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        data-testid="filter-last-status"
      />
    </Space>
  );
}
