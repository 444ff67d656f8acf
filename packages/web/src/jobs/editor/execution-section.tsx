import { Card, Col, Form, InputNumber, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { DELIVERIES, ROUTINGS } from '../../api/types';
import { JsonInput, jsonObjectRule } from '../../common/json-input';

export function ExecutionSection() {
  const { t } = useTranslation();
  const seconds = (name: string | string[], label: string, help: string, placeholder?: string) => (
    <Form.Item name={name} label={label} extra={help}>
      <InputNumber
        min={0.001}
        max={31_536_000}
        step={1}
        addonAfter="s"
        style={{ width: '100%' }}
        placeholder={placeholder}
      />
    </Form.Item>
  );
  return (
    <Card size="small" title={t('editor.section.execution')}>
      <Form.Item
        name="paramsText"
        label={t('editor.params')}
        extra={t('editor.help.params')}
        rules={[jsonObjectRule(t)]}
      >
        <JsonInput rows={5} data-testid="job-params" aria-label={t('editor.params')} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="routing" label={t('editor.routing')} extra={t('editor.help.routing')}>
            <Select options={ROUTINGS.map((r) => ({ value: r, label: t(`routing.${r}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="delivery" label={t('editor.delivery')} extra={t('editor.help.delivery')}>
            <Select options={DELIVERIES.map((d) => ({ value: d, label: t(`delivery.${d}`) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} md={8}>
          {seconds('timeoutSec', t('editor.timeoutSec'), t('editor.help.timeoutSec'), t('editor.none'))}
        </Col>
        <Col xs={24} md={8}>
          {seconds(
            'deadlineSec',
            t('editor.deadlineSec'),
            t('editor.help.deadlineSec'),
            t('editor.serverDefault'),
          )}
        </Col>
        <Col xs={24} md={8}>
          {seconds('heartbeatSec', t('editor.heartbeatSec'), t('editor.help.heartbeatSec'), t('editor.none'))}
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Form.Item
            name={['retry', 'count']}
            label={t('editor.retryCount')}
            extra={t('editor.help.retryCount')}
          >
            <InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name={['retry', 'backoffSec']}
            label={t('editor.backoffSec')}
            extra={t('editor.help.backoffSec')}
          >
            <InputNumber min={0} max={86_400} addonAfter="s" style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name={['retention', 'days']}
            label={t('editor.retentionDays')}
            extra={t('editor.help.retentionDays')}
          >
            <InputNumber
              min={1}
              max={36_500}
              precision={0}
              style={{ width: '100%' }}
              placeholder={t('editor.serverDefault')}
            />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name={['retention', 'count']}
            label={t('editor.retentionCount')}
            extra={t('editor.help.retentionCount')}
          >
            <InputNumber
              min={1}
              precision={0}
              style={{ width: '100%' }}
              placeholder={t('editor.serverDefault')}
            />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}
