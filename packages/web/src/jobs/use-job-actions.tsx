/** Pause, resume, delete and clone, each confirming what happened. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import type { Job } from '../api/types';
import { useFeedback } from '../common/feedback';

export function useJobActions() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { modal } = App.useApp();
  const feedback = useFeedback();
  const navigate = useNavigate();

  const refresh = (job?: Job) => {
    void client.invalidateQueries({ queryKey: ['jobs'] });
    void client.invalidateQueries({ queryKey: ['overview'] });
    if (job) client.setQueryData(['job', job.name], job);
  };

  const setEnabled = useMutation({
    mutationFn: ({ name, enabled }: { name: string; enabled: boolean }) =>
      enabled ? api.jobs.resume(name) : api.jobs.pause(name),
    onSuccess: (job) => {
      refresh(job);
      feedback.ok(
        job.enabled ? t('jobs.resumed', { name: job.name }) : t('jobs.pausedDone', { name: job.name }),
      );
    },
    onError: feedback.fail,
  });

  const remove = useMutation({
    mutationFn: (name: string) => api.jobs.delete(name),
    onSuccess: (_void, name) => {
      refresh();
      client.removeQueries({ queryKey: ['job', name] });
      feedback.ok(t('jobs.deleted', { name }));
    },
    onError: feedback.fail,
  });

  return {
    pause: (name: string) => setEnabled.mutate({ name, enabled: false }),
    resume: (name: string) => setEnabled.mutate({ name, enabled: true }),
    busy: setEnabled.isPending || remove.isPending,
    clone: (name: string) => navigate(`/jobs/new?from=${encodeURIComponent(name)}`),
    edit: (name: string) => navigate(`/jobs/${encodeURIComponent(name)}/edit`),
    /** Asks first, naming the job; `after` runs once it is gone. */
    confirmDelete: (name: string, after?: () => void) =>
      modal.confirm({
        title: t('jobs.deleteTitle', { name }),
        content: <Typography.Paragraph>{t('jobs.deleteBody')}</Typography.Paragraph>,
        okText: t('jobs.deleteOk'),
        okButtonProps: { danger: true, 'data-testid': 'confirm-delete' },
        cancelText: t('common.cancel'),
        onOk: () => remove.mutateAsync(name).then(() => after?.()),
      }),
  };
}
