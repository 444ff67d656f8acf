import { Card, Col, Form, Input, Row, Select } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { CronHelper } from './cron-helper';
import type { JobFormValues } from './job-form-values';

function timeZones(): string[] {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
}

export function ScheduleSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<JobFormValues>();
  const cron = Form.useWatch(['schedule', 'cron'], form) ?? '';
  const timezone = Form.useWatch(['schedule', 'timezone'], form) ?? 'UTC';
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z })), []);
  return (
    <Card size="small" title={t('editor.section.schedule')}>
      <Row gutter={16}>
        <Col xs={24} lg={11}>
          <Form.Item
            name={['schedule', 'cron']}
            label={t('editor.cron')}
            extra={t('editor.help.cron')}
            rules={[{ required: true, message: t('editor.required') }]}
          >
            <Input style={{ fontFamily: 'monospace' }} data-testid="job-cron" autoComplete="off" />
          </Form.Item>
          <Form.Item
            name={['schedule', 'timezone']}
            label={t('editor.timezone')}
            extra={t('editor.help.timezone')}
          >
            <Select showSearch options={zones} data-testid="job-timezone" />
          </Form.Item>
          <Form.Item name="misfire" label={t('editor.misfire')} extra={t('editor.help.misfire')}>
            <Select
              options={[
                { value: 'skip', label: t('misfire.skip') },
                { value: 'fire_once', label: t('misfire.fire_once') },
              ]}
            />
          </Form.Item>
        </Col>
        <Col xs={24} lg={13}>
          <CronHelper cron={cron} timezone={timezone} />
        </Col>
      </Row>
    </Card>
  );
}
