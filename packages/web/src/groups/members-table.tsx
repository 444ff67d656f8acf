/** A group's members: health, last heartbeat, running runs, last error; listed ones can be removed. */
import { DeleteOutlined } from '@ant-design/icons';
import { Badge, Button, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Member } from '../api/types';
import { formatTime, fromNow } from '../common/format';

interface Props {
  members: Member[];
  onRemove?: (member: Member) => void;
}

export function MembersTable({ members, onRemove }: Props) {
  const { t } = useTranslation();
  return (
    <Table<Member>
      rowKey="url"
      size="small"
      pagination={false}
      dataSource={members}
      locale={{ emptyText: t('groups.noMembersHint') }}
      scroll={{ x: 900 }}
      data-testid="members-table"
      columns={[
        {
          title: t('groups.memberUrl'),
          dataIndex: 'url',
          render: (url: string, m) => (
            <>
              <Typography.Text code>{url}</Typography.Text>
              {m.name && <Typography.Text type="secondary"> {m.name}</Typography.Text>}
            </>
          ),
        },
        {
          title: t('groups.kind'),
          dataIndex: 'dynamic',
          width: 110,
          render: (dynamic: boolean) => (
            <Tooltip title={dynamic ? t('groups.dynamicHelp') : t('groups.staticHelp')}>
              <Tag>{dynamic ? t('groups.dynamic') : t('groups.static')}</Tag>
            </Tooltip>
          ),
        },
        {
          title: t('groups.health'),
          dataIndex: 'healthy',
          width: 110,
          render: (healthy: boolean) => (
            <Badge
              status={healthy ? 'success' : 'error'}
              text={healthy ? t('groups.healthy') : t('groups.unhealthy')}
            />
          ),
        },
        {
          title: t('groups.lastSeen'),
          dataIndex: 'lastSeenAt',
          width: 150,
          render: (v: string | null) =>
            v ? (
              <Tooltip title={formatTime(v)}>
                <span>{fromNow(v)}</span>
              </Tooltip>
            ) : (
              '—'
            ),
        },
        { title: t('groups.running'), dataIndex: 'runningCount', width: 90, align: 'right' },
        {
          title: t('groups.lastError'),
          dataIndex: 'lastError',
          ellipsis: true,
          render: (v: string | null, m) =>
            v ? (
              <Tooltip title={`${formatTime(m.lastErrorAt)} · ${v}`}>
                <Typography.Text type="danger">{v}</Typography.Text>
              </Tooltip>
            ) : (
              '—'
            ),
        },
        ...(onRemove
          ? [
              {
                title: '',
                key: 'remove',
                width: 56,
                render: (_v: unknown, m: Member) =>
                  m.dynamic ? null : (
                    <Button
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('groups.removeMember')}
                      onClick={() => onRemove(m)}
                    />
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}
