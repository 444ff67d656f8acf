/** The job's settings at a glance, under the page header. */
import { Descriptions, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Job } from '../api/types';
import { formatDuration, formatTime, fromNow } from '../common/format';
import { NotifyStatusTag, RunStatusTag, TimedOutTag } from '../common/status-tags';
import { ScheduleCell } from './schedule-cell';

const seconds = (v: number | null) => (v === null ? '—' : formatDuration(v * 1000));

export function JobSummary({ job, onOpenRun }: { job: Job; onOpenRun(id: string): void }) {
  const { t } = useTranslation();
  const target = job.target.url ?? `${job.target.group ?? '?'} · ${job.target.path ?? ''}`;
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} data-testid="job-summary">
      <Descriptions.Item label={t('jobs.schedule')}>
        <ScheduleCell cron={job.schedule.cron} timezone={job.schedule.timezone} />
      </Descriptions.Item>
      <Descriptions.Item label={t('jobs.nextFire')}>
        {job.nextFireAt ? (
          <Tooltip title={formatTime(job.nextFireAt)}>
            <span>
              {formatTime(job.nextFireAt)} ({fromNow(job.nextFireAt)})
            </span>
          </Tooltip>
        ) : (
          '—'
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('jobs.lastRun')}>
        {job.lastRun ? (
          <Typography.Link onClick={() => job.lastRun && onOpenRun(job.lastRun.id)}>
            {formatTime(job.lastRun.firedAt ?? job.lastRun.scheduledAt)}{' '}
            <RunStatusTag status={job.lastRun.status} />
            <NotifyStatusTag status={job.lastRun.notifyStatus} />
            <TimedOutTag timedOut={job.lastRun.timedOut} />
          </Typography.Link>
        ) : (
          t('jobs.neverRan')
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('jobs.team')}>{job.team ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('jobs.owner')}>{job.owner ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('jobs.tags')}>
        {job.tags.length ? job.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}
      </Descriptions.Item>
      <Descriptions.Item label={t('editor.target')}>
        <Typography.Text code>
          {job.target.method} {target}
        </Typography.Text>
        {job.target.group && (
          <Link to={`/worker-groups/${encodeURIComponent(job.target.group)}`} style={{ marginLeft: 8 }}>
            {t('jobs.openGroup')}
          </Link>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('editor.routing')}>{t(`routing.${job.routing}`)}</Descriptions.Item>
      <Descriptions.Item label={t('editor.delivery')}>{t(`delivery.${job.delivery}`)}</Descriptions.Item>
      <Descriptions.Item label={t('editor.timeoutSec')}>{seconds(job.timeoutSec)}</Descriptions.Item>
      <Descriptions.Item label={t('editor.deadlineSec')}>{seconds(job.deadlineSec)}</Descriptions.Item>
      <Descriptions.Item label={t('editor.retryCount')}>
        {job.retry.count === 0
          ? t('jobs.noRetry')
          : t('jobs.retries', { count: job.retry.count, backoff: seconds(job.retry.backoffSec) })}
      </Descriptions.Item>
      {job.description && (
        <Descriptions.Item label={t('editor.description')} span={3}>
          {job.description}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}
