/**
 * Sends one signed test trigger to one member (not recorded as a run) and
 * shows the member's answer: outcome, HTTP status, latency, the result it
 * reported, the error, and the start of the body.
 */
import { ApiOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Form, Modal, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/endpoints';
import type { Job, RunStatus, TestTriggerResult } from '../../api/types';
import { ErrorState } from '../../common/api-error';
import { formatDuration, formatTime } from '../../common/format';
import { JsonInput, jsonObjectRule, MONO } from '../../common/json-input';
import { parseJsonObject } from '../../common/json-text';
import { RunStatusTag } from '../../common/status-tags';
import { JsonBlock } from '../../runs/json-block';

interface Values {
  member?: string;
  params: string;
}

export function TestTargetButton({ job, disabled }: { job: Job; disabled?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Tooltip title={disabled ? t('editor.testTarget.saveFirst') : t('editor.testTarget.help')}>
        <Button
          icon={<ApiOutlined />}
          disabled={disabled}
          onClick={() => setOpen(true)}
          data-testid="test-target"
        >
          {t('editor.testTarget.button')}
        </Button>
      </Tooltip>
      {open && <TestTargetModal job={job} onClose={() => setOpen(false)} />}
    </>
  );
}

function TestTargetModal({ job, onClose }: { job: Job; onClose(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const group = useQuery({
    queryKey: ['group', job.target.group],
    queryFn: () => api.groups.get(job.target.group as string),
    enabled: job.target.group !== null,
  });
  const test = useMutation({
    mutationFn: ({ member, params }: { member?: string; params: Record<string, unknown> }) =>
      api.jobs.testTrigger(job.name, { member, params }),
  });
  const send = async () => {
    const values = await form.validateFields();
    const params = parseJsonObject(values.params ?? '');
    if (params.ok) test.mutate({ member: values.member, params: params.value });
  };
  const members = group.data?.members ?? [];
  return (
    <Modal
      open
      width={720}
      title={t('editor.testTarget.title', { name: job.name })}
      okText={t('editor.testTarget.send')}
      cancelText={t('common.close')}
      onOk={() => void send()}
      onCancel={onClose}
      confirmLoading={test.isPending}
      okButtonProps={{ icon: <ApiOutlined />, 'data-testid': 'test-target-send' }}
    >
      <Typography.Paragraph type="secondary">{t('editor.testTarget.help')}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" initialValues={{ params: JSON.stringify(job.params) }}>
        {job.target.group !== null ? (
          <Form.Item name="member" label={t('runs.member')} extra={t('editor.testTarget.memberHelp')}>
            <Select
              allowClear
              loading={group.isPending}
              placeholder={members[0]?.url ?? t('editor.testTarget.noMember')}
              options={members.map((m) => ({ value: m.url, label: m.name ? `${m.name} · ${m.url}` : m.url }))}
              data-testid="test-target-member"
            />
          </Form.Item>
        ) : (
          <Form.Item label={t('editor.url')}>
            <Typography.Text code>{job.target.url}</Typography.Text>
          </Form.Item>
        )}
        <Form.Item name="params" label={t('editor.params')} rules={[jsonObjectRule(t)]}>
          <JsonInput rows={3} aria-label={t('editor.params')} />
        </Form.Item>
      </Form>
      {test.isError && <ErrorState error={test.error} />}
      {test.data && <TestAnswer answer={test.data} />}
    </Modal>
  );
}

/** Whether the member took the trigger: a 202, or a synchronous result that is not a failure. */
function answerKind(answer: TestTriggerResult): 'success' | 'warning' | 'error' {
  if (answer.outcome === 'failed') return 'error';
  if (answer.outcome === 'accepted') return 'success';
  return answer.result?.status === 'succeeded' ? 'success' : 'warning';
}

function TestAnswer({ answer }: { answer: TestTriggerResult }) {
  const { t } = useTranslation();
  const kind = answerKind(answer);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="test-target-answer">
      <Alert
        type={kind}
        showIcon
        message={t(`editor.testTarget.outcome.${answer.outcome}`)}
        description={answer.error ?? answer.result?.message ?? undefined}
      />
      <Descriptions size="small" bordered column={2}>
        <Descriptions.Item label={t('runs.member')} span={2}>
          <Typography.Text code>{answer.url}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('editor.testTarget.httpStatus')}>
          {answer.httpStatus === null ? (
            '—'
          ) : (
            <Tag color={answer.httpStatus < 300 ? 'green' : answer.httpStatus < 500 ? 'orange' : 'red'}>
              {answer.httpStatus}
            </Tag>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('editor.testTarget.latency')}>
          {formatDuration(answer.latencyMs)}
        </Descriptions.Item>
        <Descriptions.Item label={t('editor.testTarget.sentAt')}>
          {formatTime(answer.sentAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('runs.result')}>
          {answer.result ? <RunStatusTag status={answer.result.status as RunStatus} /> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('editor.testTarget.runId')} span={2}>
          <Typography.Text type="secondary" copyable>
            {answer.runId}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      {answer.result?.output !== undefined && answer.result?.output !== null && (
        <JsonBlock title={t('run.output')} value={answer.result.output} />
      )}
      {answer.body && (
        <div>
          <Typography.Text strong>{t('editor.testTarget.body')}</Typography.Text>
          <pre style={{ ...MONO, maxHeight: 200, overflow: 'auto', margin: '4px 0' }}>{answer.body}</pre>
        </div>
      )}
    </Space>
  );
}
