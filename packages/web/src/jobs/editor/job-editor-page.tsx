/**
 * Create, edit or clone a job (`/jobs/new`, `/jobs/{job}/edit`,
 * `/jobs/new?from={job}`). Errors the API names a field for are shown on
 * that field.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Job } from '../../api/types';
import { describeError, ErrorState } from '../../common/api-error';
import { useFeedback } from '../../common/feedback';
import { showSecret } from '../../common/show-secret';
import { AlertsSection } from './alerts-section';
import { BasicsSection } from './basics-section';
import { ExecutionSection } from './execution-section';
import { formFieldOf, type JobFormValues, NEW_JOB, toFormValues, toJobInput } from './job-form-values';
import { ScheduleSection } from './schedule-section';
import { TargetSection } from './target-section';
import { TestTargetButton } from './test-target-button';

export default function JobEditorPage({ mode }: { mode: 'create' | 'edit' }) {
  const { job: editing } = useParams();
  const [params] = useSearchParams();
  const cloneFrom = mode === 'create' ? params.get('from') : null;
  const source = mode === 'edit' ? (editing ?? null) : cloneFrom;
  const loaded = useQuery({
    queryKey: ['job', source],
    queryFn: () => api.jobs.get(source as string),
    enabled: source !== null,
  });
  if (source !== null && loaded.isError)
    return <ErrorState error={loaded.error} retry={() => void loaded.refetch()} />;
  if (source !== null && !loaded.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const initial = loaded.data
    ? toFormValues(loaded.data, mode === 'edit' ? loaded.data.name : `${loaded.data.name}-copy`)
    : NEW_JOB;
  return (
    <JobEditor
      key={`${mode}:${source ?? ''}`}
      mode={mode}
      original={mode === 'edit' ? (loaded.data ?? null) : null}
      cloneOf={cloneFrom}
      initial={initial}
    />
  );
}

interface EditorProps {
  mode: 'create' | 'edit';
  original: Job | null;
  cloneOf: string | null;
  initial: JobFormValues;
}

function JobEditor({ mode, original, cloneOf, initial }: EditorProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<JobFormValues>();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { modal } = App.useApp();
  const feedback = useFeedback();
  const [formError, setFormError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (values: JobFormValues) => {
      const input = toJobInput(values);
      return original ? api.jobs.replace(original.name, input) : api.jobs.create(input);
    },
    onSuccess: (job) => {
      void client.invalidateQueries({ queryKey: ['jobs'] });
      void client.invalidateQueries({ queryKey: ['overview'] });
      if (original) client.removeQueries({ queryKey: ['job', original.name] });
      client.setQueryData(['job', job.name], job);
      feedback.ok(original ? t('editor.saved', { name: job.name }) : t('editor.created', { name: job.name }));
      if (job.secret) showSecret(modal, t, t('editor.jobSecret', { name: job.name }), job.secret);
      navigate(`/jobs/${encodeURIComponent(job.name)}`);
    },
    onError: (error) => {
      const field = error instanceof ApiError ? formFieldOf(error.field) : null;
      if (field) {
        form.setFields([{ name: field as never, errors: [error.message] }]);
        form.scrollToField(field as never, { block: 'center' });
        setFormError(null);
      } else {
        setFormError(describeError(t, error));
      }
    },
  });

  const title =
    mode === 'edit'
      ? t('editor.editTitle', { name: original?.name ?? '' })
      : cloneOf
        ? t('editor.cloneTitle', { name: cloneOf })
        : t('editor.createTitle');

  return (
    <Form<JobFormValues>
      form={form}
      layout="vertical"
      initialValues={initial}
      onFinish={(values) => {
        setFormError(null);
        save.mutate(values);
      }}
      onFinishFailed={({ errorFields }) => {
        const first = errorFields[0];
        if (first) form.scrollToField(first.name, { block: 'center' });
      }}
      scrollToFirstError={false}
      data-testid="job-editor"
    >
      <Card
        style={{ marginBottom: 16 }}
        title={
          <Typography.Title level={4} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
        }
        extra={
          <Space>
            {mode === 'edit' && original && <TestTargetButton job={original} />}
            <Button onClick={() => navigate(-1)}>{t('common.cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="job-save">
              {mode === 'edit' ? t('common.save') : t('editor.createButton')}
            </Button>
          </Space>
        }
      >
        {formError && <Alert type="error" showIcon message={formError} data-testid="editor-error" />}
        <Typography.Text type="secondary">{t('editor.intro')}</Typography.Text>
      </Card>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <BasicsSection />
        <ScheduleSection />
        <TargetSection />
        <ExecutionSection />
        <AlertsSection />
      </Space>
    </Form>
  );
}
