// Data submission: drop a file (CSV, XLSX, JSON, Parquet), watch it upload, then read the
// report — rows written and rejected, each rejected row with its reasons in both languages —
// and the history of the batches this token's enterprise delivered.
import { t } from '../i18n.js';
import { request, upload, withQuery } from '../api.js';
import { h, fill, loading, empty, errorBox, grid } from '../ui.js';

const MEDIA_BY_EXTENSION = {
  csv: 'text/csv', tsv: 'text/tab-separated-values', txt: 'text/csv',
  json: 'application/json', ndjson: 'application/x-ndjson', jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Returns the media type the hub decodes a file by, from its extension, or null. */
export function mediaTypeOf(filename) {
  const extension = filename.toLowerCase().split('.').pop();
  return MEDIA_BY_EXTENSION[extension] || null;
}

async function tableOptions(select, me, chosen) {
  const tables = await request('/api/tables');
  const targets = tables.filter((table) => me.role === 'admin'
    || (table.name !== 'enterprises' && table.columns.some((column) => column.name === 'uscc')));
  fill(select, targets.map((table) => h('option', { value: table.name, selected: table.name === chosen, title: table.description }, table.name)));
  if (!chosen && targets.some((table) => table.name === 'production_monthly')) select.value = 'production_monthly';
}

/** The report of a batch: its numbers, then each rejected row with its reasons. */
export async function reportView(report) {
  const rejected = h('div', { id: 'rejected-rows' });
  const view = h('section', { class: 'card', id: 'ingest-report', 'data-status': report.status, 'data-batch': report.batch_id },
    h('h2', {}, t('submit.report', { table: report.table })),
    h('div', { class: 'numbers' },
      h('div', {}, t('submit.read'), h('strong', { id: 'rows-read' }, String(report.rows_read))),
      h('div', {}, t('submit.written'), h('strong', { id: 'rows-written' }, String(report.rows_written))),
      h('div', {}, t('submit.rejected'), h('strong', { id: 'rows-rejected' }, String(report.rows_rejected))),
      h('div', {}, t('submit.status'), h('strong', {}, t(`status.${report.status}`, {}, report.status)))),
    report.duplicate ? h('p', { class: 'notice' }, t('submit.duplicate')) : null,
    report.error ? errorBox({ message: report.error }) : null,
    h('p', { class: 'muted' }, `${t('submit.batch')} ${report.batch_id || '—'} · ${report.source} · ${report.finished_at || ''}`),
    rejected);
  if (report.rows_rejected > 0 && report.batch_id) {
    fill(rejected, loading());
    try {
      const rows = await request(withQuery('/api/quarantine', { batch: report.batch_id, limit: 1000 }));
      const columns = [
        { name: 'source_row', type: 'int64' }, { name: 'reasons', type: 'string' }, { name: 'record', type: 'string' },
      ];
      fill(rejected, h('h3', {}, t('submit.rejected-rows')),
        grid(columns, rows.map((row) => [row.source_row, row.reasons, row.record]), { pageSize: 20 }));
    } catch (error) {
      // The report's own first errors still say why.
      fill(rejected, errorBox(error), grid(
        [{ name: 'row', type: 'int64' }, { name: 'column', type: 'string' }, { name: 'value', type: 'string' }, { name: 'reason', type: 'string' }],
        report.errors.map((error_) => [error_.row, error_.column, error_.value, error_.reason])));
    }
  }
  return view;
}

async function history(element) {
  fill(element, loading());
  try {
    const reports = await request(withQuery('/api/ingest', { limit: 50 }));
    if (!reports.length) {
      fill(element, h('h2', {}, t('submit.history')), empty(t('submit.no-history')));
      return;
    }
    fill(element, h('h2', {}, t('submit.history')), h('div', { class: 'grid-wrap' }, h('table', { class: 'grid', id: 'ingest-history', 'data-rows': reports.length },
      h('thead', {}, h('tr', {}, ['started_at', 'table', 'source', 'status', 'rows_written', 'rows_rejected', 'who'].map((name) =>
        h('th', { scope: 'col' }, t(`column.${name}`, {}, name))))),
      h('tbody', {}, reports.map((report) => h('tr', {},
        h('td', {}, h('a', { href: `#/submit?batch=${encodeURIComponent(report.batch_id)}` }, (report.started_at || '').replace('T', ' ').slice(0, 19))),
        h('td', {}, report.table), h('td', {}, report.source), h('td', {}, t(`status.${report.status}`, {}, report.status)),
        h('td', { class: 'number' }, String(report.rows_written)), h('td', { class: 'number' }, String(report.rows_rejected)),
        h('td', {}, report.who || '')))))));
  } catch (error) {
    fill(element, h('h2', {}, t('submit.history')), errorBox(error));
  }
}

export default {
  id: 'submit',
  title: 'page.submit',
  roles: ['admin', 'enterprise'],
  async render(main, params, ctx) {
    const table = h('select', { id: 'submit-table', name: 'table', 'aria-label': t('submit.table') }, h('option', {}, t('state.loading')));
    const fileInput = h('input', { type: 'file', id: 'submit-file', accept: Object.keys(MEDIA_BY_EXTENSION).map((e) => `.${e}`).join(','), 'aria-label': t('submit.choose') });
    const progress = h('div', { id: 'submit-progress', 'aria-live': 'polite' });
    const report = h('div', { id: 'submit-report' });
    const past = h('section', { id: 'submit-history' });
    const send = async (file) => {
      const media = mediaTypeOf(file.name);
      if (!media) {
        fill(progress, errorBox({ message: t('submit.unknown-format', { name: file.name }) }));
        return;
      }
      const bar = h('progress', { max: 1, value: 0 });
      const label = h('span', {}, t('submit.uploading', { name: file.name }));
      fill(progress, label, bar);
      fill(report);
      try {
        const answer = await upload(`/api/ingest/${encodeURIComponent(table.value)}`, file, media, (share) => {
          bar.value = share;
          if (share >= 1) {
            bar.removeAttribute('value');
            fill(label, t('submit.checking', { name: file.name }));
          }
        });
        fill(progress, h('p', { class: 'muted', id: 'submit-done' }, t('submit.done', { name: file.name })));
        fill(report, await reportView(answer));
        history(past);
      } catch (error) {
        fill(progress, errorBox(error));
      }
    };
    fileInput.addEventListener('change', () => { if (fileInput.files[0]) send(fileInput.files[0]); });
    const drop = h('div', {
      class: 'drop', id: 'submit-drop', tabindex: 0, role: 'button', 'aria-label': t('submit.drop'),
      onclick: () => fileInput.click(),
      onkeydown: (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); fileInput.click(); } },
      ondragover: (event) => { event.preventDefault(); drop.classList.add('over'); },
      ondragleave: () => drop.classList.remove('over'),
      ondrop: (event) => {
        event.preventDefault();
        drop.classList.remove('over');
        const file = event.dataTransfer?.files?.[0];
        if (file) send(file);
      },
    }, h('p', {}, t('submit.drop')), h('p', { class: 'muted' }, t('submit.formats')), fileInput);
    fill(main,
      h('h1', {}, t('page.submit')),
      ctx.me.enterprise_name ? h('p', { class: 'muted' }, t('submit.as', { name: ctx.me.enterprise_name, uscc: ctx.me.uscc })) : null,
      h('div', { class: 'toolbar' }, h('label', {}, t('submit.table'), table)),
      drop, progress, report, past);
    await tableOptions(table, ctx.me, params.get('table')).catch((error) => fill(progress, errorBox(error)));
    const batch = params.get('batch');
    if (batch) {
      fill(report, loading());
      request(`/api/ingest/${encodeURIComponent(batch)}`)
        .then(async (answer) => fill(report, await reportView(answer)))
        .catch((error) => fill(report, errorBox(error)));
    }
    await history(past);
  },
};
