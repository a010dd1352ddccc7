// The whole indicator library: each with its definition, run with its parameters, shown as a
// table and a chart.
import { t, industryName } from '../i18n.js';
import { h, fill, loading, empty, errorBox, grid, isNumericType, month } from '../ui.js';
import { drawChart, categoryOption } from '../chart.js';
import {
  indicatorLibrary, titleOf, parametersFor, runIndicator, definition, parameterForm, exportButtons, decimalsOf,
} from '../indicator.js';

/** A chart of an answer: the first text (or date) column as categories, numeric columns as series. */
export function autoChart(answer) {
  const categoryColumn = answer.columns.findIndex((column) => !isNumericType(column.type) && column.type !== 'boolean');
  if (categoryColumn < 0) return null;
  const numeric = answer.columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => isNumericType(column.type) && !/^(rank|enterprises|months)/.test(column.name));
  if (!numeric.length) return null;
  const rows = answer.rows.slice(0, 60);
  const byDate = answer.columns[categoryColumn].type === 'date';
  const label = (value) => (answer.columns[categoryColumn].name === 'key_industry' ? industryName(value) : byDate ? month(value) : value);
  return categoryOption({
    categories: rows.map((row) => label(row[categoryColumn])),
    series: numeric.slice(0, 4).map(({ column, index }) => ({
      name: t(`column.${column.name}`, {}, column.name), type: byDate ? 'line' : 'bar', values: rows.map((row) => row[index]),
    })),
  });
}

async function showIndicator(detail, indicator, params, ctx) {
  const parameters = parametersFor(indicator, Object.fromEntries([...params].filter(([key]) => key !== 'name')));
  const result = h('div', { class: 'result' }, loading(t('state.running')));
  fill(detail,
    h('h2', { id: 'indicator-title' }, titleOf(indicator)),
    h('div', { class: 'meta' }, `${indicator.name} · ${t('indicator.unit')}: ${indicator.unit}`),
    definition(indicator, parameters),
    parameterForm(indicator, parameters, (chosen) => ctx.navigate(ctx.current, { name: indicator.name, ...chosen })),
    exportButtons(indicator, parameters),
    result);
  detail.querySelector('details.definition').open = true;
  try {
    const answer = await runIndicator(indicator, parameters);
    if (!answer.rows.length) {
      fill(result, empty(t('state.no-data')));
      return;
    }
    const chartElement = h('div', { class: 'chart', id: 'indicator-chart' });
    const option = autoChart(answer);
    fill(result,
      option ? chartElement : null,
      answer.truncated ? h('p', { class: 'notice' }, t('sql.truncated', { rows: answer.row_count })) : null,
      grid(answer.columns, answer.rows, { decimals: decimalsOf(indicator), pageSize: 25 }));
    if (option) drawChart(chartElement, option);
  } catch (error) {
    fill(result, errorBox(error));
  }
}

export default {
  id: 'indicators',
  title: 'page.indicators',
  roles: ['admin', 'committee', 'centre'],
  async render(main, params, ctx) {
    fill(main, loading());
    const library = await indicatorLibrary();
    const chosen = library.find((indicator) => indicator.name === params.get('name'));
    const detail = h('section', { class: 'card', id: 'indicator-detail' });
    fill(main,
      h('h1', {}, t('page.indicators')),
      h('div', { class: 'split' },
        h('aside', { 'aria-label': t('page.indicators') }, h('ul', { id: 'indicator-list' }, library.map((indicator) =>
          h('li', {}, h('a', {
            href: `#/indicators?name=${encodeURIComponent(indicator.name)}`, 'data-name': indicator.name,
            'aria-current': indicator === chosen ? 'true' : null,
          }, titleOf(indicator)))))),
        detail));
    if (!chosen) {
      fill(detail, empty(params.get('name') ? t('error.no-indicator', { name: params.get('name') }) : t('indicators.choose')));
      return;
    }
    await showIndicator(detail, chosen, params, ctx);
  },
};
