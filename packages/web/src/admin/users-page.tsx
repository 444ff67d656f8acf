/** Users (admins only): local and directory accounts, their teams, create and edit. */
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Checkbox, Form, Input, Modal, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { User } from '../api/types';
import { isAdmin } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';

export default function UsersPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list(), enabled: isAdmin(session) });
  if (!isAdmin(session)) return <ErrorState error={new ApiError(403, 'forbidden', t('admin.adminsOnly'))} />;
  return (
    <Card
      title={t('nav.users')}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          data-testid="new-user"
        >
          {t('users.create')}
        </Button>
      }
    >
      {users.isError ? (
        <ErrorState error={users.error} retry={() => void users.refetch()} />
      ) : (
        <Table<User>
          rowKey="name"
          size="middle"
          loading={users.isPending}
          dataSource={users.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            {
              title: t('users.name'),
              dataIndex: 'name',
              render: (name: string, user) => (
                <>
                  {name} {user.disabled && <Tag>{t('users.disabled')}</Tag>}
                </>
              ),
            },
            { title: t('users.displayName'), dataIndex: 'displayName' },
            { title: t('users.email'), dataIndex: 'email', render: (v: string | null) => v ?? '—' },
            { title: t('users.phone'), dataIndex: 'phone', render: (v: string | null) => v ?? '—' },
            {
              title: t('users.source'),
              dataIndex: 'source',
              width: 110,
              render: (v: User['source']) => <Tag>{t(`users.sources.${v}`)}</Tag>,
            },
            {
              title: t('users.admin'),
              dataIndex: 'admin',
              width: 90,
              render: (v: boolean) => (v ? <Tag color="red">{t('users.admin')}</Tag> : ''),
            },
            {
              title: t('nav.teams'),
              dataIndex: 'memberships',
              render: (teams: User['memberships']) =>
                teams?.map((g) => (
                  <Tag key={g.team}>
                    {g.team}: {t(`roles.${g.role}`)}
                  </Tag>
                )),
            },
            {
              title: '',
              key: 'edit',
              width: 56,
              render: (_v, user) => (
                <Button
                  size="small"
                  icon={<EditOutlined />}
                  aria-label={t('jobs.edit')}
                  onClick={() => setEditing(user)}
                />
              ),
            },
          ]}
        />
      )}
      {editing !== null && (
        <UserModal user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
    </Card>
  );
}

interface Values {
  name: string;
  displayName: string;
  email: string;
  phone: string;
  password: string;
  admin: boolean;
  disabled: boolean;
}

function UserModal({ user, onClose }: { user: User | null; onClose(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const directory = user?.source === 'directory';
  const save = useMutation({
    mutationFn: async (v: Values) => {
      const profile = directory
        ? { admin: v.admin, disabled: v.disabled }
        : {
            displayName: v.displayName || null,
            email: v.email || null,
            phone: v.phone || null,
            admin: v.admin,
            disabled: v.disabled,
          };
      if (!user) {
        const { disabled: _disabled, ...created } = profile;
        return api.users.create({ ...created, name: v.name, password: v.password });
      }
      // The password first: a refused one leaves the profile unchanged too.
      if (v.password) await api.users.setPassword(user.name, v.password);
      return api.users.update(user.name, profile);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['users'] });
      feedback.ok(user ? t('users.saved', { name: saved.name }) : t('users.created', { name: saved.name }));
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.field) {
        form.setFields([{ name: error.field as keyof Values, errors: [error.message] }]);
      } else feedback.fail(error);
    },
  });
  return (
    <Modal
      open
      title={user ? t('users.editTitle', { name: user.name }) : t('users.create')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          name: user?.name ?? '',
          displayName: user?.displayName ?? '',
          email: user?.email ?? '',
          phone: user?.phone ?? '',
          password: '',
          admin: user?.admin ?? false,
          disabled: user?.disabled ?? false,
        }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('users.name')}
          rules={[{ required: true, message: t('editor.required') }]}
        >
          <Input disabled={user !== null} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('users.displayName')}>
          <Input disabled={directory} />
        </Form.Item>
        <Form.Item name="email" label={t('users.email')}>
          <Input disabled={directory} />
        </Form.Item>
        <Form.Item name="phone" label={t('users.phone')}>
          <Input disabled={directory} />
        </Form.Item>
        {!directory && (
          <Form.Item
            name="password"
            label={user ? t('users.newPassword') : t('login.password')}
            extra={user ? t('users.passwordHelp') : undefined}
            rules={user ? [] : [{ required: true, message: t('editor.required') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="admin" valuePropName="checked" extra={t('users.adminHelp')}>
          <Checkbox>{t('users.admin')}</Checkbox>
        </Form.Item>
        {user && (
          <Form.Item name="disabled" valuePropName="checked" extra={t('users.disabledHelp')}>
            <Checkbox>{t('users.disabled')}</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
