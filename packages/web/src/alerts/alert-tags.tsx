/** Alert statuses, kinds, channel types and recipients as tags, the same everywhere in the console. */
import {
  ApiOutlined,
  CommentOutlined,
  DingtalkOutlined,
  MailOutlined,
  MessageOutlined,
  SlackOutlined,
  WechatWorkOutlined,
} from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertKind, AlertMessage, ChannelType } from '../api/types';
import { formatTime, fromNow } from '../common/format';
import { parseRecipient, type RecipientKind } from './recipients';

const KIND_COLOR: Record<AlertKind, string> = {
  failed: 'red',
  notify_failed: 'volcano',
  timeout: 'gold',
  missed: 'magenta',
  skipped: 'default',
  lost: 'volcano',
  recovered: 'green',
  digest: 'purple',
  test: 'cyan',
};

export function AlertKindTag({ kind }: { kind: AlertKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={KIND_COLOR[kind] ?? 'default'} data-kind={kind}>
      {KIND_COLOR[kind] ? t(`alertEvent.${kind}`) : kind}
    </Tag>
  );
}

/** Sent (green), pending (blue, with the next attempt), failed (red, the error on hover). */
export function AlertStatusTag({ message }: { message: AlertMessage }) {
  const { t } = useTranslation();
  const { status } = message;
  const lines: string[] = [];
  if (status === 'sent' && message.sentAt)
    lines.push(t('alerts.sentAt', { time: formatTime(message.sentAt) }));
  if (status === 'pending' && message.nextAttemptAt) {
    lines.push(t('alerts.nextAttemptAt', { time: formatTime(message.nextAttemptAt) }));
  }
  if (status !== 'sent' && message.lastError) lines.push(t('alerts.lastError', { error: message.lastError }));
  const tag = (
    <Tag
      color={status === 'sent' ? 'success' : status === 'pending' ? 'processing' : 'error'}
      data-alert-status={status}
    >
      {t(`alertStatus.${status}`)}
      {status === 'pending' && message.nextAttemptAt && (
        <> · {t('alerts.nextAttempt', { when: fromNow(message.nextAttemptAt) })}</>
      )}
    </Tag>
  );
  if (lines.length === 0) return tag;
  return (
    <Tooltip
      title={
        <div data-testid="alert-status-detail">
          {lines.map((line) => (
            <div key={line} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
              {line}
            </div>
          ))}
        </div>
      }
    >
      {tag}
    </Tooltip>
  );
}

const TYPE_ICON: Record<ChannelType, ReactNode> = {
  email: <MailOutlined />,
  sms: <MessageOutlined />,
  dingtalk: <DingtalkOutlined />,
  feishu: <CommentOutlined />,
  wecom: <WechatWorkOutlined />,
  slack: <SlackOutlined />,
  webhook: <ApiOutlined />,
};

const TYPE_COLOR: Record<ChannelType, string> = {
  email: 'blue',
  sms: 'cyan',
  dingtalk: 'geekblue',
  feishu: 'purple',
  wecom: 'green',
  slack: 'magenta',
  webhook: 'default',
};

export function ChannelTypeTag({ type }: { type: ChannelType }) {
  const { t } = useTranslation();
  return (
    <Tag icon={TYPE_ICON[type]} color={TYPE_COLOR[type]} data-channel-type={type}>
      {t(`channelType.${type}`)}
    </Tag>
  );
}

export const RECIPIENT_COLOR: Record<RecipientKind, string> = {
  user: 'blue',
  team: 'geekblue',
  email: 'cyan',
  sms: 'orange',
  channel: 'purple',
};

/** A recipient as a tag coloured by kind; red with the reason when it is not a valid one. */
export function RecipientTag({
  value,
  closable,
  onClose,
}: {
  value: string;
  closable?: boolean;
  onClose?: () => void;
}) {
  const { t } = useTranslation();
  const parsed = parseRecipient(value);
  const tag = (
    <Tag
      color={parsed.ok ? RECIPIENT_COLOR[parsed.kind] : 'error'}
      closable={closable}
      onClose={onClose}
      onMouseDown={(e) => e.stopPropagation()}
      style={{ marginInlineEnd: 4 }}
      data-recipient={value}
    >
      {value}
    </Tag>
  );
  if (parsed.ok) return tag;
  return <Tooltip title={t(`editor.recipientProblem.${parsed.problem}`, { value })}>{tag}</Tooltip>;
}
