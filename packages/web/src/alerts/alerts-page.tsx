/**
 * The alert history: every message to a recipient, newest first, with how
 * its delivery went. Filters and pages in the URL; refreshed every 10 s.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { AlertKind, AlertMessage } from '../api/types';
import { ErrorState } from '../common/api-error';
import { CursorPager } from '../common/cursor-pager';
import { formatTime } from '../common/format';
import { useCursorPages, useUrlFilters } from '../common/use-cursor-pages';
import { ALERT_FILTER_KEYS, AlertFiltersBar, alertFiltersOf } from './alert-filters';
import { AlertKindTag, AlertStatusTag } from './alert-tags';

/** How often the history is asked again, ms. */
export const ALERTS_REFRESH_MS = 10_000;

/** The link to a run: the job's page with the run drawer open. */
export const runLink = (job: string, runId: string) =>
  `/jobs/${encodeURIComponent(job)}?run=${encodeURIComponent(runId)}`;

const ELLIPSIS = {
  display: 'block',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
} as const;

function JobCell({ message }: { message: AlertMessage }) {
  return (
    <>
      <span style={ELLIPSIS}>
        {message.job ? <Link to={`/jobs/${encodeURIComponent(message.job)}`}>{message.job}</Link> : '—'}
        {message.team && (
          <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
            {message.team}
          </Typography.Text>
        )}
      </span>
      <Typography.Text type="secondary" style={{ ...ELLIPSIS, fontSize: 12 }} title={message.subject}>
        {message.subject}
      </Typography.Text>
    </>
  );
}

/** The history's columns; on a job's page the job is known and the subject takes its place. */
export function useAlertColumns(options: { withJob: boolean }): ColumnsType<AlertMessage> {
  const { t } = useTranslation();
  return [
    { title: t('alerts.when'), dataIndex: 'createdAt', width: 160, render: (v: string) => formatTime(v) },
    {
      title: t('alerts.kind'),
      dataIndex: 'kind',
      width: 110,
      render: (v: AlertKind) => <AlertKindTag kind={v} />,
    },
    options.withJob
      ? { title: t('alerts.job'), key: 'job', render: (_v, m) => <JobCell message={m} /> }
      : {
          title: t('alerts.subject'),
          dataIndex: 'subject',
          ellipsis: true,
          render: (v: string) => <span title={v}>{v}</span>,
        },
    {
      title: t('alerts.run'),
      dataIndex: 'runId',
      width: 100,
      render: (runId: string | null, m) =>
        runId && m.job ? (
          <Link to={runLink(m.job, runId)} data-testid={`alert-run-${runId}`}>
            {t('alerts.openRun')}
          </Link>
        ) : (
          '—'
        ),
    },
    {
      title: t('alerts.sentTo'),
      key: 'to',
      width: 270,
      render: (_v, m) => (
        <span style={ELLIPSIS} title={m.recipient ? `${m.channel} → ${m.recipient}` : m.channel}>
          <Tag>{m.channel}</Tag>
          {m.recipient}
        </span>
      ),
    },
    {
      title: t('alerts.status'),
      dataIndex: 'status',
      width: 190,
      render: (_v: string, m) => <AlertStatusTag message={m} />,
    },
    { title: t('alerts.attempts'), dataIndex: 'attempts', width: 80, align: 'right' },
  ];
}

export default function AlertsPage() {
  const { t } = useTranslation();
  const { params, set } = useUrlFilters();
  const pages = useCursorPages(50);
  const filters = alertFiltersOf(params);
  const query = { ...filters, limit: pages.limit, cursor: pages.cursor };
  const alerts = useQuery({
    queryKey: ['alerts', query],
    queryFn: () => api.alerts(query),
    placeholderData: keepPreviousData,
    refetchInterval: ALERTS_REFRESH_MS,
  });
  const columns = useAlertColumns({ withJob: true });
  const filtered = ALERT_FILTER_KEYS.some((key) => filters[key] !== undefined);
  const clear = () => set(Object.fromEntries(ALERT_FILTER_KEYS.map((key) => [key, null])));
  return (
    <Card title={t('nav.alerts')}>
      <Typography.Paragraph type="secondary">{t('alerts.help')}</Typography.Paragraph>
      <AlertFiltersBar value={filters} onChange={set} />
      {alerts.isError ? (
        <ErrorState error={alerts.error} retry={() => void alerts.refetch()} />
      ) : (
        <>
          <Table<AlertMessage>
            rowKey="id"
            size="small"
            loading={alerts.isPending || (alerts.isFetching && alerts.isPlaceholderData)}
            dataSource={alerts.data?.items ?? []}
            columns={columns}
            pagination={false}
            scroll={{ x: 1150 }}
            locale={{
              emptyText: alerts.isPending ? (
                ' '
              ) : filtered ? (
                <Empty description={t('alerts.noMatch')}>
                  <Button onClick={clear}>{t('alerts.clearFilters')}</Button>
                </Empty>
              ) : (
                <Empty description={t('alerts.none')} />
              ),
            }}
            data-testid="alerts-table"
          />
          <CursorPager
            state={pages.state}
            nextCursor={alerts.data?.nextCursor}
            onPrevious={pages.previous}
            onNext={pages.next}
            limit={pages.limit}
            onLimit={pages.setLimit}
            loading={alerts.isFetching}
          />
        </>
      )}
    </Card>
  );
}
