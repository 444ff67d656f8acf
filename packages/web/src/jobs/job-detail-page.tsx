/**
 * One job: header with status and actions, the trend chart, the history,
 * its alert settings and latest alerts, the run drawer (`?run=`).
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { JobAlertsCard } from '../alerts/job-alerts-card';
import { api } from '../api/endpoints';
import type { Job } from '../api/types';
import { ErrorState } from '../common/api-error';
import { EnabledTag } from '../common/status-tags';
import { usePollInterval } from '../live/live-updates';
import { RunDrawer } from '../runs/run-drawer';
import { JobRowActions } from './job-row-actions';
import { JobSummary } from './job-summary';
import { RunHistory } from './run-history';
import { RunNowModal } from './run-now-modal';
import { TrendCard } from './trend/trend-card';

export default function JobDetailPage() {
  const { t } = useTranslation();
  const { job: name = '' } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [runNow, setRunNow] = useState<Job | null>(null);
  const job = useQuery({
    queryKey: ['job', name],
    queryFn: () => api.jobs.get(name),
    refetchInterval: usePollInterval(15_000, 60_000),
  });
  const runId = params.get('run');

  const openRun = (id: string | null) =>
    setParams(
      (prev) => {
        const copy = new URLSearchParams(prev);
        if (id) copy.set('run', id);
        else copy.delete('run');
        return copy;
      },
      { replace: id === null },
    );

  if (job.isError) return <ErrorState error={job.error} retry={() => void job.refetch()} />;
  if (!job.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const data = job.data;

  return (
    <>
      <Card style={{ marginBottom: 16 }}>
        <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap' }} align="start">
          <Space align="center">
            <Button
              type="text"
              icon={<ArrowLeftOutlined />}
              onClick={() => navigate('/jobs')}
              aria-label={t('common.back')}
            />
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="job-title">
              {data.name}
            </Typography.Title>
            <EnabledTag enabled={data.enabled} />
          </Space>
          <JobRowActions job={data} onRunNow={setRunNow} onDeleted={() => navigate('/jobs')} withLabels />
        </Space>
        <div style={{ marginTop: 12 }}>
          <JobSummary job={data} onOpenRun={openRun} />
        </div>
      </Card>
      <TrendCard job={data.name} onOpenRun={openRun} />
      <RunHistory job={data.name} onOpenRun={openRun} selectedRun={runId} />
      <JobAlertsCard job={data} />
      <RunDrawer runId={runId} team={data.team} onClose={() => openRun(null)} onOpenRun={openRun} />
      <RunNowModal job={runNow} onClose={() => setRunNow(null)} onTriggered={(run) => openRun(run.id)} />
    </>
  );
}
