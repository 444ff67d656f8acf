import { Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Attempt } from '../api/types';
import { formatTime } from '../common/format';

export function AttemptsTable({ attempts }: { attempts: Attempt[] }) {
  const { t } = useTranslation();
  const sharded = attempts.some((a) => a.shard !== undefined);
  return (
    <Table<Attempt>
      rowKey={(a) => `${a.shard ?? 0}-${a.n}`}
      size="small"
      pagination={false}
      dataSource={attempts}
      locale={{ emptyText: t('run.noAttempts') }}
      columns={[
        { title: '#', dataIndex: 'n', width: 48 },
        ...(sharded ? [{ title: t('run.shard'), dataIndex: 'shard', width: 64 }] : []),
        { title: t('runs.member'), dataIndex: 'member', ellipsis: true },
        { title: t('run.sentAt'), dataIndex: 'sentAt', width: 160, render: (v: string) => formatTime(v) },
        { title: 'HTTP', dataIndex: 'httpStatus', width: 64, render: (v: number | null) => v ?? '—' },
        {
          title: t('run.latency'),
          dataIndex: 'latencyMs',
          width: 80,
          render: (v: number | null) => (v === null ? '—' : `${v} ms`),
        },
        {
          title: t('run.error'),
          dataIndex: 'error',
          render: (v: string | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : ''),
        },
      ]}
    />
  );
}
