// The committee's dashboard: the key industries' indicators as charts, with the definition,
// unit and parameters of each, parameters that can be changed, and CSV/XLSX export.
import { t, industryName, statusName, levelName, fundSourceName } from '../i18n.js';
import { request } from '../api.js';
import { h, fill, loading, empty, errorBox, month } from '../ui.js';
import { drawChart, categoryOption } from '../chart.js';
import {
  indicatorNamed, titleOf, parametersFor, runIndicator, columnIndex, definition, parameterForm, exportButtons,
} from '../indicator.js';

const PARK = 'all';

/** Rows of a by-industry answer without the park total, narrowed to the chosen industry. */
function industryRows(answer, industry) {
  const column = columnIndex(answer, 'key_industry');
  return answer.rows.filter((row) => row[column] !== PARK && (!industry || row[column] === industry));
}

/**
 * The latest month in which at least half as many enterprises reported as in the busiest
 * month: the month still being submitted (or a stray early row) is not taken as the latest.
 */
function latestFullMonth(answer) {
  const period = columnIndex(answer, 'period');
  const industry = columnIndex(answer, 'key_industry');
  const enterprises = columnIndex(answer, 'enterprises');
  const park = answer.rows.filter((row) => row[industry] === PARK);
  const busiest = Math.max(0, ...park.map((row) => row[enterprises] || 0));
  return park.filter((row) => (row[enterprises] || 0) * 2 >= busiest)
    .reduce((max, row) => (row[period] > max ? row[period] : max), '');
}

function values(answer, rows, name) {
  const column = columnIndex(answer, name);
  return rows.map((row) => row[column]);
}

/**
 * A bar chart of a by-industry answer: one category per key industry (the park total left
 * out, narrowed to `industry`), one series per column of `columns` (`{column, name}`).
 */
function industryBars(answer, industry, columns, options = {}) {
  const rows = industryRows(answer, industry);
  return categoryOption({
    categories: values(answer, rows, 'key_industry').map(industryName),
    series: columns.map(({ column, name }) => ({ name: name ?? t(`column.${column}`), values: values(answer, rows, column) })),
    ...options,
  });
}

const CARDS = [
  {
    id: 'output-trend', indicator: 'output_by_industry', subtitle: 'dashboard.output-trend',
    chart(answer, { industry }) {
      const rows = industryRows(answer, industry);
      const periodColumn = columnIndex(answer, 'period');
      const industryColumn = columnIndex(answer, 'key_industry');
      const months = [...new Set(rows.map((row) => month(row[periodColumn])))].sort();
      const industries = [...new Set(rows.map((row) => row[industryColumn]))];
      const output = columnIndex(answer, 'output_value');
      return categoryOption({
        categories: months, unit: t('unit.10k-yuan'),
        series: industries.map((code) => ({
          name: industryName(code), type: 'line',
          values: months.map((m) => rows.find((row) => row[industryColumn] === code && month(row[periodColumn]) === m)?.[output] ?? null),
        })),
      });
    },
  },
  {
    id: 'added-value', indicator: 'output_by_industry', subtitle: 'dashboard.latest-month',
    chart(answer, { industry }) {
      const periodColumn = columnIndex(answer, 'period');
      const all = industryRows(answer, industry);
      const latest = latestFullMonth(answer);
      const rows = all.filter((row) => row[periodColumn] === latest);
      return {
        ...categoryOption({
          categories: values(answer, rows, 'key_industry').map(industryName), unit: t('unit.10k-yuan'),
          series: [
            { name: t('column.output_value'), values: values(answer, rows, 'output_value') },
            { name: t('column.added_value'), values: values(answer, rows, 'added_value') },
          ],
        }),
        title: { text: month(latest), right: 8, top: 0, textStyle: { fontSize: 12, color: '#5b6775' } },
      };
    },
  },
  {
    id: 'energy-intensity', indicator: 'energy_intensity_by_industry',
    chart(answer, { industry }) {
      return industryBars(answer, industry,
        [{ column: 'energy_intensity' }, { column: 'median_enterprise_intensity' }], { unit: t('unit.tce-per-10k') });
    },
  },
  {
    id: 'per-mu', indicator: 'output_per_mu_by_industry',
    chart(answer, { industry }) {
      return industryBars(answer, industry,
        [{ column: 'output_per_mu' }, { column: 'tax_per_mu' }], { unit: t('unit.10k-yuan-per-mu') });
    },
  },
  {
    id: 'digital-levels', indicator: 'digital_levels',
    chart(answer, { industry }) {
      const first = answer.rows[0] || [];
      const target = (column) => first[columnIndex(answer, column)];
      return industryBars(answer, industry,
        [{ column: 'key_process_cnc_rate' }, { column: 'digital_rd_tool_rate' }], {
          percent: true, unit: '%',
          markLines: [
            { name: `${t('dashboard.cnc-target')} ${Math.round(target('cnc_target') * 100)}%`, value: target('cnc_target') },
            { name: `${t('dashboard.rd-target')} ${Math.round(target('rd_tool_target') * 100)}%`, value: target('rd_tool_target'), color: '#e07b00' },
          ],
        });
    },
  },
  {
    id: 'maturity', indicator: 'maturity_distribution',
    chart(answer, { industry }) {
      return industryBars(answer, industry,
        [1, 2, 3, 4, 5].map((level) => ({ column: `level_${level}`, name: t(`maturity.${level}`) })),
        { stack: true, unit: t('unit.enterprises') });
    },
  },
  {
    id: 'projects', indicator: 'projects_by_level',
    chart(answer) {
      const level = columnIndex(answer, 'level');
      const status = columnIndex(answer, 'status');
      const projects = columnIndex(answer, 'projects');
      const levels = ['point', 'line', 'area'].filter((code) => answer.rows.some((row) => row[level] === code));
      const statuses = [...new Set(answer.rows.map((row) => row[status]))].sort();
      return categoryOption({
        categories: levels.map(levelName), stack: true, unit: t('unit.projects'),
        series: statuses.map((code) => ({
          name: statusName(code),
          values: levels.map((l) => answer.rows.filter((row) => row[level] === l && row[status] === code)
            .reduce((sum, row) => sum + (row[projects] || 0), 0)),
        })),
      });
    },
  },
  {
    id: 'funds', indicator: 'fund_execution_by_source',
    chart(answer) {
      const rows = answer.rows;
      return categoryOption({
        categories: values(answer, rows, 'fund_source').map(fundSourceName), unit: t('unit.10k-yuan'),
        series: [
          { name: t('column.granted_total'), values: values(answer, rows, 'granted_total') },
          { name: t('column.disbursed'), values: values(answer, rows, 'disbursed') },
        ],
      });
    },
  },
];

/** Returns the last day of a `YYYY-MM` month as `YYYY-MM-DD`. */
function monthEnd(text) {
  const [year, monthNumber] = text.split('-').map(Number);
  const last = new Date(Date.UTC(year, monthNumber, 0));
  return last.toISOString().slice(0, 10);
}

/** The parameters the dashboard's filters give an indicator, then the card's own overrides. */
function cardParameters(indicator, params) {
  const fromFilters = {
    from: params.get('from') || undefined,
    to: params.get('to') || undefined,
    as_of: params.get('to') ? monthEnd(params.get('to')) : undefined,
    zone: params.get('zone') || undefined,
    key_industry: params.get('industry') || undefined,
  };
  const overrides = {};
  for (const [key, value] of params) {
    const prefix = `${indicator.name}.`;
    if (key.startsWith(prefix)) overrides[key.slice(prefix.length)] = value;
  }
  return parametersFor(indicator, { ...fromFilters, ...overrides });
}

async function zones() {
  try {
    const answer = await request('/api/sql', { method: 'POST', json: { sql: 'SELECT DISTINCT zone FROM enterprises WHERE zone IS NOT NULL ORDER BY zone' } });
    return answer.rows.map((row) => row[0]);
  } catch {
    return [];
  }
}

const INDUSTRIES = ['petrochemicals', 'iron_steel', 'nonferrous', 'building_materials', 'machinery', 'food', 'light_industry', 'textiles', 'other'];

function filters(params, zoneList, ctx) {
  const apply = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const next = new URLSearchParams(params);
    for (const name of ['from', 'to', 'industry', 'zone']) {
      const value = form.elements[name].value;
      if (value) next.set(name, value); else next.delete(name);
    }
    ctx.navigate(ctx.current, next);
  };
  return h('form', { class: 'toolbar filters', id: 'filters', onsubmit: apply },
    h('label', {}, t('filter.from'), h('input', { type: 'month', name: 'from', value: params.get('from') || '' })),
    h('label', {}, t('filter.to'), h('input', { type: 'month', name: 'to', value: params.get('to') || '' })),
    h('label', {}, t('filter.industry'), h('select', { name: 'industry' },
      h('option', { value: '' }, t('filter.all-industries')),
      INDUSTRIES.map((code) => h('option', { value: code, selected: params.get('industry') === code }, industryName(code))))),
    h('label', {}, t('filter.zone'), h('select', { name: 'zone' },
      h('option', { value: '' }, t('filter.whole-park')),
      zoneList.map((zone) => h('option', { value: zone, selected: params.get('zone') === zone }, zone)))),
    h('button', { type: 'submit' }, t('filter.apply')));
}

function chipsOf(indicator, parameters) {
  const names = indicator.parameters.map((parameter) => parameter.name);
  return h('div', { class: 'chips' },
    names.length ? indicator.parameters.map(({ name, default: fallback }) => h('span', { class: 'chip', 'data-parameter': name },
      parameters[name] !== undefined ? `${name} = ${parameters[name]}` : `${name} = ${t('indicator.default')} ${fallback ?? ''}`))
      : h('span', { class: 'chip' }, t('indicator.no-parameters')));
}

async function drawCard(card, cardElement, params, answers, ctx) {
  const indicator = await indicatorNamed(card.indicator);
  const parameters = cardParameters(indicator, params);
  const body = h('div', { class: 'card-body' }, loading());
  const chartElement = h('div', { class: 'chart', id: `chart-${card.id}`, 'aria-label': titleOf(indicator) });
  const adjust = parameterForm(indicator, parameters, (chosen) => {
    const next = new URLSearchParams(params);
    for (const key of [...next.keys()]) if (key.startsWith(`${indicator.name}.`)) next.delete(key);
    for (const [name, value] of Object.entries(chosen)) next.set(`${indicator.name}.${name}`, value);
    ctx.navigate(ctx.current, next);
  });
  fill(cardElement,
    h('h2', {}, titleOf(indicator)),
    card.subtitle ? h('div', { class: 'meta' }, t(card.subtitle)) : null,
    h('div', { class: 'meta' }, `${t('indicator.unit')}: ${indicator.unit}`),
    chipsOf(indicator, parameters),
    definition(indicator, parameters),
    adjust ? h('details', { class: 'adjust' }, h('summary', {}, t('indicator.change-parameters')), adjust) : null,
    exportButtons(indicator, parameters),
    body);
  const key = `${indicator.name}?${new URLSearchParams(parameters)}`;
  if (!answers.has(key)) answers.set(key, runIndicator(indicator, parameters));
  try {
    const answer = await answers.get(key);
    const option = card.chart(answer, { industry: params.get('industry') || '' });
    const points = (option.series || []).reduce((sum, series) =>
      sum + (series.data || []).filter((value) => value !== null && value !== undefined).length, 0);
    if (!answer.rows.length || points === 0) {
      fill(body, empty(t('state.no-data')));
      return;
    }
    fill(body, chartElement);
    drawChart(chartElement, option);
  } catch (error) {
    fill(body, errorBox(error));
  }
}

export default {
  id: 'dashboard',
  title: 'page.dashboard',
  roles: ['admin', 'committee'],
  async render(main, params, ctx) {
    const grid = h('div', { class: 'cards' });
    const cardElements = CARDS.map((card) => h('section', { class: 'card', id: `card-${card.id}`, 'data-indicator': card.indicator }, loading()));
    fill(main, h('h1', {}, t('page.dashboard')), h('div', { id: 'filters-slot' }), grid);
    fill(grid, cardElements);
    const answers = new Map();
    zones().then((zoneList) => fill(main.querySelector('#filters-slot'), filters(params, zoneList, ctx)));
    await Promise.all(CARDS.map((card, index) => drawCard(card, cardElements[index], params, answers, ctx)
      .catch((error) => fill(cardElements[index], errorBox(error)))));
  },
};
