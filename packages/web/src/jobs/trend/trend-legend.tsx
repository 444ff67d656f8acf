/**
 * The trend chart's legend, drawn in HTML with the chart's own marks: which
 * outcome each mark means, how many runs of each the window holds, and a
 * click to hide or show one kind.
 */
import { Space, Typography, theme } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { KIND_STYLE, TREND_KINDS, type TrendKind } from './trend-kinds';

/** An ECharts symbol as SVG: built-in shapes, or `path://…` drawn in a 20×20 box. */
function KindMark({ kind }: { kind: TrendKind }) {
  const style = KIND_STYLE[kind];
  const { color, symbol } = style;
  let shape: ReactNode;
  if (symbol.startsWith('path://')) shape = <path d={symbol.slice('path://'.length)} fill={color} />;
  else if (style.bar) shape = <rect x={8} y={0} width={4} height={20} fill={color} />;
  else if (symbol === 'diamond') shape = <path d="M10,2 L18,10 L10,18 L2,10 Z" fill={color} />;
  else if (symbol === 'rect') shape = <rect x={4} y={4} width={12} height={12} fill={color} />;
  else shape = <circle cx={10} cy={10} r={6} fill={color} />;
  return (
    <svg width={14} height={14} viewBox="0 0 20 20" aria-hidden style={{ verticalAlign: '-2px' }}>
      {shape}
    </svg>
  );
}

interface Props {
  counts: Record<TrendKind, number>;
  hidden: ReadonlySet<TrendKind>;
  onToggle(kind: TrendKind): void;
  /** Counts are of points (one per bucket), not of runs: leave them out. */
  bucketed: boolean;
}

export function TrendLegend({ counts, hidden, onToggle, bucketed }: Props) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const shown = TREND_KINDS.filter((k) => counts[k] > 0);
  return (
    <Space wrap size={[16, 4]} style={{ marginBottom: 4 }} data-testid="trend-legend">
      {shown.map((kind) => {
        const off = hidden.has(kind);
        return (
          <button
            key={kind}
            type="button"
            onClick={() => onToggle(kind)}
            aria-pressed={!off}
            title={off ? t('trend.showKind') : t('trend.hideKind')}
            data-testid={`trend-kind-${kind}`}
            data-count={counts[kind]}
            style={{
              all: 'unset',
              cursor: 'pointer',
              opacity: off ? 0.4 : 1,
              color: token.colorText,
              fontSize: 12,
            }}
          >
            <KindMark kind={kind} /> {t(`trend.kind.${kind}`)}
            {!bucketed && <Typography.Text type="secondary"> {counts[kind]}</Typography.Text>}
          </button>
        );
      })}
    </Space>
  );
}
