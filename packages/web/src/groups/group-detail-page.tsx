/** One worker group: its members, adding and removing listed ones, the signing secret. */
import {
  ArrowLeftOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeOutlined,
  PlusOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api/endpoints';
import type { Member, WorkerGroup } from '../api/types';
import { can } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';
import { formatTime } from '../common/format';
import { showSecret } from '../common/show-secret';
import { AddMemberModal } from './add-member-modal';
import { GroupFormModal, groupInput } from './group-form-modal';
import { MembersTable } from './members-table';

export default function GroupDetailPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const { session } = useSession();
  const { modal } = App.useApp();
  const feedback = useFeedback();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const group = useQuery({
    queryKey: ['group', name],
    queryFn: () => api.groups.get(name),
    refetchInterval: 5_000,
  });

  const saved = (g: WorkerGroup) => {
    client.setQueryData(['group', g.name], g);
    void client.invalidateQueries({ queryKey: ['groups'] });
  };
  const replaceMembers = useMutation({
    mutationFn: ({ g, members }: { g: WorkerGroup; members: { url: string; name: string | null }[] }) =>
      api.groups.replace(g.name, { ...groupInput(g), members }),
    onSuccess: (g) => {
      saved(g);
      setAdding(false);
      feedback.ok(t('groups.membersSaved'));
    },
    onError: feedback.fail,
  });
  const remove = useMutation({
    mutationFn: (g: WorkerGroup) => api.groups.delete(g.name),
    onSuccess: (_v, g) => {
      void client.invalidateQueries({ queryKey: ['groups'] });
      feedback.ok(t('groups.deleted', { name: g.name }));
      navigate('/worker-groups');
    },
    onError: feedback.fail,
  });
  const secret = useMutation({
    mutationFn: ({ g, rotate }: { g: WorkerGroup; rotate: boolean }) =>
      rotate ? api.groups.rotateSecret(g.name) : api.groups.revealSecret(g.name),
    onSuccess: (answer, { g, rotate }) => {
      if (rotate) feedback.ok(t('groups.rotated', { name: g.name }));
      showSecret(
        modal,
        t,
        rotate ? t('groups.newSecretTitle', { name: g.name }) : t('groups.secretTitle', { name: g.name }),
        answer.secret,
        false,
      );
    },
    onError: feedback.fail,
  });

  if (group.isError) return <ErrorState error={group.error} retry={() => void group.refetch()} />;
  if (!group.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const g = group.data;
  const mayEdit = can(session, g.team, 'edit');
  const mayOwn = can(session, g.team, 'own');
  const listed = g.members.filter((m) => !m.dynamic).map((m) => ({ url: m.url, name: m.name }));

  const confirmRemoveMember = (m: Member) =>
    modal.confirm({
      title: t('groups.removeMemberTitle', { url: m.url }),
      content: t('groups.removeMemberBody'),
      okText: t('groups.removeMember'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => replaceMembers.mutateAsync({ g, members: listed.filter((x) => x.url !== m.url) }),
    });
  const confirmSecret = (rotate: boolean) =>
    modal.confirm({
      title: rotate ? t('groups.rotateTitle', { name: g.name }) : t('groups.revealTitle', { name: g.name }),
      content: rotate ? t('groups.rotateBody') : t('groups.revealBody'),
      okText: rotate ? t('groups.rotate') : t('groups.reveal'),
      okButtonProps: { danger: rotate },
      cancelText: t('common.cancel'),
      onOk: () => secret.mutateAsync({ g, rotate }),
    });
  const confirmDelete = () =>
    modal.confirm({
      title: t('groups.deleteTitle', { name: g.name }),
      content: t('groups.deleteBody'),
      okText: t('common.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => remove.mutateAsync(g),
    });

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            <Button
              type="text"
              icon={<ArrowLeftOutlined />}
              onClick={() => navigate('/worker-groups')}
              aria-label={t('common.back')}
            />
            <Typography.Title level={4} style={{ margin: 0 }}>
              {g.name}
            </Typography.Title>
          </Space>
        }
        extra={
          <Space wrap>
            {mayOwn && (
              <Button icon={<EyeOutlined />} onClick={() => confirmSecret(false)} data-testid="secret-reveal">
                {t('groups.reveal')}
              </Button>
            )}
            {mayOwn && (
              <Button icon={<SyncOutlined />} onClick={() => confirmSecret(true)} data-testid="secret-rotate">
                {t('groups.rotate')}
              </Button>
            )}
            {mayEdit && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('jobs.edit')}
              </Button>
            )}
            {mayEdit && (
              <Button danger icon={<DeleteOutlined />} onClick={confirmDelete}>
                {t('common.delete')}
              </Button>
            )}
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('jobs.team')}>{g.team ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('groups.probe')}>
            {g.probe ? `GET {member}${g.probe.path} / ${g.probe.intervalSec} s` : t('groups.noProbe')}
          </Descriptions.Item>
          <Descriptions.Item label={t('groups.updatedAt')}>{formatTime(g.updatedAt)}</Descriptions.Item>
          {g.description && (
            <Descriptions.Item label={t('editor.description')} span={3}>
              {g.description}
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Card
        size="small"
        title={t('groups.membersTitle', { count: g.members.length })}
        extra={
          mayEdit && (
            <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-member">
              {t('groups.addMember')}
            </Button>
          )
        }
      >
        <MembersTable members={g.members} onRemove={mayEdit ? confirmRemoveMember : undefined} />
      </Card>
      <GroupFormModal
        open={editing}
        group={g}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          if (saved.name !== g.name)
            navigate(`/worker-groups/${encodeURIComponent(saved.name)}`, { replace: true });
        }}
      />
      <AddMemberModal
        open={adding}
        busy={replaceMembers.isPending}
        onClose={() => setAdding(false)}
        onAdd={(m) => replaceMembers.mutate({ g, members: [...listed, m] })}
      />
    </Space>
  );
}
