import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { prettyJson } from '../common/format';
import { MONO } from '../common/json-input';

export function JsonBlock({ title, value, testId }: { title: string; value: unknown; testId?: string }) {
  const { t } = useTranslation();
  const empty = value === null || value === undefined;
  return (
    <div data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>
      {empty ? (
        <Typography.Paragraph type="secondary">{t('run.none')}</Typography.Paragraph>
      ) : (
        <Typography.Paragraph copyable={{ text: prettyJson(value) }} style={{ marginBottom: 0 }}>
          <pre style={{ ...MONO, maxHeight: 320, overflow: 'auto', margin: '4px 0' }}>
            {prettyJson(value)}
          </pre>
        </Typography.Paragraph>
      )}
    </div>
  );
}
