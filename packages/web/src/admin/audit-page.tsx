/** The audit log: who did what, to what, from where; filters and pages in the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Empty, Input, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { type AuditQuery, api } from '../api/endpoints';
import type { AuditEntry } from '../api/types';
import { ErrorState } from '../common/api-error';
import { CursorPager } from '../common/cursor-pager';
import { formatTime, prettyJson } from '../common/format';
import { MONO } from '../common/json-input';
import { useCursorPages, useUrlFilters } from '../common/use-cursor-pages';

const TEXT_FILTERS = ['actor', 'action', 'team', 'target'] as const;

export default function AuditPage() {
  const { t } = useTranslation();
  const { params, set } = useUrlFilters();
  const pages = useCursorPages(50);
  const query: AuditQuery = {
    actor: params.get('actor') || undefined,
    action: params.get('action') || undefined,
    team: params.get('team') || undefined,
    target: params.get('target') || undefined,
    from: params.get('from') || undefined,
    to: params.get('to') || undefined,
    limit: pages.limit,
    cursor: pages.cursor,
  };
  const audit = useQuery({
    queryKey: ['audit', query],
    queryFn: () => api.audit(query),
    placeholderData: keepPreviousData,
  });
  return (
    <Card title={t('nav.audit')}>
      <Space wrap style={{ marginBottom: 12 }}>
        {TEXT_FILTERS.map((key) => (
          <Input.Search
            key={`${key}:${params.get(key) ?? ''}`}
            defaultValue={params.get(key) ?? ''}
            placeholder={t(`audit.${key}`)}
            aria-label={t(`audit.${key}`)}
            allowClear
            onSearch={(v) => set({ [key]: v.trim() })}
            style={{ width: 160 }}
          />
        ))}
        <DatePicker.RangePicker
          showTime
          value={query.from && query.to ? [dayjs(query.from), dayjs(query.to)] : null}
          onChange={(v) => set({ from: v?.[0]?.toISOString() ?? null, to: v?.[1]?.toISOString() ?? null })}
          aria-label={t('audit.when')}
        />
      </Space>
      {audit.isError ? (
        <ErrorState error={audit.error} retry={() => void audit.refetch()} />
      ) : (
        <>
          <Table<AuditEntry>
            rowKey="id"
            size="small"
            loading={audit.isPending || (audit.isFetching && audit.isPlaceholderData)}
            dataSource={audit.data?.items ?? []}
            pagination={false}
            scroll={{ x: 1000 }}
            locale={{ emptyText: audit.isPending ? ' ' : <Empty description={t('audit.none')} /> }}
            expandable={{
              rowExpandable: (e) => e.details !== null && e.details !== undefined,
              expandedRowRender: (e) => <pre style={{ ...MONO, margin: 0 }}>{prettyJson(e.details)}</pre>,
            }}
            columns={[
              { title: t('audit.when'), dataIndex: 'at', width: 170, render: (v: string) => formatTime(v) },
              {
                title: t('audit.actor'),
                dataIndex: 'actor',
                width: 140,
                render: (v: string | null) => v ?? '—',
              },
              {
                title: t('audit.action'),
                dataIndex: 'action',
                width: 180,
                render: (v: string) => <Tag>{v}</Tag>,
              },
              {
                title: t('audit.target'),
                key: 'target',
                render: (_v, e) => (e.target ? `${e.targetType ?? ''} ${e.target}`.trim() : '—'),
              },
              {
                title: t('audit.team'),
                dataIndex: 'team',
                width: 120,
                render: (v: string | null) => v ?? '—',
              },
              { title: t('audit.ip'), dataIndex: 'ip', width: 130, render: (v: string | null) => v ?? '—' },
            ]}
          />
          <CursorPager
            state={pages.state}
            nextCursor={audit.data?.nextCursor}
            onPrevious={pages.previous}
            onNext={pages.next}
            limit={pages.limit}
            onLimit={pages.setLimit}
            loading={audit.isFetching}
          />
        </>
      )}
    </Card>
  );
}
