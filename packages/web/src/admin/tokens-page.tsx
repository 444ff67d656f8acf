/** API tokens of the signed-in user: create (shown once), scope, revoke. */
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Empty,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints';
import { type ApiToken, TEAM_ROLES, type TeamGrant, type TokenInput } from '../api/types';
import { isAdmin } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';
import { formatTime } from '../common/format';
import { showSecret } from '../common/show-secret';
import { useTeamOptions } from './use-team-options';

export default function TokensPage() {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const client = useQueryClient();
  const feedback = useFeedback();
  const [creating, setCreating] = useState(false);
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: api.tokens.list });
  const revoke = useMutation({
    mutationFn: (token: ApiToken) => api.tokens.delete(token.id),
    onSuccess: (_v, token) => {
      void client.invalidateQueries({ queryKey: ['tokens'] });
      feedback.ok(t('tokens.revoked', { name: token.name }));
    },
    onError: feedback.fail,
  });
  return (
    <Card
      title={t('nav.tokens')}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="new-token"
        >
          {t('tokens.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('tokens.help')}</Typography.Paragraph>
      {tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : (
        <Table<ApiToken>
          rowKey="id"
          size="middle"
          loading={tokens.isPending}
          dataSource={tokens.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: tokens.isPending ? ' ' : <Empty description={t('tokens.none')} /> }}
          columns={[
            { title: t('tokens.name'), dataIndex: 'name' },
            {
              title: t('tokens.scope'),
              dataIndex: 'scope',
              render: (s: ApiToken['scope']) => <ScopeTags scope={s} />,
            },
            {
              title: t('tokens.createdAt'),
              dataIndex: 'createdAt',
              width: 170,
              render: (v?: string) => formatTime(v),
            },
            {
              title: t('tokens.expiresAt'),
              dataIndex: 'expiresAt',
              width: 170,
              render: (v: string | null) => (v ? formatTime(v) : t('tokens.never')),
            },
            {
              title: t('tokens.lastUsedAt'),
              dataIndex: 'lastUsedAt',
              width: 170,
              render: (v?: string | null) => formatTime(v),
            },
            {
              title: '',
              key: 'revoke',
              width: 56,
              render: (_v, token) => (
                <Button
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('tokens.revoke')}
                  onClick={() =>
                    modal.confirm({
                      title: t('tokens.revokeTitle', { name: token.name }),
                      content: t('tokens.revokeBody'),
                      okText: t('tokens.revoke'),
                      okButtonProps: { danger: true },
                      cancelText: t('common.cancel'),
                      onOk: () => revoke.mutateAsync(token),
                    })
                  }
                />
              ),
            },
          ]}
        />
      )}
      {creating && <CreateTokenModal onClose={() => setCreating(false)} />}
    </Card>
  );
}

function ScopeTags({ scope }: { scope: ApiToken['scope'] }) {
  const { t } = useTranslation();
  if (!scope) return <Tag>{t('tokens.allMyRights')}</Tag>;
  return (
    <>
      {scope.admin && <Tag color="red">{t('users.admin')}</Tag>}
      {scope.teams?.map((g) => (
        <Tag key={g.team}>
          {g.team}: {t(`roles.${g.role}`)}
        </Tag>
      ))}
    </>
  );
}

interface Values {
  name: string;
  expiresAt?: Dayjs | null;
  limit: boolean;
  admin: boolean;
  teams: TeamGrant[];
}

function CreateTokenModal({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const teams = useTeamOptions('read');
  const limit = Form.useWatch('limit', form);
  const create = useMutation({
    mutationFn: (v: Values) => {
      const input: TokenInput = { name: v.name.trim() };
      if (v.expiresAt) input.expiresAt = v.expiresAt.toISOString();
      if (v.limit) input.scope = { admin: v.admin, teams: v.teams ?? [] };
      return api.tokens.create(input);
    },
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ['tokens'] });
      feedback.ok(t('tokens.created', { name: created.name }));
      showSecret(modal, t, t('tokens.createdTitle', { name: created.name }), created.token);
      onClose();
    },
    onError: feedback.fail,
  });
  return (
    <Modal
      open
      title={t('tokens.create')}
      okText={t('tokens.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      width={600}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ limit: false, admin: false, teams: [] }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('tokens.name')}
          extra={t('tokens.nameHelp')}
          rules={[{ required: true, message: t('editor.required') }]}
        >
          <Input autoComplete="off" data-testid="token-name" />
        </Form.Item>
        <Form.Item name="expiresAt" label={t('tokens.expiresAt')} extra={t('tokens.expiresHelp')}>
          <DatePicker showTime />
        </Form.Item>
        <Form.Item name="limit" valuePropName="checked" extra={t('tokens.scopeHelp')}>
          <Checkbox>{t('tokens.limitScope')}</Checkbox>
        </Form.Item>
        {limit && (
          <>
            {isAdmin(session) && (
              <Form.Item name="admin" valuePropName="checked">
                <Checkbox>{t('tokens.scopeAdmin')}</Checkbox>
              </Form.Item>
            )}
            <Form.List name="teams">
              {(fields, { add, remove }) => (
                <Space direction="vertical" style={{ width: '100%' }}>
                  {fields.map((field) => (
                    <Space key={field.key} align="baseline">
                      <Form.Item
                        name={[field.name, 'team']}
                        rules={[{ required: true, message: t('editor.required') }]}
                      >
                        <Select
                          showSearch
                          placeholder={t('jobs.team')}
                          options={teams.map((v) => ({ value: v }))}
                          style={{ width: 220 }}
                        />
                      </Form.Item>
                      <Form.Item name={[field.name, 'role']} initialValue="viewer">
                        <Select
                          options={TEAM_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                          style={{ width: 140 }}
                        />
                      </Form.Item>
                      <MinusCircleOutlined
                        onClick={() => remove(field.name)}
                        aria-label={t('common.remove')}
                      />
                    </Space>
                  ))}
                  <Button icon={<PlusOutlined />} onClick={() => add({ role: 'viewer' })}>
                    {t('tokens.addTeam')}
                  </Button>
                </Space>
              )}
            </Form.List>
          </>
        )}
      </Form>
    </Modal>
  );
}
