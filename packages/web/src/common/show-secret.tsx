/** A secret or token shown once, copyable, with the warning that it will not be shown again. */
import { Alert, Typography } from 'antd';
import type { ModalStaticFunctions } from 'antd/es/modal/confirm';
import type { TFunction } from 'i18next';
import { MONO } from './json-input';

export function showSecret(
  modal: Omit<ModalStaticFunctions, 'warn'>,
  t: TFunction,
  title: string,
  secret: string,
  once = true,
) {
  modal.info({
    title,
    width: 560,
    okText: t('common.done'),
    content: (
      <>
        {once && (
          <Alert type="warning" showIcon message={t('secret.onlyOnce')} style={{ marginBottom: 12 }} />
        )}
        <Typography.Paragraph
          copyable={{ text: secret }}
          style={{ ...MONO, wordBreak: 'break-all' }}
          data-testid="secret-value"
        >
          {secret}
        </Typography.Paragraph>
      </>
    ),
  });
}
