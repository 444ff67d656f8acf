/** Previous / next for a cursor list, with the page size. */
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { type CursorState, hasPrevious, pageNumber } from './cursor-stack';

export const PAGE_SIZES = [20, 50, 100, 200] as const;

interface Props {
  state: CursorState;
  nextCursor: string | null | undefined;
  onPrevious(): void;
  onNext(cursor: string): void;
  limit: number;
  onLimit(limit: number): void;
  loading?: boolean;
  testId?: string;
}

export function CursorPager({
  state,
  nextCursor,
  onPrevious,
  onNext,
  limit,
  onLimit,
  loading,
  testId,
}: Props) {
  const { t } = useTranslation();
  const page = pageNumber(state);
  return (
    <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }} data-testid={testId}>
      <Typography.Text type="secondary">
        {page === null ? t('pager.pageUnknown') : t('pager.page', { page })}
      </Typography.Text>
      <Button icon={<LeftOutlined />} disabled={!hasPrevious(state) || loading} onClick={onPrevious}>
        {t('pager.previous')}
      </Button>
      <Button disabled={!nextCursor || loading} onClick={() => nextCursor && onNext(nextCursor)}>
        {t('pager.next')} <RightOutlined />
      </Button>
      <Select
        value={limit}
        onChange={onLimit}
        aria-label={t('pager.pageSize')}
        options={PAGE_SIZES.map((n) => ({ value: n, label: t('pager.perPage', { count: n }) }))}
        style={{ width: 120 }}
      />
    </Space>
  );
}
