/** Where a run sits in its retry chain: the run it re-runs, and its own re-runs. */
import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Run } from '../api/types';
import { formatTime } from '../common/format';
import { RunStatusTag } from '../common/status-tags';

export function RetryChain({ run, onOpenRun }: { run: Run; onOpenRun(id: string): void }) {
  const { t } = useTranslation();
  const retries = run.retries ?? [];
  if (!run.retryOf && retries.length === 0) return null;
  return (
    <Space direction="vertical" size={4} data-testid="retry-chain">
      <Typography.Text strong>{t('run.retryChain')}</Typography.Text>
      {run.retryOf && (
        <Typography.Text>
          {t('run.retryOf')}{' '}
          <Typography.Link onClick={() => onOpenRun(run.retryOf as string)}>{run.retryOf}</Typography.Link>
        </Typography.Text>
      )}
      {retries.map((r) => (
        <Space key={r.id}>
          {t('run.retriedBy')}
          <Typography.Link onClick={() => onOpenRun(r.id)}>{r.id}</Typography.Link>
          <RunStatusTag status={r.status} />
          <Typography.Text type="secondary">{formatTime(r.scheduledAt)}</Typography.Text>
        </Space>
      ))}
    </Space>
  );
}
