/**
 * A small ECharts wrapper: one chart per element, resized with its box,
 * re-created when the theme changes, options replaced (not merged) when they
 * change. Only the chart types the console draws are bundled.
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';
import { usePreferences } from '../shell/preferences';

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;
export type ChartInstance = echarts.ECharts;
// biome-ignore lint/suspicious/noExplicitAny: ECharts hands each event its own params shape.
export type ChartHandler = (params: any, chart: ChartInstance) => void;

interface Props {
  option: ChartOption;
  style?: CSSProperties;
  /** Event name → handler (`click`, `datazoom`, …). */
  events?: Record<string, ChartHandler>;
  'data-testid'?: string;
  'aria-label'?: string;
}

export function EChart({ option, style, events, ...rest }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ChartInstance | null>(null);
  const { theme } = usePreferences();
  const eventsRef = useRef(events);
  eventsRef.current = events;

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, theme === 'dark' ? 'dark' : undefined);
    chart.current = instance;
    const names = Object.keys(eventsRef.current ?? {});
    for (const name of names) {
      instance.on(name, (params: unknown) => eventsRef.current?.[name]?.(params, instance));
    }
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new theme is a new chart, which needs the option again
  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option, theme]);

  return <div ref={element} role="img" style={{ width: '100%', height: 300, ...style }} {...rest} />;
}
