import { Card, Checkbox, Form, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { ALERT_EVENTS } from '../../api/types';

const RECIPIENT = /^(user|team|email|sms|channel):.+$/;

export function AlertsSection() {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('editor.section.alerts')}>
      <Form.Item
        name={['alerts', 'recipients']}
        label={t('editor.recipients')}
        extra={t('editor.help.recipients')}
        rules={[
          {
            validator: async (_r, values: string[] | undefined) => {
              const bad = (values ?? []).find((v) => !RECIPIENT.test(v));
              if (bad) throw new Error(t('editor.badRecipient', { value: bad }));
            },
          },
        ]}
      >
        <Select
          mode="tags"
          tokenSeparators={[',', ' ']}
          open={false}
          suffixIcon={null}
          placeholder="team:billing, email:ops@example.com"
        />
      </Form.Item>
      <Form.Item name={['alerts', 'on']} label={t('editor.alertOn')} extra={t('editor.help.alertOn')}>
        <Checkbox.Group options={ALERT_EVENTS.map((e) => ({ value: e, label: t(`alertEvent.${e}`) }))} />
      </Form.Item>
    </Card>
  );
}
