/** Worker groups: who executes jobs, and how healthy the members are. */
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/endpoints';
import type { WorkerGroup } from '../api/types';
import { canSomewhere } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { GroupFormModal } from './group-form-modal';

export default function GroupsPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const groups = useQuery({
    queryKey: ['groups'],
    queryFn: () => api.groups.list(),
    refetchInterval: 10_000,
  });
  const mayCreate = canSomewhere(session, 'edit');

  return (
    <Card
      title={t('nav.workerGroups')}
      extra={
        mayCreate && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="new-group"
          >
            {t('groups.create')}
          </Button>
        )
      }
    >
      {groups.isError ? (
        <ErrorState error={groups.error} retry={() => void groups.refetch()} />
      ) : (
        <Table<WorkerGroup>
          rowKey="id"
          size="middle"
          loading={groups.isPending}
          dataSource={groups.data?.items ?? []}
          pagination={false}
          locale={{
            emptyText: groups.isPending ? (
              ' '
            ) : (
              <Empty description={t('groups.none')}>
                {mayCreate && (
                  <Button type="primary" onClick={() => setCreating(true)}>
                    {t('groups.create')}
                  </Button>
                )}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('groups.name'),
              dataIndex: 'name',
              render: (name: string) => (
                <Link to={`/worker-groups/${encodeURIComponent(name)}`} data-testid={`group-link-${name}`}>
                  {name}
                </Link>
              ),
            },
            { title: t('jobs.team'), dataIndex: 'team', width: 140, render: (v: string | null) => v ?? '—' },
            {
              title: t('groups.members'),
              key: 'members',
              width: 220,
              render: (_v, g) => {
                const healthy = g.members.filter((m) => m.healthy).length;
                const unhealthy = g.members.length - healthy;
                if (g.members.length === 0) return <Tag color="warning">{t('groups.noMembers')}</Tag>;
                return (
                  <>
                    <Tag color="success">{t('groups.healthyCount', { count: healthy })}</Tag>
                    {unhealthy > 0 && (
                      <Tag color="error">{t('groups.unhealthyCount', { count: unhealthy })}</Tag>
                    )}
                  </>
                );
              },
            },
            {
              title: t('groups.running'),
              key: 'running',
              width: 100,
              render: (_v, g) => g.members.reduce((sum, m) => sum + m.runningCount, 0),
            },
            {
              title: t('groups.probe'),
              dataIndex: 'probe',
              width: 160,
              render: (p: WorkerGroup['probe']) => (p ? `${p.path} / ${p.intervalSec} s` : '—'),
            },
            {
              title: t('editor.description'),
              dataIndex: 'description',
              ellipsis: true,
              render: (v: string) => <Typography.Text type="secondary">{v}</Typography.Text>,
            },
          ]}
        />
      )}
      <GroupFormModal
        open={creating}
        group={null}
        onClose={() => setCreating(false)}
        onSaved={(g) => navigate(`/worker-groups/${encodeURIComponent(g.name)}`)}
      />
    </Card>
  );
}
