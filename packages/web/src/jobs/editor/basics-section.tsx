import { AutoComplete, Card, Col, Form, Input, Row, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTeamOptions } from '../../admin/use-team-options';

export function BasicsSection() {
  const { t } = useTranslation();
  const teams = useTeamOptions('edit');
  return (
    <Card size="small" title={t('editor.section.basics')}>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Form.Item
            name="name"
            label={t('editor.name')}
            extra={t('editor.help.name')}
            rules={[
              { required: true, message: t('editor.required') },
              { pattern: /^[a-z0-9][a-z0-9._-]*$/, message: t('editor.namePattern') },
              { max: 128 },
            ]}
          >
            <Input data-testid="job-name" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={12} lg={7}>
          <Form.Item name="team" label={t('jobs.team')} extra={t('editor.help.team')}>
            <AutoComplete options={teams.map((v) => ({ value: v }))} allowClear data-testid="job-team" />
          </Form.Item>
        </Col>
        <Col xs={12} lg={7}>
          <Form.Item name="owner" label={t('jobs.owner')} extra={t('editor.help.owner')}>
            <Input allowClear />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('editor.description')} extra={t('editor.help.description')}>
        <Input.TextArea rows={2} maxLength={4000} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} lg={17}>
          <Form.Item name="tags" label={t('jobs.tags')} extra={t('editor.help.tags')}>
            <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
          </Form.Item>
        </Col>
        <Col xs={24} lg={7}>
          <Form.Item
            name="enabled"
            label={t('editor.enabled')}
            extra={t('editor.help.enabled')}
            valuePropName="checked"
          >
            <Switch />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}
