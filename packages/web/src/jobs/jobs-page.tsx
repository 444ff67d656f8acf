/** Every job: search, filters, server-side pages, row and bulk actions. */
import { PauseOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Empty, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, type JobListQuery } from '../api/endpoints';
import type { Job, RunStatus } from '../api/types';
import { can, canSomewhere } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { CursorPager } from '../common/cursor-pager';
import { useFeedback } from '../common/feedback';
import { useCursorPages, useUrlFilters } from '../common/use-cursor-pages';
import { usePollInterval } from '../live/live-updates';
import { jobColumns } from './jobs-columns';
import { FILTER_KEYS, type JobFilters, JobsFilters } from './jobs-filters';
import { RunNowModal } from './run-now-modal';

export default function JobsPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const feedback = useFeedback();
  const { params, set } = useUrlFilters();
  const pages = useCursorPages(50);
  const [selected, setSelected] = useState<Job[]>([]);
  const [runNow, setRunNow] = useState<Job | null>(null);
  const [bulkBusy, setBulkBusy] = useState(false);

  const filters = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, params.get(k) ?? '']),
  ) as unknown as JobFilters;
  const query: JobListQuery = {
    q: filters.q || undefined,
    team: filters.team || undefined,
    owner: filters.owner || undefined,
    tag: filters.tag || undefined,
    status: filters.status === 'enabled' || filters.status === 'paused' ? filters.status : undefined,
    lastStatus: (filters.lastStatus || undefined) as RunStatus | undefined,
    limit: pages.limit,
    cursor: pages.cursor,
  };
  const list = useQuery({
    queryKey: ['jobs', query],
    queryFn: () => api.jobs.list(query),
    placeholderData: keepPreviousData,
    // Events bring the last runs; the next fire times still need asking.
    refetchInterval: usePollInterval(15_000, 30_000),
  });
  const columns = useMemo(() => jobColumns(t, setRunNow), [t]);
  const filtered = FILTER_KEYS.some((k) => filters[k]);

  const bulk = async (enabled: boolean) => {
    setBulkBusy(true);
    const results = await Promise.allSettled(
      selected.map((job) => (enabled ? api.jobs.resume(job.name) : api.jobs.pause(job.name))),
    );
    setBulkBusy(false);
    const failed = results.filter((r) => r.status === 'rejected');
    const done = results.length - failed.length;
    if (done > 0) {
      feedback.ok(enabled ? t('jobs.bulkResumed', { count: done }) : t('jobs.bulkPaused', { count: done }));
    }
    const firstFailure = failed[0];
    if (firstFailure && firstFailure.status === 'rejected') feedback.fail(firstFailure.reason);
    setSelected([]);
    void client.invalidateQueries({ queryKey: ['jobs'] });
  };

  const empty = filtered ? (
    <Empty description={t('jobs.noMatch')}>
      <Button onClick={() => set(Object.fromEntries(FILTER_KEYS.map((k) => [k, null])))}>
        {t('jobs.clearFilters')}
      </Button>
    </Empty>
  ) : (
    <Empty description={t('jobs.none')}>
      {canSomewhere(session, 'edit') && (
        <Link to="/jobs/new">
          <Button type="primary" icon={<PlusOutlined />}>
            {t('jobs.create')}
          </Button>
        </Link>
      )}
    </Empty>
  );

  return (
    <Card
      title={t('nav.jobs')}
      styles={{ body: { padding: 16 } }}
      extra={
        <Space>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => void list.refetch()}
            loading={list.isFetching}
            aria-label={t('common.refresh')}
          />
          {canSomewhere(session, 'edit') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => navigate('/jobs/new')}
              data-testid="new-job"
            >
              {t('jobs.create')}
            </Button>
          )}
        </Space>
      }
    >
      <JobsFilters value={filters} onChange={(patch) => set(patch)} />
      {selected.length > 0 && (
        <Space style={{ marginBottom: 12 }} data-testid="bulk-actions">
          <Typography.Text>{t('jobs.selected', { count: selected.length })}</Typography.Text>
          <Button icon={<PauseOutlined />} loading={bulkBusy} onClick={() => void bulk(false)}>
            {t('jobs.bulkPause')}
          </Button>
          <Button icon={<PlayCircleOutlined />} loading={bulkBusy} onClick={() => void bulk(true)}>
            {t('jobs.bulkResume')}
          </Button>
          <Button type="link" onClick={() => setSelected([])}>
            {t('jobs.clearSelection')}
          </Button>
        </Space>
      )}
      {list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <>
          <Table<Job>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={list.data?.items ?? []}
            loading={list.isPending || (list.isFetching && list.isPlaceholderData)}
            pagination={false}
            scroll={{ x: 1190 }}
            locale={{ emptyText: list.isPending ? ' ' : empty }}
            rowSelection={
              !canSomewhere(session, 'operate')
                ? undefined
                : {
                    selectedRowKeys: selected.map((j) => j.id),
                    onChange: (_keys, rows) => setSelected(rows),
                    getCheckboxProps: (job) => ({ disabled: !can(session, job.team, 'operate') }),
                  }
            }
            data-testid="jobs-table"
          />
          <CursorPager
            state={pages.state}
            nextCursor={list.data?.nextCursor}
            onPrevious={pages.previous}
            onNext={pages.next}
            limit={pages.limit}
            onLimit={pages.setLimit}
            loading={list.isFetching}
            testId="jobs-pager"
          />
        </>
      )}
      <RunNowModal
        job={runNow}
        onClose={() => setRunNow(null)}
        onTriggered={(run) => navigate(`/jobs/${encodeURIComponent(run.job)}?run=${run.id}`)}
      />
    </Card>
  );
}
