/** The state of everything at a glance: job counts, the last 24 h, what runs now, what failed. */
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, List, Progress, Row, Space, Spin, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { Overview } from '../api/types';
import { ErrorState } from '../common/api-error';
import { formatTime, fromNow } from '../common/format';
import { RunStatusTag, TimedOutTag } from '../common/status-tags';
import { usePollInterval } from '../live/live-updates';
import { OUTCOMES, RunsChart } from './runs-chart';

const runLink = (job: string, runId: string) => `/jobs/${encodeURIComponent(job)}?run=${runId}`;

export default function OverviewPage() {
  const { t } = useTranslation();
  const poll = usePollInterval(10_000, 60_000);
  const overview = useQuery({ queryKey: ['overview'], queryFn: api.overview, refetchInterval: poll });
  if (overview.isError) return <ErrorState error={overview.error} retry={() => void overview.refetch()} />;
  if (!overview.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const data: Overview = overview.data;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="overview">
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('overview.jobs')} style={{ height: '100%' }}>
            <Row gutter={8}>
              <Col span={8}>
                <Link to="/jobs">
                  <Statistic title={t('overview.total')} value={data.jobs.total} />
                </Link>
              </Col>
              <Col span={8}>
                <Link to="/jobs?status=enabled">
                  <Statistic
                    title={t('jobs.enabled')}
                    value={data.jobs.enabled}
                    valueStyle={{ color: '#52c41a' }}
                  />
                </Link>
              </Col>
              <Col span={8}>
                <Link to="/jobs?status=paused">
                  <Statistic
                    title={t('jobs.paused')}
                    value={data.jobs.paused}
                    valueStyle={{ color: '#fa8c16' }}
                  />
                </Link>
              </Col>
            </Row>
            {data.jobsPerTeam.length > 0 && (
              <Table
                data-testid="jobs-per-team"
                style={{ marginTop: 12 }}
                size="small"
                rowKey={(r) => r.team ?? ''}
                pagination={false}
                scroll={{ y: 200 }}
                dataSource={data.jobsPerTeam}
                columns={[
                  {
                    title: t('overview.jobsPerTeam'),
                    dataIndex: 'team',
                    ellipsis: true,
                    render: (team: string | null) =>
                      team ? (
                        <Link to={`/jobs?team=${encodeURIComponent(team)}`}>{team}</Link>
                      ) : (
                        t('overview.noTeam')
                      ),
                  },
                  { title: t('overview.total'), dataIndex: 'total', width: 64, align: 'right' },
                  { title: t('jobs.enabled'), dataIndex: 'enabled', width: 88, align: 'right' },
                  { title: t('jobs.paused'), dataIndex: 'paused', width: 76, align: 'right' },
                ]}
              />
            )}
            {data.jobs.total === 0 && (
              <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
                {t('overview.noJobsHint')} <Link to="/worker-groups">{t('nav.workerGroups')}</Link> ·{' '}
                <Link to="/jobs/new">{t('jobs.create')}</Link>
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('overview.last24h')} style={{ height: '100%' }}>
            <Row gutter={[8, 8]}>
              {OUTCOMES.map((o) => (
                <Col key={o.key} xs={8} md={4}>
                  <Statistic
                    title={t(o.label)}
                    value={o.key === 'timedOut' ? data.runs24h.timedOut : data.runs24h[o.key]}
                    valueStyle={{ color: o.color, fontSize: 22 }}
                  />
                </Col>
              ))}
            </Row>
            <RunsChart runs={data.runs24h} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('overview.runningNow', { count: data.runningNow.count })}>
            <Table
              size="small"
              rowKey="runId"
              pagination={false}
              dataSource={data.runningNow.items}
              locale={{
                emptyText: (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.nothingRunning')} />
                ),
              }}
              scroll={{ y: 320 }}
              columns={[
                {
                  title: t('run.job'),
                  dataIndex: 'job',
                  ellipsis: true,
                  render: (job: string, r) => <Link to={runLink(job, r.runId)}>{job}</Link>,
                },
                {
                  title: t('runs.result'),
                  dataIndex: 'status',
                  width: 100,
                  render: (s) => <RunStatusTag status={s} />,
                },
                {
                  title: t('run.progress'),
                  dataIndex: 'progress',
                  width: 140,
                  render: (p: number | null) => (p === null ? '—' : <Progress percent={p} size="small" />),
                },
                {
                  title: t('overview.started'),
                  dataIndex: 'firedAt',
                  width: 120,
                  render: (v: string | null) => fromNow(v),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('overview.recentFailures')}>
            <List
              size="small"
              dataSource={data.recentFailures}
              locale={{
                emptyText: (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.noFailures')} />
                ),
              }}
              style={{ maxHeight: 360, overflow: 'auto' }}
              renderItem={(r) => (
                <List.Item>
                  <List.Item.Meta
                    title={
                      <Space size={6}>
                        <Link to={runLink(r.job, r.runId)}>{r.job}</Link>
                        <RunStatusTag status={r.status} />
                        <TimedOutTag timedOut={r.timedOut} />
                      </Space>
                    }
                    description={
                      <>
                        <Typography.Text type="secondary">
                          {formatTime(r.finishedAt ?? r.scheduledAt)}
                        </Typography.Text>
                        {r.message && <div style={{ wordBreak: 'break-word' }}>{r.message}</div>}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
