/**
 * One run: outcome, attempts, progress, log, output and its retry chain,
 * refreshed while it is still open; a running run can be cancelled.
 */
import { StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Descriptions, Drawer, Progress, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { Run } from '../api/types';
import { can } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';
import { formatDuration, formatTime } from '../common/format';
import { NotifyStatusTag, RunStatusTag, TimedOutTag } from '../common/status-tags';
import { usePollInterval } from '../live/live-updates';
import { AttemptsTable } from './attempts-table';
import { JsonBlock } from './json-block';
import { RetryChain } from './retry-chain';
import { RunEvents, RunLog } from './run-events';
import { ShardsTable } from './shards-table';

interface Props {
  runId: string | null;
  /** The job's team, for what the user may do; undefined while unknown. */
  team: string | null | undefined;
  onClose(): void;
  onOpenRun(runId: string): void;
}

const isOpen = (run: Run | undefined) => run?.status === 'pending' || run?.status === 'running';

export function RunDrawer({ runId, team, onClose, onOpenRun }: Props) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { modal } = App.useApp();
  const feedback = useFeedback();
  const client = useQueryClient();
  const openPoll = usePollInterval(2_000, 10_000);
  const run = useQuery({
    queryKey: ['run', runId],
    queryFn: () => api.runs.get(runId as string),
    enabled: runId !== null,
    // Events bring status and progress; log lines alone do not make one.
    refetchInterval: (query) => (isOpen(query.state.data) ? openPoll : false),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api.runs.cancel(id),
    onSuccess: (cancelled) => {
      feedback.ok(t('run.cancelled'));
      void client.invalidateQueries({ queryKey: ['run', cancelled.id] });
      void client.invalidateQueries({ queryKey: ['runs', cancelled.job] });
      void client.invalidateQueries({ queryKey: ['runs', cancelled.jobId] });
    },
    onError: feedback.fail,
  });
  const data = run.data;

  const confirmCancel = (r: Run) =>
    modal.confirm({
      title: t('run.cancelTitle'),
      content: t('run.cancelBody', { job: r.job }),
      okText: t('run.cancel'),
      okButtonProps: { danger: true },
      cancelText: t('common.back'),
      onOk: () => cancel.mutateAsync(r.id),
    });

  return (
    <Drawer
      open={runId !== null}
      onClose={onClose}
      width={760}
      destroyOnHidden
      title={
        <Space>
          {t('run.title')}
          {data && <RunStatusTag status={data.status} />}
          {data && <TimedOutTag timedOut={data.timedOut} />}
        </Space>
      }
      extra={
        data &&
        isOpen(data) &&
        team !== undefined &&
        can(session, team, 'operate') && (
          <Button
            danger
            icon={<StopOutlined />}
            loading={cancel.isPending}
            onClick={() => confirmCancel(data)}
            data-testid="run-cancel"
          >
            {t('run.cancel')}
          </Button>
        )
      }
      data-testid="run-drawer"
    >
      {run.isError && <ErrorState error={run.error} retry={() => void run.refetch()} />}
      {data && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('run.id')} span={2}>
              <Typography.Text copyable>{data.id}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('run.job')}>
              <Link to={`/jobs/${encodeURIComponent(data.job)}`}>{data.job}</Link>
            </Descriptions.Item>
            <Descriptions.Item label={t('runs.trigger')}>{t(`trigger.${data.trigger}`)}</Descriptions.Item>
            <Descriptions.Item label={t('runs.scheduledAt')}>
              {formatTime(data.scheduledAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t('runs.firedAt')}>{formatTime(data.firedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('run.finishedAt')}>{formatTime(data.finishedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('runs.duration')}>
              {formatDuration(data.durationMs)}
            </Descriptions.Item>
            <Descriptions.Item label={t('runs.result')}>
              <RunStatusTag status={data.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('runs.notifyResult')}>
              <NotifyStatusTag status={data.notifyStatus} />
            </Descriptions.Item>
            <Descriptions.Item label={t('runs.member')} span={2}>
              {data.member ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('run.progress')} span={2}>
              {data.progress === null ? (
                '—'
              ) : (
                <Progress
                  percent={data.progress}
                  size="small"
                  status={isOpen(data) ? 'active' : data.status === 'succeeded' ? 'success' : 'normal'}
                />
              )}
            </Descriptions.Item>
          </Descriptions>
          {data.message && (
            <Alert
              type={
                data.status === 'succeeded'
                  ? 'success'
                  : data.status === 'failed' || data.status === 'lost'
                    ? 'error'
                    : 'info'
              }
              message={t('run.message')}
              description={<span style={{ whiteSpace: 'pre-wrap' }}>{data.message}</span>}
              data-testid="run-message"
            />
          )}
          {data.truncated && <Alert type="warning" showIcon message={t('run.truncated')} />}
          <RetryChain run={data} onOpenRun={onOpenRun} />
          <Tabs
            size="small"
            defaultActiveKey={(data.events ?? []).some((e) => e.log.length > 0) ? 'log' : 'attempts'}
            items={[
              {
                key: 'log',
                label: t('run.log'),
                children: <RunLog events={data.events ?? []} />,
              },
              {
                key: 'progress',
                label: t('run.timeline'),
                children: <RunEvents events={data.events ?? []} />,
              },
              {
                key: 'attempts',
                label: t('run.attemptsCount', { count: data.attempts.length }),
                children: <AttemptsTable attempts={data.attempts} />,
              },
              ...(data.shards.length
                ? [{ key: 'shards', label: t('run.shards'), children: <ShardsTable shards={data.shards} /> }]
                : []),
              {
                key: 'output',
                label: t('run.output'),
                children: (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    <JsonBlock title={t('run.output')} value={data.output} testId="run-output" />
                    {data.lateResult !== null && data.lateResult !== undefined && (
                      <JsonBlock title={t('run.lateResult')} value={data.lateResult} />
                    )}
                    <JsonBlock title={t('run.params')} value={data.params} />
                  </Space>
                ),
              },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}
