// Freshness, for the committee: which enterprises have not yet submitted the reporting
// period's production or energy data, and when each last did.
import { t } from '../i18n.js';
import { h, fill, loading, empty, errorBox, grid } from '../ui.js';
import { drawChart, categoryOption } from '../chart.js';
import {
  indicatorNamed, parametersFor, runIndicator, columnIndex, definition, parameterForm, exportButtons, decimalsOf,
} from '../indicator.js';

const INDICATOR = 'submission_freshness';

export default {
  id: 'freshness',
  title: 'page.freshness',
  roles: ['admin', 'committee'],
  async render(main, params, ctx) {
    fill(main, h('h1', {}, t('page.freshness')), loading());
    const indicator = await indicatorNamed(INDICATOR);
    const parameters = parametersFor(indicator, Object.fromEntries(params));
    const onlyLate = params.get('late') !== '0';
    const result = h('div', { id: 'freshness-result' }, loading(t('state.running')));
    const toggle = h('label', { class: 'inline' }, h('input', {
      type: 'checkbox', id: 'freshness-only-late', checked: onlyLate,
      onchange: (event) => ctx.navigate(ctx.current, { ...parameters, late: event.target.checked ? '1' : '0' }),
    }), t('freshness.only-late'));
    fill(main,
      h('h1', {}, t('page.freshness')),
      h('p', { class: 'muted' }, t('freshness.intro')),
      definition(indicator, parameters),
      parameterForm(indicator, parameters, (chosen) => ctx.navigate(ctx.current, { ...chosen, late: onlyLate ? '1' : '0' })),
      h('div', { class: 'toolbar' }, toggle, exportButtons(indicator, parameters)),
      result);
    try {
      const answer = await runIndicator(indicator, parameters);
      const production = columnIndex(answer, 'production_late');
      const energy = columnIndex(answer, 'energy_late');
      const isLate = (row) => row[production] === true || row[energy] === true;
      const late = answer.rows.filter(isLate);
      const rows = onlyLate ? late : answer.rows;
      const chartElement = h('div', { class: 'chart', id: 'freshness-chart', style: 'height:220px' });
      const lateProduction = answer.rows.filter((row) => row[production] === true).length;
      const lateEnergy = answer.rows.filter((row) => row[energy] === true).length;
      fill(result,
        h('div', { class: 'numbers' },
          h('div', {}, t('freshness.enterprises'), h('strong', { id: 'freshness-total' }, String(answer.rows.length))),
          h('div', {}, t('freshness.late-production'), h('strong', { id: 'freshness-late-production' }, String(lateProduction))),
          h('div', {}, t('freshness.late-energy'), h('strong', { id: 'freshness-late-energy' }, String(lateEnergy)))),
        chartElement,
        rows.length ? grid(answer.columns, rows, {
          pageSize: 25, decimals: decimalsOf(indicator), rowClass: (row) => (isLate(row) ? 'late' : null),
        }) : empty(t('freshness.none-late')));
      drawChart(chartElement, categoryOption({
        categories: [t('freshness.production'), t('freshness.energy')], horizontal: true, stack: true,
        unit: t('unit.enterprises'),
        series: [
          { name: t('freshness.on-time'), values: [answer.rows.length - lateProduction, answer.rows.length - lateEnergy] },
          { name: t('freshness.late'), values: [lateProduction, lateEnergy] },
        ],
      }));
    } catch (error) {
      fill(result, errorBox(error));
    }
  },
};
