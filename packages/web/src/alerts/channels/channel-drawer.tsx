/**
 * Create, edit or (for those who may not change it) read a channel: the
 * settings of its type, credentials as password fields that are never
 * filled back, other settings as JSON.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Drawer, Form, Input, Select, Space, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import { type AlertChannel, CHANNEL_TYPES, type ChannelType } from '../../api/types';
import { describeError } from '../../common/api-error';
import { useFeedback } from '../../common/feedback';
import { JsonInput, jsonObjectRule } from '../../common/json-input';
import { ChannelTypeTag } from '../alert-tags';
import { CHANNEL_FIELDS, DEFAULTABLE } from './channel-fields';
import {
  ChannelFormError,
  type ChannelFormValues,
  channelFormFieldOf,
  toChannelFormValues,
  toChannelInput,
} from './channel-form-values';
import { ChannelSetting } from './channel-setting';

interface Props {
  /** The channel to edit or read; null to create one. */
  channel: AlertChannel | null;
  readOnly: boolean;
  onClose(): void;
}

export function ChannelDrawer({ channel, readOnly, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ChannelFormValues>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const [formError, setFormError] = useState<string | null>(null);
  const editing = channel !== null;
  const type: ChannelType = Form.useWatch('type', form) ?? channel?.type ?? 'email';
  const isSet = (key: string) => editing && channel.type === type && channel.secretSet.includes(key);

  const save = useMutation({
    mutationFn: (values: ChannelFormValues) => {
      const input = toChannelInput(values);
      return channel ? api.channels.replace(channel.name, input) : api.channels.create(input);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['alert-channels'] });
      feedback.ok(t(channel ? 'channels.saved' : 'channels.created', { name: saved.name }));
      onClose();
    },
    onError: (error) => {
      const field =
        error instanceof ChannelFormError
          ? error.field
          : error instanceof ApiError
            ? channelFormFieldOf(type, error.field)
            : null;
      if (field) {
        form.setFields([{ name: field as never, errors: [error.message] }]);
        form.scrollToField(field as never, { block: 'center' });
        setFormError(null);
      } else setFormError(describeError(t, error));
    },
  });

  const title = readOnly
    ? (channel?.name ?? '')
    : channel
      ? t('channels.editTitle', { name: channel.name })
      : t('channels.createTitle');

  return (
    <Drawer
      open
      width={640}
      title={title}
      onClose={onClose}
      destroyOnHidden
      extra={
        readOnly ? null : (
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              loading={save.isPending}
              onClick={() => form.submit()}
              data-testid="channel-save"
            >
              {channel ? t('common.save') : t('channels.create')}
            </Button>
          </Space>
        )
      }
      data-testid="channel-drawer"
    >
      {formError && (
        <Alert
          type="error"
          showIcon
          message={formError}
          style={{ marginBottom: 16 }}
          data-testid="channel-error"
        />
      )}
      <Form<ChannelFormValues>
        form={form}
        layout="vertical"
        disabled={readOnly}
        initialValues={toChannelFormValues(channel, channel?.type ?? 'email')}
        onValuesChange={(changed: Partial<ChannelFormValues>, all) => {
          // Another type has other settings: start them from that type's defaults.
          if (changed.type && !editing) {
            const fresh = toChannelFormValues(null, changed.type);
            form.setFieldsValue({ ...fresh, name: all.name, enabled: all.enabled });
          }
        }}
        onFinish={(values) => {
          setFormError(null);
          save.mutate(values);
        }}
      >
        <Space align="start" size={16} style={{ display: 'flex' }}>
          <Form.Item
            name="name"
            label={t('channels.name')}
            style={{ width: 300 }}
            rules={[
              { required: true, message: t('editor.required') },
              { pattern: /^[a-z0-9][a-z0-9._-]*$/, message: t('editor.namePattern') },
              { max: 128 },
            ]}
          >
            <Input autoComplete="off" disabled={editing || readOnly} data-testid="channel-name" />
          </Form.Item>
          <Form.Item name="type" label={t('channels.type')} style={{ width: 240 }}>
            <Select
              disabled={editing || readOnly}
              options={CHANNEL_TYPES.map((v) => ({ value: v, label: <ChannelTypeTag type={v} /> }))}
              data-testid="channel-type"
            />
          </Form.Item>
        </Space>
        <Space align="start" size={32} style={{ display: 'flex' }}>
          <Form.Item
            name="enabled"
            label={t('channels.enabled')}
            extra={t('channels.enabledHelp')}
            valuePropName="checked"
          >
            <Switch data-testid="channel-enabled" />
          </Form.Item>
          {DEFAULTABLE.has(type) && (
            <Form.Item
              name="isDefault"
              label={t('channels.defaultFor', { type: t(`channelType.${type}`) })}
              extra={t('channels.defaultHelp')}
              valuePropName="checked"
            >
              <Switch data-testid="channel-default" />
            </Form.Item>
          )}
        </Space>
        {CHANNEL_FIELDS[type].map((field) => (
          <ChannelSetting
            key={`${type}:${field.in}.${field.key}`}
            type={type}
            field={field}
            editing={editing}
            isSet={isSet(field.key)}
          />
        ))}
        <Form.Item
          name="moreConfigText"
          label={t('channels.moreConfig')}
          extra={t('channels.moreConfigHelp')}
          rules={[jsonObjectRule(t)]}
        >
          <JsonInput rows={3} aria-label={t('channels.moreConfig')} data-testid="channel-more-config" />
        </Form.Item>
        {!readOnly && (
          <Form.Item
            name="moreSecretText"
            label={t('channels.moreSecret')}
            extra={t('channels.moreSecretHelp')}
            rules={[jsonObjectRule(t)]}
          >
            <JsonInput rows={2} aria-label={t('channels.moreSecret')} />
          </Form.Item>
        )}
      </Form>
    </Drawer>
  );
}
