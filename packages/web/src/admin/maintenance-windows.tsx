/**
 * A team's maintenance windows, current and coming: alerts of its jobs stay
 * quiet during one. Operators and above add and remove them.
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Empty, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { MaintenanceWindow } from '../api/types';
import { can } from '../auth/permissions';
import { useSession } from '../auth/session';
import { ErrorState } from '../common/api-error';
import { useFeedback } from '../common/feedback';
import { formatDuration, formatTime } from '../common/format';

export function MaintenanceWindows({ team }: { team: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { modal } = App.useApp();
  const client = useQueryClient();
  const feedback = useFeedback();
  const [adding, setAdding] = useState(false);
  const mayOperate = can(session, team, 'operate');
  const key = ['maintenance-windows', team];
  const windows = useQuery({
    queryKey: key,
    queryFn: () => api.teams.maintenanceWindows(team),
    refetchInterval: 60_000,
  });
  const remove = useMutation({
    mutationFn: (w: MaintenanceWindow) => api.teams.removeMaintenanceWindow(team, w.id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: key });
      feedback.ok(t('maintenance.removed'));
    },
    onError: feedback.fail,
  });
  const now = Date.now();

  return (
    <Card
      size="small"
      title={t('maintenance.title')}
      style={{ marginTop: 16 }}
      extra={
        mayOperate && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-maintenance">
            {t('maintenance.add')}
          </Button>
        )
      }
      data-testid="maintenance-windows"
    >
      <Typography.Paragraph type="secondary">{t('maintenance.help')}</Typography.Paragraph>
      {windows.isError ? (
        <ErrorState error={windows.error} retry={() => void windows.refetch()} />
      ) : (
        <Table<MaintenanceWindow>
          rowKey="id"
          size="small"
          pagination={false}
          loading={windows.isPending}
          dataSource={windows.data?.items ?? []}
          locale={{ emptyText: windows.isPending ? ' ' : <Empty description={t('maintenance.none')} /> }}
          columns={[
            {
              title: t('maintenance.when'),
              key: 'when',
              render: (_v, w) => {
                const open = Date.parse(w.startsAt) <= now;
                return (
                  <>
                    <Tag color={open ? 'orange' : 'blue'}>
                      {open ? t('maintenance.now') : t('maintenance.coming')}
                    </Tag>
                    {formatTime(w.startsAt)} → {formatTime(w.endsAt)}{' '}
                    <Typography.Text type="secondary">
                      ({formatDuration(Date.parse(w.endsAt) - Date.parse(w.startsAt))})
                    </Typography.Text>
                  </>
                );
              },
            },
            { title: t('maintenance.reason'), dataIndex: 'reason', render: (v: string) => v || '—' },
            {
              title: t('maintenance.createdBy'),
              dataIndex: 'createdBy',
              width: 140,
              render: (v: string | null) => v ?? '—',
            },
            ...(mayOperate
              ? [
                  {
                    title: '',
                    key: 'remove',
                    width: 56,
                    render: (_v: unknown, w: MaintenanceWindow) => (
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('maintenance.remove')}
                        onClick={() =>
                          modal.confirm({
                            title: t('maintenance.removeTitle'),
                            content: t('maintenance.removeBody', { team }),
                            okText: t('maintenance.remove'),
                            okButtonProps: { danger: true },
                            cancelText: t('common.cancel'),
                            onOk: () => remove.mutateAsync(w),
                          })
                        }
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      {adding && <AddWindowModal team={team} onClose={() => setAdding(false)} />}
    </Card>
  );
}

interface Values {
  range: [Dayjs, Dayjs];
  reason?: string;
}

function AddWindowModal({ team, onClose }: { team: string; onClose(): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const client = useQueryClient();
  const feedback = useFeedback();
  const add = useMutation({
    mutationFn: (v: Values) =>
      api.teams.addMaintenanceWindow(team, {
        startsAt: v.range[0].toISOString(),
        endsAt: v.range[1].toISOString(),
        reason: v.reason?.trim() || undefined,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['maintenance-windows', team] });
      feedback.ok(t('maintenance.added'));
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && (error.field === 'startsAt' || error.field === 'endsAt'))
        form.setFields([{ name: 'range', errors: [error.message] }]);
      else if (error instanceof ApiError && error.field === 'reason')
        form.setFields([{ name: 'reason', errors: [error.message] }]);
      else feedback.fail(error);
    },
  });
  const start = dayjs().add(10, 'minute').startOf('minute');
  return (
    <Modal
      open
      title={t('maintenance.addTitle', { team })}
      okText={t('maintenance.add')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={add.isPending}
      width={560}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ range: [start, start.add(1, 'hour')] }}
        onFinish={(v) => add.mutate(v)}
      >
        <Form.Item
          name="range"
          label={t('maintenance.range')}
          rules={[
            { required: true, message: t('editor.required') },
            {
              validator: async (_r, v: Values['range'] | undefined) => {
                if (v && !v[1].isAfter(v[0])) throw new Error(t('maintenance.endAfterStart'));
              },
            },
          ]}
        >
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            style={{ width: '100%' }}
          />
        </Form.Item>
        <Form.Item name="reason" label={t('maintenance.reason')} extra={t('maintenance.reasonHelp')}>
          <Input.TextArea rows={2} maxLength={1000} data-testid="maintenance-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
