import { Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';

interface Props {
  open: boolean;
  busy: boolean;
  onClose(): void;
  onAdd(member: { url: string; name: string | null }): void;
}

export function AddMemberModal({ open, busy, onClose, onAdd }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ url: string; name: string }>();
  return (
    <Modal
      open={open}
      title={t('groups.addMember')}
      okText={t('groups.addMember')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) => onAdd({ url: v.url.trim().replace(/\/+$/, ''), name: v.name?.trim() || null })}
      >
        <Form.Item
          name="url"
          label={t('groups.memberUrl')}
          extra={t('groups.help.memberUrl')}
          rules={[
            { required: true, message: t('editor.required') },
            { pattern: /^https?:\/\//, message: t('editor.urlPattern') },
          ]}
        >
          <Input placeholder="http://10.0.0.7:9090" data-testid="member-url" />
        </Form.Item>
        <Form.Item name="name" label={t('groups.memberName')}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
