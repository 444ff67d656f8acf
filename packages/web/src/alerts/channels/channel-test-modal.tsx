/** "Send a test message": through one channel, now; shows whether it went and how long it took. */
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/endpoints';
import type { AlertChannel } from '../../api/types';
import { describeError } from '../../common/api-error';
import { formatDuration } from '../../common/format';
import { NEEDS_RECIPIENT } from './channel-fields';

export function ChannelTestModal({ channel, onClose }: { channel: AlertChannel; onClose(): void }) {
  const { t } = useTranslation();
  const needsRecipient = NEEDS_RECIPIENT.has(channel.type);
  const send = useMutation({
    mutationFn: (recipient: string | undefined) => api.channels.test(channel.name, recipient?.trim()),
  });
  const result = send.data;
  return (
    <Modal
      open
      title={t('channels.testTitle', { name: channel.name })}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('channels.testHelp')}</Typography.Paragraph>
      <Form<{ recipient?: string }> layout="vertical" onFinish={(v) => send.mutate(v.recipient)}>
        {needsRecipient && (
          <Form.Item
            name="recipient"
            label={t('channels.testRecipient')}
            extra={t(
              channel.type === 'email' ? 'channels.testRecipientHelpEmail' : 'channels.testRecipientHelpSms',
            )}
            rules={[{ required: true, message: t('editor.required') }]}
          >
            <Input
              autoComplete="off"
              placeholder={channel.type === 'email' ? 'ops@example.com' : '+8613800000000'}
              data-testid="channel-test-recipient"
            />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={send.isPending} data-testid="channel-test-send">
          {t('channels.testSend')}
        </Button>
      </Form>
      {send.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          message={describeError(t, send.error)}
          data-testid="channel-test-result"
          data-ok="false"
        />
      )}
      {result && !send.isPending && (
        <Alert
          type={result.ok ? 'success' : 'error'}
          showIcon
          style={{ marginTop: 16 }}
          message={t(result.ok ? 'channels.testOk' : 'channels.testFailed', {
            latency: formatDuration(result.latencyMs),
          })}
          description={result.error ?? undefined}
          data-testid="channel-test-result"
          data-ok={String(result.ok)}
        />
      )}
    </Modal>
  );
}
