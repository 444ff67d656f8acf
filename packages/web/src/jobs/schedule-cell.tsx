/** A schedule in words (in the console's language), with the cron expression and zone below. */
import { Space, Typography } from 'antd';
import { cronInWords } from '../common/cron-text';
import { usePreferences } from '../shell/preferences';

export function ScheduleCell({ cron, timezone }: { cron: string; timezone: string }) {
  const { language } = usePreferences();
  const words = cronInWords(cron, language);
  return (
    <Space direction="vertical" size={0}>
      {words && <Typography.Text>{words}</Typography.Text>}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        <code>{cron}</code>
        {timezone !== 'UTC' && ` · ${timezone}`}
      </Typography.Text>
    </Space>
  );
}
