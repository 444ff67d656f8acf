/** One team: its members and their roles (owners and admins change them), and its maintenance windows. */
import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Space, Spin, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { TEAM_ROLES, type TeamRole } from '../api/types';
import { can } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';
import { MaintenanceWindows } from './maintenance-windows';

export default function TeamDetailPage() {
  const { t } = useTranslation();
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const { session } = useSession();
  const { modal } = App.useApp();
  const client = useQueryClient();
  const feedback = useFeedback();
  const [adding, setAdding] = useState(false);
  const team = useQuery({ queryKey: ['team', name], queryFn: () => api.teams.get(name) });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['team', name] });
    void client.invalidateQueries({ queryKey: ['teams'] });
  };
  const setRole = useMutation({
    mutationFn: ({ user, role }: { user: string; role: TeamRole }) => api.teams.setMember(name, user, role),
    onSuccess: (_v, { user, role }) => {
      refresh();
      setAdding(false);
      feedback.ok(t('teams.roleSet', { user, role: t(`roles.${role}`) }));
    },
    onError: feedback.fail,
  });
  const remove = useMutation({
    mutationFn: (user: string) => api.teams.removeMember(name, user),
    onSuccess: (_v, user) => {
      refresh();
      feedback.ok(t('teams.memberRemoved', { user }));
    },
    onError: feedback.fail,
  });

  if (team.isError) return <ErrorState error={team.error} retry={() => void team.refetch()} />;
  if (!team.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const mayManage = can(session, name, 'own');
  const roleOptions = TEAM_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));

  return (
    <>
      <Card
        title={
          <Space>
            <Button
              type="text"
              icon={<ArrowLeftOutlined />}
              onClick={() => navigate('/admin/teams')}
              aria-label={t('common.back')}
            />
            <Typography.Title level={4} style={{ margin: 0 }}>
              {team.data.name}
            </Typography.Title>
          </Space>
        }
        extra={
          mayManage && (
            <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-team-member">
              {t('teams.addMember')}
            </Button>
          )
        }
      >
        {team.data.description && <Typography.Paragraph>{team.data.description}</Typography.Paragraph>}
        <Typography.Paragraph type="secondary">{t('teams.rolesHelp')}</Typography.Paragraph>
        <Table
          rowKey="user"
          size="middle"
          pagination={false}
          dataSource={team.data.members ?? []}
          locale={{ emptyText: t('teams.noMembers') }}
          columns={[
            { title: t('teams.user'), dataIndex: 'user' },
            {
              title: t('teams.role'),
              dataIndex: 'role',
              width: 200,
              render: (role: TeamRole, m) =>
                mayManage ? (
                  <Select
                    value={role}
                    options={roleOptions}
                    style={{ width: 160 }}
                    aria-label={t('teams.role')}
                    onChange={(r) => setRole.mutate({ user: m.user, role: r })}
                  />
                ) : (
                  t(`roles.${role}`)
                ),
            },
            ...(mayManage
              ? [
                  {
                    title: '',
                    key: 'remove',
                    width: 56,
                    render: (_v: unknown, m: { user: string }) => (
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('teams.removeMember')}
                        onClick={() =>
                          modal.confirm({
                            title: t('teams.removeTitle', { user: m.user, team: name }),
                            okText: t('teams.removeMember'),
                            okButtonProps: { danger: true },
                            cancelText: t('common.cancel'),
                            onOk: () => remove.mutateAsync(m.user),
                          })
                        }
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
        <Modal
          open={adding}
          title={t('teams.addMember')}
          okText={t('teams.addMember')}
          cancelText={t('common.cancel')}
          confirmLoading={setRole.isPending}
          onCancel={() => setAdding(false)}
          destroyOnHidden
          footer={null}
        >
          <Form<{ user: string; role: TeamRole }>
            layout="vertical"
            initialValues={{ role: 'viewer' }}
            onFinish={(v) => setRole.mutate({ user: v.user.trim(), role: v.role })}
          >
            <Form.Item
              name="user"
              label={t('teams.user')}
              rules={[{ required: true, message: t('editor.required') }]}
            >
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="role" label={t('teams.role')}>
              <Select options={roleOptions} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={setRole.isPending}>
              {t('teams.addMember')}
            </Button>
          </Form>
        </Modal>
      </Card>
      <MaintenanceWindows team={team.data.name} />
    </>
  );
}
