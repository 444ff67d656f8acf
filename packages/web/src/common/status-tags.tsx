/** Run outcomes as coloured tags, the same everywhere in the console. */
import { ExclamationCircleOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { NotifyStatus, RunStatus } from '../api/types';

export const STATUS_COLOR: Record<RunStatus, string> = {
  pending: 'default',
  running: 'processing',
  succeeded: 'success',
  failed: 'error',
  lost: 'volcano',
  cancelled: 'default',
  missed: 'magenta',
  skipped: 'default',
};

const NOTIFY_COLOR: Record<NotifyStatus, string> = {
  pending: 'default',
  delivered: 'success',
  failed: 'error',
  skipped: 'default',
};

export function RunStatusTag({ status }: { status: RunStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-status={status}>
      {t(`status.${status}`)}
    </Tag>
  );
}

export function NotifyStatusTag({ status }: { status: NotifyStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={NOTIFY_COLOR[status]} data-notify={status}>
      {t(`notify.${status}`)}
    </Tag>
  );
}

export function TimedOutTag({ timedOut }: { timedOut: boolean }) {
  const { t } = useTranslation();
  if (!timedOut) return null;
  return (
    <Tooltip title={t('runs.timedOutHelp')}>
      <Tag color="warning" icon={<ExclamationCircleOutlined />} data-testid="timed-out">
        {t('runs.timedOut')}
      </Tag>
    </Tooltip>
  );
}

export function EnabledTag({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation();
  return <Tag color={enabled ? 'green' : 'orange'}>{enabled ? t('jobs.enabled') : t('jobs.paused')}</Tag>;
}
