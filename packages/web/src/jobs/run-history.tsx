/** A job's runs, newest first: status filter and cursor pages kept in the URL (`h…` keys). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Empty, Select, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints';
import { RUN_STATUSES, type Run, type RunStatus } from '../api/types';
import { ErrorState } from '../common/api-error';
import { CursorPager } from '../common/cursor-pager';
import { formatDuration, formatTime } from '../common/format';
import { NotifyStatusTag, RunStatusTag, TimedOutTag } from '../common/status-tags';
import { useCursorPages, useUrlFilters } from '../common/use-cursor-pages';
import { usePollInterval } from '../live/live-updates';

interface Props {
  job: string;
  onOpenRun(runId: string): void;
  selectedRun: string | null;
}

export function RunHistory({ job, onOpenRun, selectedRun }: Props) {
  const { t } = useTranslation();
  const { params, set } = useUrlFilters('h');
  const pages = useCursorPages(20, 'h');
  const status = params
    .getAll('hstatus')
    .filter((s): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s));
  const query = { status: status.length ? status : undefined, limit: pages.limit, cursor: pages.cursor };
  const runs = useQuery({
    queryKey: ['runs', job, query],
    queryFn: () => api.jobs.runs(job, query),
    placeholderData: keepPreviousData,
    refetchInterval: usePollInterval(10_000, 60_000),
  });

  const columns: ColumnsType<Run> = [
    {
      title: t('runs.scheduledAt'),
      dataIndex: 'scheduledAt',
      width: 170,
      render: (v: string, run) => (
        <Typography.Link onClick={() => onOpenRun(run.id)} data-testid={`run-link-${run.id}`}>
          {formatTime(v)}
        </Typography.Link>
      ),
    },
    {
      title: t('runs.firedAt'),
      dataIndex: 'firedAt',
      width: 170,
      render: (v: string | null) => formatTime(v),
    },
    {
      title: t('runs.duration'),
      dataIndex: 'durationMs',
      width: 100,
      align: 'right',
      render: (v: number | null) => formatDuration(v),
    },
    {
      title: t('runs.timedOut'),
      dataIndex: 'timedOut',
      width: 110,
      render: (v: boolean) => <TimedOutTag timedOut={v} />,
    },
    {
      title: t('runs.result'),
      dataIndex: 'status',
      width: 110,
      render: (v: RunStatus) => <RunStatusTag status={v} />,
    },
    {
      title: t('runs.notifyResult'),
      dataIndex: 'notifyStatus',
      width: 110,
      render: (v: Run['notifyStatus']) => <NotifyStatusTag status={v} />,
    },
    {
      title: t('runs.member'),
      dataIndex: 'member',
      width: 180,
      ellipsis: true,
      render: (v: string | null, run) =>
        v ?? (run.shards.length ? t('runs.shardCount', { count: run.shards.length }) : '—'),
    },
    {
      title: t('runs.trigger'),
      dataIndex: 'trigger',
      width: 100,
      render: (v: Run['trigger']) => <Tag bordered={false}>{t(`trigger.${v}`)}</Tag>,
    },
    { title: t('runs.message'), dataIndex: 'message', ellipsis: true, render: (v: string | null) => v ?? '' },
  ];

  return (
    <Card
      size="small"
      title={t('runs.history')}
      style={{ marginTop: 16 }}
      extra={
        <Select<RunStatus[]>
          mode="multiple"
          size="small"
          allowClear
          placeholder={t('runs.filterStatus')}
          aria-label={t('runs.filterStatus')}
          value={status}
          onChange={(v) => set({ hstatus: v })}
          options={RUN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          style={{ minWidth: 220 }}
          maxTagCount="responsive"
          data-testid="history-status-filter"
        />
      }
    >
      {runs.isError ? (
        <ErrorState error={runs.error} retry={() => void runs.refetch()} />
      ) : (
        <>
          <Table<Run>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={runs.data?.items ?? []}
            loading={runs.isPending || (runs.isFetching && runs.isPlaceholderData)}
            pagination={false}
            scroll={{ x: 1100 }}
            rowClassName={(run) => (run.id === selectedRun ? 'ant-table-row-selected' : '')}
            onRow={(run) => ({ onClick: () => onOpenRun(run.id), style: { cursor: 'pointer' } })}
            locale={{
              emptyText: runs.isPending ? (
                ' '
              ) : (
                <Empty description={status.length ? t('runs.noMatch') : t('runs.none')} />
              ),
            }}
            data-testid="run-history"
          />
          <CursorPager
            state={pages.state}
            nextCursor={runs.data?.nextCursor}
            onPrevious={pages.previous}
            onNext={pages.next}
            limit={pages.limit}
            onLimit={pages.setLimit}
            loading={runs.isFetching}
            testId="history-pager"
          />
        </>
      )}
    </Card>
  );
}
