/** Errors in words: what went wrong and, where it helps, what to do. Never a blank page. */
import { Alert, Button, Result } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

export function describeError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network', { message: error.message });
    if (error.notOffered) return t('errors.notOffered');
    if (error.status === 403) return t('errors.forbidden', { message: error.message });
    if (error.status >= 500) return t('errors.server', { message: error.message });
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failed load, with a retry button; a feature the server lacks says so plainly. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  if (error instanceof ApiError && error.notOffered) {
    return <Result status="info" title={t('errors.notOfferedTitle')} subTitle={t('errors.notOffered')} />;
  }
  if (error instanceof ApiError && error.status === 403) {
    return <Result status="403" title={t('errors.forbiddenTitle')} subTitle={describeError(t, error)} />;
  }
  return (
    <Alert
      type="error"
      showIcon
      message={t('errors.loadFailed')}
      description={describeError(t, error)}
      action={
        retry ? (
          <Button size="small" onClick={retry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
