// One catalog entry: its fields, and for the centre role a form to add or edit it, checked by
// the table's contract in the hub with each field's error shown beside the field.
import { t } from '../i18n.js';
import { request } from '../api.js';
import { h, fill, loading, errorBox } from '../ui.js';
import { CURATORS } from './catalog.js';

const TABLES = { application: 'shared_applications', offering: 'service_offerings', provider: 'service_providers' };
const LONG_TEXT = /description|cases|summary|intro|qualifications/;

/**
 * Splits the hub's message on an invalid entry ("invalid offering: name is required but empty;
 * price_min: 'abc' is not a number") into the error of each field it names.
 */
export function fieldErrors(message, columns) {
  const errors = {};
  const body = String(message || '').replace(/^invalid \w+: /, '');
  for (const part of body.split(/;\s*/)) {
    const column = columns.find((name) => part.startsWith(`${name}:`) || part.startsWith(`${name} `));
    if (column) errors[column] = errors[column] ? `${errors[column]}; ${part}` : part;
  }
  return errors;
}

async function columnsOf(kind) {
  const tables = await request('/api/tables');
  const table = tables.find((candidate) => candidate.name === TABLES[kind]);
  if (!table) throw new Error(t('error.no-table', { table: TABLES[kind] }));
  return table.columns.filter((column) => !column.name.startsWith('_'));
}

function inputFor(column, value) {
  const attributes = { name: column.name, id: `field-${column.name}`, 'aria-describedby': `error-${column.name}` };
  if (column.allowed?.length) {
    return h('select', attributes, h('option', { value: '' }, '—'),
      column.allowed.map((option) => h('option', { value: option, selected: value === option }, option)));
  }
  if (LONG_TEXT.test(column.name)) return h('textarea', { ...attributes, rows: 4, value: value ?? '' });
  const type = /int|float|decimal|double/.test(column.type) ? 'number' : column.type === 'date' ? 'date' : 'text';
  return h('input', { ...attributes, type, step: type === 'number' ? 'any' : null, value: value ?? '' });
}

function valueOf(column, input) {
  const text = input.value.trim();
  if (text === '') return null;
  if (/int|float|decimal|double/.test(column.type)) {
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }
  return text;
}

async function editForm(main, kind, id, current, ctx) {
  const columns = await columnsOf(kind);
  const inputs = new Map();
  const errors = new Map();
  const feedback = h('div', { 'aria-live': 'polite', id: 'entry-feedback' });
  const form = h('form', {
    class: 'entry', id: 'entry-form', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      const record = {};
      for (const column of columns) record[column.name] = valueOf(column, inputs.get(column.name));
      for (const element of errors.values()) fill(element);
      fill(feedback, loading(t('entry.saving')));
      try {
        const saved = id
          ? await request(`/api/catalog/${kind}/${encodeURIComponent(id)}`, { method: 'PUT', json: record })
          : await request(`/api/catalog/${kind}`, { method: 'POST', json: record });
        const savedId = saved?.id || id || record[columns[0].name];
        ctx.navigate('entry', { kind, id: savedId, saved: '1' });
      } catch (error) {
        const byField = fieldErrors(error.message, columns.map((column) => column.name));
        for (const [name, message] of Object.entries(byField)) fill(errors.get(name), message);
        fill(feedback, errorBox(error));
        const first = Object.keys(byField)[0];
        if (first) inputs.get(first).focus();
      }
    },
  }, columns.map((column) => {
    const input = inputFor(column, current?.[column.name]);
    inputs.set(column.name, input);
    const error = h('span', { class: 'field-error', id: `error-${column.name}`, 'data-field': column.name });
    errors.set(column.name, error);
    return h('label', { class: LONG_TEXT.test(column.name) ? 'wide' : null, title: column.description || null },
      column.required ? `${column.name} *` : column.name, input, column.description ? h('span', { class: 'muted' }, column.description) : null, error);
  }), h('div', { class: 'toolbar wide' },
    h('button', { type: 'submit', id: 'entry-save' }, t('entry.save')),
    h('a', { href: id ? `#/entry?kind=${kind}&id=${encodeURIComponent(id)}` : '#/catalog' }, t('entry.cancel'))));
  fill(main,
    h('h1', {}, id ? t('entry.edit', { id }) : t('entry.new', { kind: t(`kind.${kind}`) })),
    id ? null : h('div', { class: 'toolbar' }, Object.keys(TABLES).map((other) =>
      h('a', { href: `#/entry?new=${other}`, 'aria-current': other === kind ? 'true' : null }, t(`kind.${other}`)))),
    form, feedback);
}

export default {
  id: 'entry',
  title: 'page.entry',
  nav: false,
  roles: ['admin', 'committee', 'centre', 'enterprise'],
  async render(main, params, ctx) {
    const curator = CURATORS.includes(ctx.me.role);
    const newKind = params.get('new');
    if (newKind) {
      if (!curator || !TABLES[newKind]) {
        fill(main, errorBox({ message: t('error.not-for-role', { role: t(`role.${ctx.me.role}`) }) }));
        return;
      }
      await editForm(main, newKind, null, null, ctx);
      return;
    }
    const kind = params.get('kind');
    const id = params.get('id');
    fill(main, loading());
    const answer = await request(`/api/catalog/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`);
    if (params.get('edit') && curator) {
      await editForm(main, kind, id, answer.entry, ctx);
      return;
    }
    const entry = answer.entry;
    const title = entry.name || entry.title || id;
    fill(main,
      h('p', {}, h('a', { href: '#/catalog' }, t('entry.back'))),
      params.get('saved') ? h('p', { class: 'notice', id: 'entry-saved' }, t('entry.saved')) : null,
      h('h1', { id: 'entry-title' }, title),
      h('div', { class: 'meta' }, `${t(`kind.${kind}`)} · ${id} · ${answer.indexed ? t('entry.indexed') : t('entry.not-indexed')}`),
      curator ? h('p', {}, h('a', { href: `#/entry?kind=${kind}&id=${encodeURIComponent(id)}&edit=1`, id: 'entry-edit' }, t('entry.edit-link'))) : null,
      h('dl', { class: 'entry card' }, Object.entries(entry).map(([name, value]) =>
        [h('dt', {}, t(`column.${name}`, {}, name)), h('dd', {}, value === null ? '—' : String(value))])));
  },
};
