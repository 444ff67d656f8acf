/** One setting of the channel form, as its type says: text, number, switch, choice, template, headers or credential. */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, InputNumber, Select, Space, Switch, Tag } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ChannelType } from '../../api/types';
import { MONO } from '../../common/json-input';
import type { ChannelField } from './channel-fields';

/** Help texts show the template placeholders as they are. */
const LITERAL_PLACEHOLDERS = {
  recipient: '{{recipient}}',
  message: '{{message}}',
  subject: '{{subject}}',
};

/** The label or help of a setting (`channels.fields.email.config.host`); a test keeps them complete. */
export function settingText(t: TFunction, part: 'fields' | 'help', type: ChannelType, field: ChannelField) {
  return t(`channels.${part}.${type}.${field.in}.${field.key}` as never, LITERAL_PLACEHOLDERS) as string;
}

function optionLabel(t: TFunction, field: ChannelField, option: string): string {
  if (field.key === 'tls') return t(`channels.tls.${option as 'starttls'}`);
  if (field.key === 'preset') return option === '' ? t('channels.preset.none') : t('channels.preset.signed');
  return option;
}

interface Props {
  type: ChannelType;
  field: ChannelField;
  /** Editing a stored channel: credentials left empty are kept. */
  editing: boolean;
  /** The credential is stored (`secretSet`). */
  isSet: boolean;
}

export function ChannelSetting({ type, field, editing, isSet }: Props) {
  const { t } = useTranslation();
  const name = [field.in, field.key];
  const label = (
    <Space size={4}>
      {settingText(t, 'fields', type, field)}
      {field.in === 'secret' && isSet && <Tag color="green">{t('channels.secretIsSet')}</Tag>}
    </Space>
  );
  const extra = settingText(t, 'help', type, field);
  const testId = `channel-${field.in}-${field.key}`;
  const required = field.required && (field.in === 'config' || !isSet);
  const rules = required ? [{ required: true, message: t('editor.required') }] : [];

  if (field.input === 'headers') {
    return (
      <Form.Item label={label} extra={extra}>
        <Form.List name={name}>
          {(rows, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {rows.map((row) => (
                <Space key={row.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[row.name, 'name']} noStyle>
                    <Input placeholder={t('channels.headerName')} style={{ width: 200 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'value']} noStyle>
                    {field.in === 'secret' ? (
                      <Input.Password
                        placeholder={t('channels.headerValue')}
                        autoComplete="new-password"
                        style={{ width: 260 }}
                      />
                    ) : (
                      <Input placeholder={t('channels.headerValue')} style={{ width: 260 }} />
                    )}
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(row.name)} aria-label={t('common.remove')} />
                </Space>
              ))}
              <Button
                size="small"
                icon={<PlusOutlined />}
                onClick={() => add({ name: '', value: '' })}
                data-testid={`${testId}-add`}
              >
                {t('channels.addHeader')}
              </Button>
            </Space>
          )}
        </Form.List>
      </Form.Item>
    );
  }

  const input = (() => {
    switch (field.input) {
      case 'number':
        return <InputNumber min={1} max={65_535} precision={0} data-testid={testId} />;
      case 'switch':
        return <Switch data-testid={testId} />;
      case 'select':
        return (
          <Select
            options={(field.options ?? []).map((o) => ({ value: o, label: optionLabel(t, field, o) }))}
            data-testid={testId}
          />
        );
      case 'template':
        return <Input.TextArea rows={3} spellCheck={false} style={MONO} data-testid={testId} />;
      case 'password':
        return (
          <Input.Password
            autoComplete="new-password"
            placeholder={editing && isSet ? t('channels.keepSecret') : undefined}
            data-testid={testId}
          />
        );
      default:
        return <Input autoComplete="off" data-testid={testId} />;
    }
  })();
  return (
    <Form.Item
      name={name}
      label={label}
      extra={extra}
      rules={rules}
      valuePropName={field.input === 'switch' ? 'checked' : 'value'}
    >
      {input}
    </Form.Item>
  );
}
