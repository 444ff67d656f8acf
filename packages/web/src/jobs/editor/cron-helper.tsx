/** The next 10 fires of the schedule being edited, in the job's zone, DST shifts marked. */
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, List, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import { describeError } from '../../common/api-error';
import { cronInWords } from '../../common/cron-text';
import { formatTime } from '../../common/format';
import { usePreferences } from '../../shell/preferences';
import { dstShifts, offsetOf } from './dst-shifts';

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function CronHelper({ cron, timezone }: { cron: string; timezone: string }) {
  const { t } = useTranslation();
  const { language } = usePreferences();
  const expr = useDebounced(cron.trim(), 400);
  const zone = useDebounced(timezone || 'UTC', 400);
  const preview = useQuery({
    queryKey: ['cron-preview', expr, zone],
    queryFn: () => api.cronPreview(expr, zone, 10),
    enabled: expr !== '',
    retry: false,
    staleTime: 60_000,
  });
  const words = expr ? cronInWords(expr, language) : null;
  const fires = preview.data?.fires ?? [];
  const shifts = dstShifts(fires);

  return (
    <Card size="small" title={t('editor.cronHelper.title')} data-testid="cron-helper">
      {words && (
        <Typography.Paragraph strong data-testid="cron-words">
          {words}
        </Typography.Paragraph>
      )}
      {preview.isError && (
        <Alert
          type="error"
          showIcon
          message={
            preview.error instanceof ApiError ? preview.error.message : describeError(t, preview.error)
          }
          data-testid="cron-error"
        />
      )}
      {fires.length > 0 && (
        <List
          size="small"
          header={<Typography.Text type="secondary">{t('editor.cronHelper.next', { zone })}</Typography.Text>}
          dataSource={fires.map((fire, i) => ({ fire, shift: shifts[i] ?? null }))}
          renderItem={({ fire, shift }) => (
            <List.Item style={{ padding: '4px 0' }}>
              <Space size={6} wrap>
                <Typography.Text code>{fire.local.slice(0, 19).replace('T', ' ')}</Typography.Text>
                <Typography.Text type="secondary">{offsetOf(fire.local)}</Typography.Text>
                {shift && (
                  <Tag color="orange" data-testid="dst-shift">
                    {t('editor.cronHelper.dstShift', { from: shift, to: offsetOf(fire.local) })}
                  </Tag>
                )}
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('editor.cronHelper.yourTime', { time: formatTime(fire.at) })}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
