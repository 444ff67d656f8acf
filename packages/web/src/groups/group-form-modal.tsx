/** Create a worker group or edit its name, team, description and probe. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, Form, Input, InputNumber, Modal, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTeamOptions } from '../admin/use-team-options';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { GroupInput, WorkerGroup } from '../api/types';
import { useFeedback } from '../common/feedback';
import { showSecret } from '../common/show-secret';

interface Values {
  name: string;
  team: string;
  description: string;
  probeOn: boolean;
  probePath: string;
  probeIntervalSec: number;
}

interface Props {
  open: boolean;
  /** The group to edit; null to create one. */
  group: WorkerGroup | null;
  onClose(): void;
  onSaved(group: WorkerGroup): void;
}

/** The listed members as `PUT` takes them: dynamic members join by heartbeat, not by list. */
export function staticMembers(group: WorkerGroup) {
  return group.members.filter((m) => !m.dynamic).map((m) => ({ url: m.url, name: m.name }));
}

export function groupInput(group: WorkerGroup): GroupInput {
  return {
    name: group.name,
    team: group.team,
    description: group.description,
    members: staticMembers(group),
    probe: group.probe,
  };
}

export function GroupFormModal({ open, group, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const client = useQueryClient();
  const { modal } = App.useApp();
  const feedback = useFeedback();
  const teams = useTeamOptions('edit');
  const probeOn = Form.useWatch('probeOn', form);
  const save = useMutation({
    mutationFn: (v: Values) => {
      const input: GroupInput = {
        name: v.name.trim(),
        team: v.team?.trim() ? v.team.trim() : null,
        description: v.description ?? '',
        members: group ? staticMembers(group) : [],
        probe: v.probeOn ? { path: v.probePath || '/healthz', intervalSec: v.probeIntervalSec || 10 } : null,
      };
      return group ? api.groups.replace(group.name, input) : api.groups.create(input);
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['groups'] });
      client.setQueryData(['group', saved.name], saved);
      feedback.ok(
        group ? t('groups.saved', { name: saved.name }) : t('groups.created', { name: saved.name }),
      );
      if (saved.secret) showSecret(modal, t, t('groups.secretTitle', { name: saved.name }), saved.secret);
      onSaved(saved);
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.field && ['name', 'team', 'description'].includes(error.field)) {
        form.setFields([{ name: error.field as keyof Values, errors: [error.message] }]);
      } else if (error instanceof ApiError && error.field?.startsWith('probe')) {
        form.setFields([{ name: 'probePath', errors: [error.message] }]);
      } else feedback.fail(error);
    },
  });
  return (
    <Modal
      open={open}
      title={group ? t('groups.editTitle', { name: group.name }) : t('groups.createTitle')}
      okText={group ? t('common.save') : t('groups.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          name: group?.name ?? '',
          team: group?.team ?? '',
          description: group?.description ?? '',
          probeOn: group?.probe != null,
          probePath: group?.probe?.path ?? '/healthz',
          probeIntervalSec: group?.probe?.intervalSec ?? 10,
        }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('groups.name')}
          extra={t('groups.help.name')}
          rules={[
            { required: true, message: t('editor.required') },
            { pattern: /^[a-z0-9][a-z0-9._-]*$/, message: t('editor.namePattern') },
          ]}
        >
          <Input data-testid="group-name" autoComplete="off" />
        </Form.Item>
        <Form.Item name="team" label={t('jobs.team')}>
          <AutoComplete options={teams.map((v) => ({ value: v }))} allowClear />
        </Form.Item>
        <Form.Item name="description" label={t('editor.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="probeOn"
          label={t('groups.probe')}
          extra={t('groups.help.probe')}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
        {probeOn && (
          <>
            <Form.Item
              name="probePath"
              label={t('groups.probePath')}
              rules={[{ pattern: /^\//, message: t('editor.pathSlash') }]}
            >
              <Input />
            </Form.Item>
            <Form.Item name="probeIntervalSec" label={t('groups.probeInterval')}>
              <InputNumber min={1} max={86_400} addonAfter="s" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
