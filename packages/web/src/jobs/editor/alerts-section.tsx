/** The job editor's Alerts: which events alert, who hears, and who hears too when failures go on. */
import { Card, Checkbox, Col, Form, InputNumber, Row, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { RecipientsInput, recipientsRule } from '../../alerts/recipients-input';
import { ALERT_EVENTS } from '../../api/types';

export function AlertsSection() {
  const { t } = useTranslation();
  const escalate = Form.useWatch(['alerts', 'escalate']);
  return (
    <Card size="small" title={t('editor.section.alerts')} data-testid="alerts-section">
      <Form.Item name={['alerts', 'on']} label={t('editor.alertOn')} extra={t('editor.help.alertOn')}>
        <Checkbox.Group style={{ width: '100%' }}>
          <Row gutter={[16, 8]} style={{ width: '100%' }}>
            {ALERT_EVENTS.map((event) => (
              <Col xs={24} md={12} xl={8} key={event}>
                <Checkbox value={event} data-testid={`alert-on-${event}`}>
                  {t(`alertEvent.${event}`)}
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {t(`alertEventHelp.${event}`)}
                  </Typography.Text>
                </Checkbox>
              </Col>
            ))}
          </Row>
        </Checkbox.Group>
      </Form.Item>
      <Form.Item
        name={['alerts', 'recipients']}
        label={t('editor.recipients')}
        extra={t('editor.help.recipients')}
        rules={[recipientsRule(t)]}
      >
        <RecipientsInput placeholder={t('editor.recipientsPlaceholder')} data-testid="alert-recipients" />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Form.Item
            name={['alerts', 'escalate']}
            label={t('editor.escalate')}
            extra={t('editor.help.escalate')}
            valuePropName="checked"
          >
            <Switch data-testid="alert-escalate" />
          </Form.Item>
        </Col>
        {escalate && (
          <>
            <Col xs={24} md={6}>
              <Form.Item
                name={['alerts', 'escalation', 'afterFailures']}
                label={t('editor.afterFailures')}
                extra={t('editor.help.afterFailures')}
                rules={[{ required: true, message: t('editor.required') }]}
              >
                <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name={['alerts', 'escalation', 'recipients']}
                label={t('editor.escalationRecipients')}
                extra={t('editor.help.escalationRecipients')}
                rules={[recipientsRule(t, true)]}
              >
                <RecipientsInput
                  placeholder="user:lead, sms:+8613800000000"
                  data-testid="alert-escalation-recipients"
                />
              </Form.Item>
            </Col>
          </>
        )}
      </Row>
    </Card>
  );
}
