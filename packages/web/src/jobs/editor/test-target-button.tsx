/** Sends one signed test trigger to one member (not recorded as a run) and shows its answer. */
import { ApiOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/endpoints';
import { describeError } from '../../common/api-error';
import { prettyJson } from '../../common/format';
import { MONO } from '../../common/json-input';

export function TestTargetButton({ job, disabled }: { job: string; disabled?: boolean }) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const test = useMutation({
    mutationFn: () => api.jobs.testTrigger(job),
    onSuccess: (answer) =>
      modal.success({
        title: t('editor.testTarget.answered'),
        width: 600,
        content: <pre style={{ ...MONO, maxHeight: 360, overflow: 'auto' }}>{prettyJson(answer)}</pre>,
      }),
    onError: (error) =>
      modal.error({ title: t('editor.testTarget.failed'), width: 600, content: describeError(t, error) }),
  });
  return (
    <Tooltip title={disabled ? t('editor.testTarget.saveFirst') : t('editor.testTarget.help')}>
      <Button
        icon={<ApiOutlined />}
        loading={test.isPending}
        disabled={disabled}
        onClick={() => test.mutate()}
        data-testid="test-target"
      >
        {t('editor.testTarget.button')}
      </Button>
    </Tooltip>
  );
}
