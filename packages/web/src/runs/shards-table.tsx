import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Shard } from '../api/types';
import { formatDuration } from '../common/format';
import { NotifyStatusTag, RunStatusTag } from '../common/status-tags';

export function ShardsTable({ shards }: { shards: Shard[] }) {
  const { t } = useTranslation();
  return (
    <Table<Shard>
      rowKey="index"
      size="small"
      pagination={false}
      dataSource={shards}
      columns={[
        { title: '#', dataIndex: 'index', width: 48 },
        { title: t('runs.member'), dataIndex: 'member', ellipsis: true },
        {
          title: t('runs.result'),
          dataIndex: 'status',
          width: 100,
          render: (v: Shard['status']) => <RunStatusTag status={v} />,
        },
        {
          title: t('runs.notifyResult'),
          dataIndex: 'notifyStatus',
          width: 100,
          render: (v: Shard['notifyStatus']) => <NotifyStatusTag status={v} />,
        },
        {
          title: t('runs.duration'),
          dataIndex: 'durationMs',
          width: 90,
          render: (v: number | null) => formatDuration(v),
        },
        { title: t('runs.message'), dataIndex: 'message', ellipsis: true },
      ]}
    />
  );
}
