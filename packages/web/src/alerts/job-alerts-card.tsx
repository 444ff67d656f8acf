/** A job's alert settings and its latest alerts, on the job's page. */
import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Empty, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { AlertKind, AlertMessage, Job } from '../api/types';
import { ErrorState } from '../common/api-error';
import { AlertKindTag, RecipientTag } from './alert-tags';
import { ALERTS_REFRESH_MS, useAlertColumns } from './alerts-page';

/** How many of the job's alerts the card lists. */
const RECENT = 5;

export function JobAlertsCard({ job }: { job: Job }) {
  const { t } = useTranslation();
  const query = { job: job.name, limit: RECENT };
  const recent = useQuery({
    queryKey: ['alerts', query],
    queryFn: () => api.alerts(query),
    refetchInterval: ALERTS_REFRESH_MS,
  });
  const columns = useAlertColumns({ withJob: false });
  const { alerts } = job;
  const escalation = alerts.escalation ?? null;
  return (
    <Card
      title={t('nav.alerts')}
      style={{ marginTop: 16 }}
      extra={<Link to={`/alerts?job=${encodeURIComponent(job.name)}`}>{t('alerts.allOfJob')}</Link>}
      data-testid="job-alerts"
    >
      <Descriptions size="small" column={{ xs: 1, lg: 3 }}>
        <Descriptions.Item label={t('alerts.on')}>
          {alerts.on.length ? (
            alerts.on.map((kind) => <AlertKindTag key={kind} kind={kind as AlertKind} />)
          ) : (
            <Typography.Text type="secondary">{t('alerts.onDefault')}</Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('alerts.recipients')}>
          {alerts.recipients.length ? (
            <Space size={[0, 4]} wrap>
              {alerts.recipients.map((r) => (
                <RecipientTag key={r} value={r} />
              ))}
            </Space>
          ) : (
            <Typography.Text type="secondary">{t('alerts.recipientsDefault')}</Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('alerts.escalation')}>
          {escalation ? (
            <Space size={[0, 4]} wrap>
              <span style={{ marginRight: 4 }}>
                {t('alerts.escalationText', { count: escalation.afterFailures })}
              </span>
              {escalation.recipients.map((r) => (
                <RecipientTag key={r} value={r} />
              ))}
            </Space>
          ) : (
            t('alerts.noEscalation')
          )}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 8 }}>
        {t('alerts.recent')}
      </Typography.Title>
      {recent.isError ? (
        <ErrorState error={recent.error} retry={() => void recent.refetch()} />
      ) : (
        <Table<AlertMessage>
          rowKey="id"
          size="small"
          loading={recent.isPending}
          dataSource={recent.data?.items ?? []}
          columns={columns}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: recent.isPending ? ' ' : <Empty description={t('alerts.noRecent')} /> }}
          data-testid="job-recent-alerts"
        />
      )}
    </Card>
  );
}
