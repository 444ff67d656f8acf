/** Every action confirms what happened, or says in words why it did not. */
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from './api-error';

export function useFeedback() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return {
    ok: (text: string) => void message.success(text),
    fail: (error: unknown) => void message.error(describeError(t, error), 6),
  };
}
