// SQL over the lake: an editor with the tables and their columns beside it, the answer in a
// paged grid, CSV export, and an error shown at its position. The API's guardrails apply.
import { t } from '../i18n.js';
import { request, download } from '../api.js';
import { h, fill, loading, empty, errorBox, grid } from '../ui.js';

const EXAMPLE = 'SELECT key_industry, count(*) AS enterprises\nFROM enterprises\nGROUP BY key_industry\nORDER BY enterprises DESC';

/** Returns the character offset of `Line: L, Column: C` in the SQL text, or null. */
export function errorPosition(message, sql) {
  const found = /Line: (\d+), Column: (\d+)/.exec(message || '');
  if (!found) return null;
  const line = Number(found[1]);
  const column = Number(found[2]);
  const lines = sql.split('\n');
  if (line < 1 || line > lines.length) return null;
  let offset = 0;
  for (let index = 0; index < line - 1; index += 1) offset += lines[index].length + 1;
  return { line, column, offset: offset + Math.max(0, column - 1), text: lines[line - 1] };
}

function tablesPanel(editor) {
  const panel = h('aside', { id: 'tables', 'aria-label': t('sql.tables') }, loading());
  request('/api/tables').then((tables) => {
    fill(panel, h('h2', {}, t('sql.tables')), h('ul', {}, tables.map((table) => h('li', {},
      h('button', {
        class: 'link', type: 'button', title: table.description, 'data-table': table.name,
        onclick: () => insert(editor, table.name),
      }, table.name),
      h('div', { class: 'columns' }, table.columns.filter((column) => !column.name.startsWith('_')).map((column) =>
        h('div', {}, h('button', { class: 'link', type: 'button', onclick: () => insert(editor, column.name) }, column.name),
          ` ${column.type}`)))))));
  }).catch((error) => fill(panel, errorBox(error)));
  return panel;
}

function insert(editor, text) {
  const start = editor.selectionStart ?? editor.value.length;
  const end = editor.selectionEnd ?? start;
  editor.setRangeText(text, start, end, 'end');
  editor.focus();
}

export default {
  id: 'sql',
  title: 'page.sql',
  roles: ['admin', 'committee', 'centre', 'enterprise'],
  async render(main, params, ctx) {
    const sql = params.get('q') ?? '';
    const editor = h('textarea', {
      class: 'sql', id: 'sql-editor', spellcheck: 'false', 'aria-label': t('sql.editor'), value: sql || EXAMPLE,
    });
    const result = h('div', { id: 'sql-result', 'aria-live': 'polite' });
    const run = () => {
      const text = editor.value.trim();
      if (!text) return;
      // The query goes into the URL, so the view can be bookmarked and shared.
      if (text === sql) draw(text); else ctx.navigate(ctx.current, { q: text });
    };
    editor.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
    const draw = async (text) => {
      fill(result, loading(t('state.running')));
      try {
        const answer = await request('/api/sql', { method: 'POST', json: { sql: text } });
        fill(result,
          h('div', { class: 'toolbar' },
            h('span', { class: 'muted', id: 'sql-summary' }, t('sql.summary', { rows: answer.row_count, ms: answer.elapsed_ms })),
            h('button', {
              class: 'secondary', 'data-export': 'csv',
              onclick: () => download('/api/sql', 'csv', 'answer', { method: 'POST', json: { sql: text } })
                .catch((error) => result.prepend(errorBox(error))),
            }, t('export.csv')),
            h('button', {
              class: 'secondary', 'data-export': 'xlsx',
              onclick: () => download('/api/sql', 'xlsx', 'answer', { method: 'POST', json: { sql: text } })
                .catch((error) => result.prepend(errorBox(error))),
            }, t('export.xlsx'))),
          answer.truncated ? h('p', { class: 'notice' }, t('sql.truncated', { rows: answer.row_count })) : null,
          answer.rows.length ? grid(answer.columns, answer.rows, { pageSize: 50 }) : empty(t('sql.no-rows')));
      } catch (error) {
        const position = errorPosition(error.message, text);
        fill(result, errorBox(error), position ? h('pre', { class: 'caret', id: 'sql-error-position' },
          `${t('sql.at', { line: position.line, column: position.column })}\n${position.text}\n${' '.repeat(Math.max(0, position.column - 1))}^`) : null);
        if (position) {
          editor.focus();
          editor.setSelectionRange(position.offset, Math.min(editor.value.length, position.offset + 1));
        }
      }
    };
    fill(main,
      h('h1', {}, t('page.sql')),
      h('div', { class: 'split' },
        tablesPanel(editor),
        h('section', {},
          editor,
          h('div', { class: 'toolbar' },
            h('button', { id: 'sql-run', onclick: run }, t('sql.run')),
            h('span', { class: 'muted' }, t('sql.shortcut'))),
          result)));
    if (sql) await draw(sql);
  },
};
