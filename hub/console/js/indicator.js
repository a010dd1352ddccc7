// The indicator library as the pages use it: definitions, runs with parameters, export.
import { request, withQuery, download } from './api.js';
import { t, getLang } from './i18n.js';
import { h, fill, errorBox } from './ui.js';

let library = null;

/** Returns the library's indicators (fetched once per page load). */
export async function indicatorLibrary() {
  if (!library) {
    library = request('/api/indicators').catch((error) => {
      library = null;
      throw error;
    });
  }
  return library;
}

export async function indicatorNamed(name) {
  const found = (await indicatorLibrary()).find((indicator) => indicator.name === name);
  if (!found) throw new Error(t('error.no-indicator', { name }));
  return found;
}

export function titleOf(indicator) {
  return getLang() === 'zh' ? indicator.title_zh : indicator.title_en;
}

export function formulaOf(indicator) {
  return getLang() === 'zh' ? indicator.formula_zh : indicator.formula_en;
}

/** Keeps only the parameters the indicator declares, without empty values. */
export function parametersFor(indicator, values) {
  const chosen = {};
  for (const parameter of indicator.parameters) {
    const value = values[parameter.name];
    if (value !== undefined && value !== null && value !== '') chosen[parameter.name] = value;
  }
  return chosen;
}

/** Runs an indicator; resolves with the API's answer (`columns`, `rows`, …). */
export function runIndicator(indicator, parameters, signal) {
  return request(withQuery(`/api/indicators/${encodeURIComponent(indicator.name)}`, parameters), { signal });
}

/** Returns the column index of `name` in an answer, or -1. */
export function columnIndex(answer, name) {
  return answer.columns.findIndex((column) => column.name === name);
}

/** Returns the digits a column of the indicator is shown with. */
export function decimalsOf(indicator) {
  return (column) => indicator.decimals?.columns?.[column] ?? indicator.decimals?.default ?? 2;
}

/** The definition (口径), unit, grain and parameters of an indicator, folded. */
export function definition(indicator, parameters) {
  return h('details', { class: 'definition' },
    h('summary', {}, t('indicator.definition')),
    h('p', {}, formulaOf(indicator)),
    h('p', { class: 'muted' }, indicator.description),
    h('p', {}, h('strong', {}, `${t('indicator.unit')}: `), indicator.unit),
    h('p', {}, h('strong', {}, `${t('indicator.grain')}: `), indicator.grain),
    indicator.parameters.length ? h('ul', {}, indicator.parameters.map((parameter) =>
      h('li', {}, h('code', {}, parameter.name), ` = ${parameters?.[parameter.name] ?? parameter.default ?? ''}`,
        h('span', { class: 'muted' }, ` (${parameter.type}; ${t('indicator.default')} ${parameter.default ?? '—'}) ${parameter.description || ''}`))))
      : h('p', { class: 'muted' }, t('indicator.no-parameters')));
}

/**
 * A form with one input per parameter of the indicator; `onApply(values)` gets the values
 * typed (empty ones left out, so the indicator's default applies).
 */
export function parameterForm(indicator, values, onApply) {
  const inputs = indicator.parameters.map((parameter) => {
    const input = h('input', {
      name: parameter.name,
      value: values[parameter.name] ?? '',
      placeholder: String(parameter.default ?? ''),
      inputmode: parameter.type === 'int' || parameter.type === 'float' ? 'decimal' : null,
    });
    return { parameter, input };
  });
  if (!inputs.length) return null;
  return h('form', {
    class: 'toolbar parameters',
    onsubmit: (event) => {
      event.preventDefault();
      const chosen = {};
      for (const { parameter, input } of inputs) {
        if (input.value.trim()) chosen[parameter.name] = input.value.trim();
      }
      onApply(chosen);
    },
  },
  inputs.map(({ parameter, input }) => h('label', { title: parameter.description }, parameter.name, input)),
  h('button', { type: 'submit' }, t('indicator.run')));
}

/** Buttons that download the indicator's answer (with the same parameters) as CSV and XLSX. */
export function exportButtons(indicator, parameters) {
  const status = h('span', { class: 'export-status', 'aria-live': 'polite' });
  const path = withQuery(`/api/indicators/${encodeURIComponent(indicator.name)}`, parameters);
  const button = (format) => h('button', {
    class: 'secondary', 'data-export': format,
    onclick: async () => {
      fill(status, t('export.preparing'));
      try {
        await download(path, format, indicator.name);
        fill(status);
      } catch (error) {
        fill(status, errorBox(error));
      }
    },
  }, t(`export.${format}`));
  return h('span', { class: 'toolbar export' }, button('csv'), button('xlsx'), status);
}
