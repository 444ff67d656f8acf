/** Teams: the unit that owns jobs and groups and grants roles. */
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Empty, Form, Input, Modal, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Team } from '../api/types';
import { isAdmin } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';

export default function TeamsPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list() });
  return (
    <Card
      title={t('nav.teams')}
      extra={
        isAdmin(session) && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="new-team"
          >
            {t('teams.create')}
          </Button>
        )
      }
    >
      {teams.isError ? (
        <ErrorState error={teams.error} retry={() => void teams.refetch()} />
      ) : (
        <Table<Team>
          rowKey="name"
          size="middle"
          loading={teams.isPending}
          dataSource={teams.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: teams.isPending ? ' ' : <Empty description={t('teams.none')} /> }}
          columns={[
            {
              title: t('teams.name'),
              dataIndex: 'name',
              render: (name: string) => <Link to={`/admin/teams/${encodeURIComponent(name)}`}>{name}</Link>,
            },
            { title: t('editor.description'), dataIndex: 'description', render: (v?: string) => v ?? '' },
            {
              title: t('teams.members'),
              dataIndex: 'members',
              width: 120,
              render: (m?: Team['members']) => (m ? m.length : '—'),
            },
          ]}
        />
      )}
      {creating && (
        <CreateTeamModal
          onClose={() => setCreating(false)}
          onCreated={(team) => navigate(`/admin/teams/${encodeURIComponent(team.name)}`)}
        />
      )}
    </Card>
  );
}

function CreateTeamModal({ onClose, onCreated }: { onClose(): void; onCreated(team: Team): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; description: string }>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const create = useMutation({
    mutationFn: (v: { name: string; description: string }) =>
      api.teams.create({ name: v.name.trim(), description: v.description }),
    onSuccess: (team) => {
      void client.invalidateQueries({ queryKey: ['teams'] });
      feedback.ok(t('teams.created', { name: team.name }));
      onClose();
      onCreated(team);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.field === 'name')
        form.setFields([{ name: 'name', errors: [error.message] }]);
      else feedback.fail(error);
    },
  });
  return (
    <Modal
      open
      title={t('teams.create')}
      okText={t('teams.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
        <Form.Item
          name="name"
          label={t('teams.name')}
          rules={[{ required: true, message: t('editor.required') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t('editor.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
