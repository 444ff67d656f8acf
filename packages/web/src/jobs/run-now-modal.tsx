/** Run now, with params merged over the job's own (run-now keys win). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Form, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints';
import type { Run } from '../api/types';
import { useFeedback } from '../common/feedback';
import { JsonInput, jsonObjectRule, MONO } from '../common/json-input';
import { parseJsonObject } from '../common/json-text';

interface Props {
  job: { name: string; params: Record<string, unknown> } | null;
  onClose(): void;
  onTriggered(run: Run): void;
}

export function RunNowModal({ job, onClose, onTriggered }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ params: string }>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const trigger = useMutation({
    mutationFn: ({ name, params }: { name: string; params: Record<string, unknown> }) =>
      api.jobs.trigger(name, Object.keys(params).length ? params : undefined),
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ['jobs'] });
      void client.invalidateQueries({ queryKey: ['runs', run.job] });
      void client.invalidateQueries({ queryKey: ['trend', run.job] });
      feedback.ok(
        run.status === 'skipped'
          ? t('runNow.skipped', { name: run.job })
          : t('runNow.started', { name: run.job }),
      );
      onTriggered(run);
      onClose();
    },
    onError: feedback.fail,
  });

  const submit = async () => {
    if (!job) return;
    const { params } = await form.validateFields();
    const parsed = parseJsonObject(params ?? '');
    if (parsed.ok) trigger.mutate({ name: job.name, params: parsed.value });
  };

  return (
    <Modal
      open={job !== null}
      title={t('runNow.title', { name: job?.name ?? '' })}
      okText={t('runNow.ok')}
      cancelText={t('common.cancel')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={trigger.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'run-now-ok' }}
    >
      <Typography.Paragraph type="secondary">{t('runNow.help')}</Typography.Paragraph>
      {job && Object.keys(job.params).length > 0 && (
        <Typography.Paragraph>
          {t('runNow.jobParams')}
          <pre style={{ ...MONO, margin: '4px 0 0', maxHeight: 120, overflow: 'auto' }}>
            {JSON.stringify(job.params, null, 2)}
          </pre>
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" initialValues={{ params: '{}' }} preserve={false}>
        <Form.Item name="params" label={t('runNow.params')} rules={[jsonObjectRule(t)]}>
          <JsonInput rows={6} data-testid="run-now-params" aria-label={t('runNow.params')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
