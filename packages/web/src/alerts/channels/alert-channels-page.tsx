/**
 * Administration → Alert channels: where alerts go. Administrators create,
 * edit, enable, make default, test and delete; everyone else reads.
 */
import {
  CheckCircleOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeOutlined,
  PlusOutlined,
  SendOutlined,
  StarOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/endpoints';
import type { AlertChannel, ChannelInput, ChannelType } from '../../api/types';
import { isAdmin } from '../../auth/permissions';
import { useSession } from '../../auth/session';
import { ErrorState } from '../../common/api-error';
import { useFeedback } from '../../common/feedback';
import { formatTime } from '../../common/format';
import { ChannelTypeTag } from '../alert-tags';
import { ChannelDrawer } from './channel-drawer';
import { CHANNEL_FIELDS, DEFAULTABLE } from './channel-fields';
import { settingText } from './channel-setting';
import { ChannelTestModal } from './channel-test-modal';

/** The channel as `PUT` takes it, credentials left out (kept), with `patch` over it. */
function replaced(channel: AlertChannel, patch: Partial<ChannelInput>): ChannelInput {
  return {
    name: channel.name,
    type: channel.type,
    config: channel.config,
    enabled: channel.enabled,
    default: channel.default,
    ...patch,
  };
}

export default function AlertChannelsPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const admin = isAdmin(session);
  const { modal } = App.useApp();
  const client = useQueryClient();
  const feedback = useFeedback();
  const [open, setOpen] = useState<AlertChannel | 'new' | null>(null);
  const [testing, setTesting] = useState<AlertChannel | null>(null);
  const channels = useQuery({ queryKey: ['alert-channels'], queryFn: api.channels.list });
  const refresh = () => void client.invalidateQueries({ queryKey: ['alert-channels'] });

  const update = useMutation({
    mutationFn: ({ channel, patch }: { channel: AlertChannel; patch: Partial<ChannelInput>; done: string }) =>
      api.channels.replace(channel.name, replaced(channel, patch)),
    onSuccess: (_saved, { done }) => {
      refresh();
      feedback.ok(done);
    },
    onError: feedback.fail,
  });
  const remove = useMutation({
    mutationFn: (channel: AlertChannel) => api.channels.delete(channel.name),
    onSuccess: (_v, channel) => {
      refresh();
      feedback.ok(t('channels.deleted', { name: channel.name }));
    },
    onError: feedback.fail,
  });

  const items = channels.data?.items ?? [];
  const hasDefault = (type: ChannelType) => items.some((c) => c.type === type && c.default && c.enabled);
  const credentialLabel = (channel: AlertChannel, key: string) => {
    const field = CHANNEL_FIELDS[channel.type].find((f) => f.in === 'secret' && f.key === key);
    return field ? settingText(t, 'fields', channel.type, field) : key;
  };
  const typeName = (type: ChannelType) => t(`channelType.${type}`);

  return (
    <Card
      title={t('nav.alertChannels')}
      extra={
        admin && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setOpen('new')}
            data-testid="new-channel"
          >
            {t('channels.create')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('channels.intro')}</Typography.Paragraph>
      {!admin && <Typography.Paragraph type="secondary">{t('channels.readOnly')}</Typography.Paragraph>}
      {channels.isSuccess && items.length > 0 && (!hasDefault('email') || !hasDefault('sms')) && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={
            <>
              {!hasDefault('email') && <div>{t('channels.noDefaultEmail')}</div>}
              {!hasDefault('sms') && <div>{t('channels.noDefaultSms')}</div>}
            </>
          }
          data-testid="channel-default-warning"
        />
      )}
      {channels.isError ? (
        <ErrorState error={channels.error} retry={() => void channels.refetch()} />
      ) : (
        <Table<AlertChannel>
          rowKey="name"
          size="middle"
          loading={channels.isPending}
          dataSource={items}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{
            emptyText: channels.isPending ? (
              ' '
            ) : (
              <Empty description={admin ? t('channels.none') : t('channels.noneReadOnly')}>
                {admin && (
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen('new')}>
                    {t('channels.create')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          data-testid="channels-table"
          columns={[
            {
              title: t('channels.name'),
              dataIndex: 'name',
              render: (name: string, channel) => (
                <Space size={4}>
                  <Typography.Link onClick={() => setOpen(channel)}>{name}</Typography.Link>
                  {channel.default && DEFAULTABLE.has(channel.type) && (
                    <Tag color="gold" icon={<StarOutlined />} data-testid={`channel-default-${name}`}>
                      {t('channels.default')}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: t('channels.type'),
              dataIndex: 'type',
              width: 150,
              render: (type: ChannelType) => <ChannelTypeTag type={type} />,
            },
            {
              title: t('channels.enabled'),
              dataIndex: 'enabled',
              width: 110,
              render: (enabled: boolean, channel) =>
                admin ? (
                  <Switch
                    size="small"
                    checked={enabled}
                    loading={update.isPending && update.variables?.channel.name === channel.name}
                    aria-label={enabled ? t('channels.disable') : t('channels.enable')}
                    onChange={(on) =>
                      update.mutate({
                        channel,
                        patch: { enabled: on },
                        done: t(on ? 'channels.enabledDone' : 'channels.disabledDone', {
                          name: channel.name,
                        }),
                      })
                    }
                    data-testid={`channel-enabled-${channel.name}`}
                  />
                ) : (
                  <Tag color={enabled ? 'green' : 'default'}>
                    {enabled ? t('channels.enabled') : t('channels.disabled')}
                  </Tag>
                ),
            },
            {
              title: t('channels.credentials'),
              dataIndex: 'secretSet',
              render: (keys: string[], channel) =>
                keys.length ? (
                  keys.map((key) => (
                    <Tag key={key} icon={<CheckCircleOutlined />} color="green">
                      {credentialLabel(channel, key)}
                    </Tag>
                  ))
                ) : (
                  <Typography.Text type="secondary">{t('channels.noCredentials')}</Typography.Text>
                ),
            },
            {
              title: t('channels.updatedAt'),
              dataIndex: 'updatedAt',
              width: 170,
              render: (v: string) => formatTime(v),
            },
            {
              title: '',
              key: 'actions',
              width: admin ? 170 : 56,
              render: (_v, channel) =>
                admin ? (
                  <Space size={4} data-testid={`channel-actions-${channel.name}`}>
                    <Tooltip title={t('jobs.edit')}>
                      <Button
                        size="small"
                        icon={<EditOutlined />}
                        aria-label={t('jobs.edit')}
                        onClick={() => setOpen(channel)}
                      />
                    </Tooltip>
                    <Tooltip title={t('channels.test')}>
                      <Button
                        size="small"
                        icon={<SendOutlined />}
                        aria-label={t('channels.test')}
                        onClick={() => setTesting(channel)}
                        data-testid={`channel-test-${channel.name}`}
                      />
                    </Tooltip>
                    {DEFAULTABLE.has(channel.type) && !channel.default && (
                      <Tooltip title={t('channels.makeDefault')}>
                        <Button
                          size="small"
                          icon={<StarOutlined />}
                          aria-label={t('channels.makeDefault')}
                          onClick={() =>
                            update.mutate({
                              channel,
                              patch: { default: true },
                              done: t('channels.madeDefault', {
                                name: channel.name,
                                type: typeName(channel.type),
                              }),
                            })
                          }
                        />
                      </Tooltip>
                    )}
                    <Tooltip title={t('common.delete')}>
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        onClick={() =>
                          modal.confirm({
                            title: t('channels.deleteTitle', { name: channel.name }),
                            content: t('channels.deleteBody', { name: channel.name }),
                            okText: t('common.delete'),
                            okButtonProps: { danger: true },
                            cancelText: t('common.cancel'),
                            onOk: () => remove.mutateAsync(channel),
                          })
                        }
                        data-testid={`channel-delete-${channel.name}`}
                      />
                    </Tooltip>
                  </Space>
                ) : (
                  <Button
                    size="small"
                    icon={<EyeOutlined />}
                    aria-label={t('channels.settings')}
                    onClick={() => setOpen(channel)}
                  />
                ),
            },
          ]}
        />
      )}
      {open !== null && (
        <ChannelDrawer
          channel={open === 'new' ? null : open}
          readOnly={!admin}
          onClose={() => setOpen(null)}
        />
      )}
      {testing && <ChannelTestModal channel={testing} onClose={() => setTesting(null)} />}
    </Card>
  );
}
