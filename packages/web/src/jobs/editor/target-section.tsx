import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Card, Col, Form, Input, InputNumber, Radio, Row, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/endpoints';
import type { JobFormValues } from './job-form-values';

export function TargetSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<JobFormValues>();
  const mode = Form.useWatch('targetMode', form) ?? 'group';
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api.groups.list(), retry: false });
  return (
    <Card size="small" title={t('editor.section.target')}>
      <Form.Item name="targetMode" label={t('editor.targetMode')} extra={t('editor.help.targetMode')}>
        <Radio.Group
          optionType="button"
          options={[
            { value: 'group', label: t('editor.targetGroup') },
            { value: 'url', label: t('editor.targetUrl') },
          ]}
        />
      </Form.Item>
      {mode === 'group' ? (
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name={['target', 'group']}
              label={t('editor.group')}
              extra={t('editor.help.group')}
              rules={[{ required: true, message: t('editor.required') }]}
            >
              <AutoComplete
                options={(groups.data?.items ?? []).map((g) => ({
                  value: g.name,
                  label: `${g.name} (${g.members.length})`,
                }))}
                filterOption={(input, option) => String(option?.value ?? '').includes(input)}
                data-testid="job-group"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name={['target', 'path']}
              label={t('editor.path')}
              extra={t('editor.help.path')}
              rules={[
                { required: true, message: t('editor.required') },
                { pattern: /^\//, message: t('editor.pathSlash') },
              ]}
            >
              <Input data-testid="job-path" />
            </Form.Item>
          </Col>
        </Row>
      ) : (
        <Form.Item
          name={['target', 'url']}
          label={t('editor.url')}
          extra={t('editor.help.url')}
          rules={[
            { required: true, message: t('editor.required') },
            { pattern: /^https?:\/\//, message: t('editor.urlPattern') },
          ]}
        >
          <Input data-testid="job-url" />
        </Form.Item>
      )}
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Form.Item name={['target', 'method']} label={t('editor.method')} extra={t('editor.help.method')}>
            <Select options={[{ value: 'POST' }, { value: 'GET' }]} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item
            name={['target', 'connectTimeoutMs']}
            label={t('editor.connectTimeoutMs')}
            extra={t('editor.help.connectTimeoutMs')}
          >
            <InputNumber min={1} max={600_000} addonAfter="ms" style={{ width: '100%' }} placeholder="3000" />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item
            name={['target', 'responseTimeoutMs']}
            label={t('editor.responseTimeoutMs')}
            extra={t('editor.help.responseTimeoutMs')}
          >
            <InputNumber
              min={1}
              max={86_400_000}
              addonAfter="ms"
              style={{ width: '100%' }}
              placeholder="30000"
            />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item label={t('editor.headers')} extra={t('editor.help.headers')}>
        <Form.List name={['target', 'headers']}>
          {(fields, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {fields.map((field) => (
                <Space key={field.key} align="baseline">
                  <Form.Item
                    name={[field.name, 'key']}
                    noStyle
                    rules={[{ required: true, message: t('editor.required') }]}
                  >
                    <Input
                      placeholder={t('editor.headerName')}
                      aria-label={t('editor.headerName')}
                      style={{ width: 200 }}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'value']} noStyle>
                    <Input
                      placeholder={t('editor.headerValue')}
                      aria-label={t('editor.headerValue')}
                      style={{ width: 280 }}
                    />
                  </Form.Item>
                  <Button
                    icon={<DeleteOutlined />}
                    onClick={() => remove(field.name)}
                    aria-label={t('common.remove')}
                  />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ key: '', value: '' })}>
                {t('editor.addHeader')}
              </Button>
            </Space>
          )}
        </Form.List>
      </Form.Item>
    </Card>
  );
}
