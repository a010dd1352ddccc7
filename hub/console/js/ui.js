// Small DOM helpers shared by the pages: building elements, states, grids and number formats.
import { t, columnLabel, getLang, industryName } from './i18n.js';

/**
 * Builds an element: `h('button', {class: 'x', onclick: f}, 'text', child)`. Attributes whose
 * value is null, undefined or false are left out; children may be strings, nodes or arrays.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in element) {
      element.value = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function loading(text = t('state.loading')) {
  return h('p', { class: 'state loading', role: 'status' }, text);
}

export function empty(text) {
  return h('p', { class: 'state empty' }, text);
}

/** Shows an error as a message: what the API said, with its code. */
export function errorBox(error) {
  const message = error?.message || String(error);
  return h('div', { class: 'error', role: 'alert' },
    message,
    error?.code ? h('div', { class: 'code' }, `${error.code}${error.status ? ` · HTTP ${error.status}` : ''}`) : null);
}

/**
 * Text with the `<em>` highlights of a search snippet, everything else escaped: the snippet's
 * own markup is the only markup that reaches the page.
 */
export function highlighted(snippet) {
  const span = h('span', { class: 'snippet' });
  const parts = String(snippet || '').split(/(<em>|<\/em>)/);
  let emphasised = false;
  for (const part of parts) {
    if (part === '<em>') { emphasised = true; continue; }
    if (part === '</em>') { emphasised = false; continue; }
    if (part) span.append(emphasised ? h('em', {}, part) : document.createTextNode(part));
  }
  return span;
}

const NUMERIC = /^(u?int|float|decimal|double)/i;

export function isNumericType(type) {
  return NUMERIC.test(type || '');
}

/** Formats a cell for reading: numbers by the locale with `decimals`, nulls as a dash. */
export function formatValue(value, type, decimals) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? t('value.yes') : t('value.no');
  if (typeof value === 'number') {
    const digits = Number.isInteger(value) && !/float|decimal|double/i.test(type || '') ? 0 : (decimals ?? 2);
    return value.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-US', {
      minimumFractionDigits: 0, maximumFractionDigits: digits,
    });
  }
  return String(value);
}

/**
 * A paged table of an answer (`columns` as the API gives them, `rows` as arrays). Returns the
 * element; `decimals(column)` gives the digits a column is shown with.
 */
export function grid(columns, rows, { pageSize = 50, decimals = () => 2, rowClass, caption } = {}) {
  const wrap = h('div', { class: 'grid-block' });
  let page = 0;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const draw = () => {
    const start = page * pageSize;
    const visible = rows.slice(start, start + pageSize);
    const table = h('table', { class: 'grid', 'data-rows': rows.length },
      caption ? h('caption', { class: 'muted' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((column) =>
        h('th', { scope: 'col', title: `${column.name} (${column.type})` }, columnLabel(column.name))))),
      h('tbody', {}, visible.map((row) => h('tr', { class: rowClass ? rowClass(row) : null },
        row.map((value, index) => h('td', { class: isNumericType(columns[index]?.type) ? 'number' : null },
          columns[index]?.name === 'key_industry' && typeof value === 'string'
            ? industryName(value)
            : formatValue(value, columns[index]?.type, decimals(columns[index]?.name))))))));
    const pager = pages > 1 ? h('div', { class: 'pager' },
      h('button', { class: 'secondary', disabled: page === 0, onclick: () => { page -= 1; draw(); } }, t('grid.previous')),
      h('span', { class: 'page' }, t('grid.page', { page: page + 1, pages, rows: rows.length })),
      h('button', { class: 'secondary', disabled: page >= pages - 1, onclick: () => { page += 1; draw(); } }, t('grid.next')))
      : h('div', { class: 'pager' }, h('span', { class: 'page' }, t('grid.rows', { rows: rows.length })));
    fill(wrap, h('div', { class: 'grid-wrap' }, table), pager);
  };
  draw();
  return wrap;
}

/** A labelled input bound to nothing: the caller reads `.value`. */
export function field(label, input, error) {
  return h('label', {}, label, input, error ? h('span', { class: 'field-error' }, error) : null);
}

/** Returns the month `YYYY-MM` of a date text, or the text. */
export function month(text) {
  return typeof text === 'string' ? text.slice(0, 7) : text;
}
