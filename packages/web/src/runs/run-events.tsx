/** A run's progress calls as a timeline, and all their log lines as one log. */
import { Empty, Progress, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RunEvent } from '../api/types';
import { formatTime } from '../common/format';
import { MONO } from '../common/json-input';

export function RunEvents({ events }: { events: RunEvent[] }) {
  const { t } = useTranslation();
  const steps = events.filter((e) => e.progress !== null || e.message);
  if (steps.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('run.noProgress')} />;
  return (
    <Timeline
      items={steps.map((e, i) => ({
        key: `${e.at}-${i}`,
        children: (
          <>
            <Typography.Text type="secondary">{formatTime(e.at)}</Typography.Text>
            {e.progress !== null && <Progress percent={e.progress} size="small" style={{ maxWidth: 240 }} />}
            {e.message && <div>{e.message}</div>}
          </>
        ),
      }))}
    />
  );
}

export function RunLog({ events }: { events: RunEvent[] }) {
  const { t } = useTranslation();
  const lines = events.flatMap((e) => e.log.map((line) => `${formatTime(e.at)}  ${line}`));
  if (lines.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('run.noLog')} />;
  return (
    <pre
      style={{
        ...MONO,
        maxHeight: 420,
        overflow: 'auto',
        margin: 0,
        padding: 8,
        background: 'rgba(127,127,127,.08)',
        borderRadius: 6,
      }}
      data-testid="run-log"
    >
      {lines.join('\n')}
    </pre>
  );
}
