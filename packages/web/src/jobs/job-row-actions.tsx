/** The buttons of one job, shown only when the user's role on the job's team allows them. */
import {
  CaretRightOutlined,
  CopyOutlined,
  DeleteOutlined,
  EditOutlined,
  MoreOutlined,
  PauseOutlined,
  PlayCircleOutlined,
} from '@ant-design/icons';
import { Button, Dropdown, type MenuProps, Space, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Job } from '../api/types';
import { can } from '../auth/permissions';
import { useSession } from '../auth/session';
import { useJobActions } from './use-job-actions';

interface Props {
  job: Job;
  onRunNow(job: Job): void;
  /** Called after the job was deleted. */
  onDeleted?: () => void;
  /** Buttons with words (the detail page) or icons only (the table). */
  withLabels?: boolean;
}

export function JobRowActions({ job, onRunNow, onDeleted, withLabels = false }: Props) {
  const { t } = useTranslation();
  const { session } = useSession();
  const actions = useJobActions();
  const operate = can(session, job.team, 'operate');
  const edit = can(session, job.team, 'edit');
  const size = withLabels ? 'middle' : 'small';
  const label = (text: string) => (withLabels ? text : undefined);

  const more: MenuProps['items'] = [
    ...(edit ? [{ key: 'clone', icon: <CopyOutlined />, label: t('jobs.clone') }] : []),
    ...(edit ? [{ key: 'delete', icon: <DeleteOutlined />, label: t('jobs.delete'), danger: true }] : []),
  ];

  return (
    <Space size={4} data-testid={`job-actions-${job.name}`}>
      {operate &&
        (job.enabled ? (
          <Tooltip title={withLabels ? undefined : t('jobs.pause')}>
            <Button
              size={size}
              icon={<PauseOutlined />}
              aria-label={t('jobs.pause')}
              onClick={() => actions.pause(job.name)}
              data-testid="job-pause"
            >
              {label(t('jobs.pause'))}
            </Button>
          </Tooltip>
        ) : (
          <Tooltip title={withLabels ? undefined : t('jobs.resume')}>
            <Button
              size={size}
              icon={<PlayCircleOutlined />}
              aria-label={t('jobs.resume')}
              onClick={() => actions.resume(job.name)}
              data-testid="job-resume"
            >
              {label(t('jobs.resume'))}
            </Button>
          </Tooltip>
        ))}
      {operate && (
        <Tooltip title={withLabels ? undefined : t('jobs.runNow')}>
          <Button
            size={size}
            type={withLabels ? 'primary' : 'default'}
            icon={<CaretRightOutlined />}
            aria-label={t('jobs.runNow')}
            onClick={() => onRunNow(job)}
            data-testid="job-run-now"
          >
            {label(t('jobs.runNow'))}
          </Button>
        </Tooltip>
      )}
      {edit && (
        <Tooltip title={withLabels ? undefined : t('jobs.edit')}>
          <Button
            size={size}
            icon={<EditOutlined />}
            aria-label={t('jobs.edit')}
            onClick={() => actions.edit(job.name)}
            data-testid="job-edit"
          >
            {label(t('jobs.edit'))}
          </Button>
        </Tooltip>
      )}
      {more.length > 0 && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: more,
            onClick: ({ key }) => {
              if (key === 'clone') actions.clone(job.name);
              if (key === 'delete') actions.confirmDelete(job.name, onDeleted);
            },
          }}
        >
          <Button size={size} icon={<MoreOutlined />} aria-label={t('common.more')} data-testid="job-more" />
        </Dropdown>
      )}
    </Space>
  );
}
