// ECharts, vendored (vendor/echarts): one chart per element, resized with its box.
import * as echarts from '../vendor/echarts/echarts.esm.min.mjs';
import { getLang } from './i18n.js';

const charts = new WeakMap();
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) charts.get(entry.target)?.resize();
});

/** The time from navigation to the first chart drawn with data, for the browser tests. */
window.parkhubTiming = window.parkhubTiming || {};

/**
 * Draws `option` into `element` (a `.chart` div). The element's `data-points` says how many
 * data points the chart shows, so a test (or a person) can tell an empty chart from a full one.
 */
export function drawChart(element, option) {
  let chart = charts.get(element);
  if (!chart) {
    chart = echarts.init(element, null, { renderer: 'canvas', locale: getLang() === 'zh' ? 'ZH' : 'EN' });
    charts.set(element, chart);
    observer.observe(element);
  }
  const points = (option.series || []).reduce((sum, series) => sum + (series.data?.length || 0), 0);
  element.dataset.points = String(points);
  element.setAttribute('role', 'img');
  chart.setOption({ animation: false, ...option }, true);
  if (points > 0 && window.parkhubTiming.firstChartMs === undefined) {
    window.parkhubTiming.firstChartMs = performance.now();
  }
  return chart;
}

/** The colours of the charts (and of the score bars), in order. */
export const PALETTE = ['#1f5fa8', '#e07b00', '#2e8b57', '#b3261e', '#7b4fa0', '#0f8c8c', '#8a6d1e', '#5b6775', '#c2185b', '#3f51b5'];

/** A category chart: one series per `series` entry, `{name, values, type}` over `categories`. */
export function categoryOption({ categories, series, horizontal = false, stack = false, percent = false, unit, markLines = [] }) {
  const valueAxis = {
    type: 'value', name: unit, nameTextStyle: { align: 'left' },
    axisLabel: percent ? { formatter: (value) => `${Math.round(value * 100)}%` } : {},
  };
  const categoryAxis = { type: 'category', data: categories, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis', valueFormatter: (value) => formatTooltip(value, percent) },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 8, right: 24, top: 52, bottom: 8, containLabel: true },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: series.map((one, index) => ({
      name: one.name,
      type: one.type || 'bar',
      stack: stack ? 'total' : undefined,
      data: one.values,
      showSymbol: false,
      markLine: index === 0 && markLines.length ? {
        symbol: 'none', label: { formatter: '{b}' },
        data: markLines.map((line) => ({ name: line.name, [horizontal ? 'xAxis' : 'yAxis']: line.value,
          lineStyle: { color: line.color || '#b3261e', type: 'dashed' } })),
      } : undefined,
    })),
  };
}

function formatTooltip(value, percent) {
  if (typeof value !== 'number') return value ?? '—';
  if (percent) return `${(value * 100).toFixed(1)}%`;
  return value.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2 });
}
