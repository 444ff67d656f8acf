/** The columns of the jobs table. */
import { ExclamationCircleOutlined } from '@ant-design/icons';
import { Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import type { Job } from '../api/types';
import { formatDuration, formatShortTime, formatTime, fromNow } from '../common/format';
import { EnabledTag, NotifyStatusTag, RunStatusTag } from '../common/status-tags';
import { JobRowActions } from './job-row-actions';
import { ScheduleCell } from './schedule-cell';

export function jobColumns(t: TFunction, onRunNow: (job: Job) => void): ColumnsType<Job> {
  return [
    {
      title: t('jobs.name'),
      dataIndex: 'name',
      fixed: 'left',
      width: 180,
      render: (_name, job) => (
        <Space direction="vertical" size={0}>
          <Space size={4}>
            <Link to={`/jobs/${encodeURIComponent(job.name)}`} data-testid={`job-link-${job.name}`}>
              {job.name}
            </Link>
            {!job.enabled && <EnabledTag enabled={false} />}
          </Space>
          {job.tags.length > 0 && (
            <span>
              {job.tags.map((tag) => (
                <Tag key={tag} bordered={false} style={{ fontSize: 11, marginInlineEnd: 2 }}>
                  {tag}
                </Tag>
              ))}
            </span>
          )}
        </Space>
      ),
    },
    {
      title: `${t('jobs.team')} / ${t('jobs.owner')}`,
      key: 'team',
      width: 110,
      render: (_v, job) => (
        <Space direction="vertical" size={0}>
          <span>{job.team ?? '—'}</span>
          {job.owner && <Typography.Text type="secondary">{job.owner}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('jobs.schedule'),
      key: 'schedule',
      width: 180,
      render: (_v, job) => <ScheduleCell cron={job.schedule.cron} timezone={job.schedule.timezone} />,
    },
    {
      title: t('jobs.nextFire'),
      dataIndex: 'nextFireAt',
      width: 115,
      render: (v: string | null) =>
        v ? (
          <Tooltip title={`${formatTime(v)} · ${fromNow(v)}`}>
            <span>{formatShortTime(v)}</span>
          </Tooltip>
        ) : (
          '—'
        ),
    },
    {
      title: t('jobs.lastRun'),
      key: 'lastRun',
      width: 115,
      render: (_v, job) =>
        job.lastRun ? (
          <Tooltip title={formatTime(job.lastRun.firedAt ?? job.lastRun.scheduledAt)}>
            <Link to={`/jobs/${encodeURIComponent(job.name)}?run=${job.lastRun.id}`}>
              {formatShortTime(job.lastRun.firedAt ?? job.lastRun.scheduledAt)}
            </Link>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary">{t('jobs.neverRan')}</Typography.Text>
        ),
    },
    {
      title: t('runs.duration'),
      key: 'duration',
      width: 85,
      align: 'right',
      render: (_v, job) => formatDuration(job.lastRun?.durationMs),
    },
    {
      title: t('runs.timedOut'),
      key: 'timedOut',
      width: 64,
      align: 'center',
      render: (_v, job) =>
        job.lastRun?.timedOut ? (
          <Tooltip title={t('runs.timedOutHelp')}>
            <ExclamationCircleOutlined
              style={{ color: '#faad14', fontSize: 16 }}
              aria-label={t('runs.timedOut')}
            />
          </Tooltip>
        ) : null,
    },
    {
      title: t('runs.result'),
      key: 'status',
      width: 96,
      render: (_v, job) => (job.lastRun ? <RunStatusTag status={job.lastRun.status} /> : '—'),
    },
    {
      title: t('runs.notifyResult'),
      key: 'notify',
      width: 100,
      render: (_v, job) => (job.lastRun ? <NotifyStatusTag status={job.lastRun.notifyStatus} /> : '—'),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      width: 120,
      render: (_v, job) => <JobRowActions job={job} onRunNow={onRunNow} />,
    },
  ];
}
