// Matching: a need of the lake, or a need typed here, against the catalog's offerings; each
// proposal with the six parts of its score as a bar and the terms that matched.
import { t, facetValueName, SCENARIOS } from '../i18n.js';
import { request, withQuery } from '../api.js';
import { h, fill, loading, empty, errorBox } from '../ui.js';
import { PALETTE } from '../chart.js';

/** The six parts of a score, in the order of the hub's `scoring` rule, with their maximum. */
export const PARTS = [
  { name: 'text', max: 40 },
  { name: 'scenario', max: 15 },
  { name: 'industry', max: 15 },
  { name: 'budget', max: 10 },
  { name: 'track_record', max: 7 },
  { name: 'maturity', max: 10 },
];

function scoreBar(explanation) {
  return h('div', { class: 'score-bar', role: 'img', 'aria-label': PARTS.map(({ name }) =>
    `${t(`part.${name}`)} ${explanation[name]?.points ?? 0}`).join(', ') },
  PARTS.map(({ name }, index) => {
    const points = explanation[name]?.points ?? 0;
    return points > 0 ? h('span', {
      'data-part': name, title: `${t(`part.${name}`)}: ${points}`,
      style: `width:${points}%;background:${PALETTE[index]}`,
    }) : null;
  }));
}

function legend() {
  return h('div', { class: 'legend' }, PARTS.map(({ name, max }, index) =>
    h('span', {}, h('i', { style: `background:${PALETTE[index]}` }), `${t(`part.${name}`)} (≤${max})`)));
}

function matchItem(match) {
  const terms = match.explanation.text?.matched_terms || [];
  return h('li', { class: 'hit match', 'data-offering': match.offering.id },
    h('div', { class: 'toolbar' },
      h('strong', {}, `#${match.rank}`),
      h('h2', {}, h('a', { href: `#/entry?kind=offering&id=${encodeURIComponent(match.offering.id)}` }, match.offering.name)),
      h('span', { class: 'score', 'data-score': match.score }, t('match.score', { score: match.score.toFixed(1) }))),
    h('div', { class: 'meta' }, `${match.provider?.name || match.offering.provider_id || ''} · ${facetValueName('category', match.offering.category)}`),
    scoreBar(match.explanation),
    h('div', { class: 'chips terms' }, terms.map((term) => h('span', { class: 'chip matched' }, term))),
    h('details', {}, h('summary', {}, t('match.why')),
      h('table', { class: 'parts' }, h('tbody', {}, PARTS.map(({ name }) => h('tr', { 'data-part': name },
        h('td', {}, t(`part.${name}`)),
        h('td', { class: 'number' }, String(match.explanation[name]?.points ?? 0)),
        h('td', {}, match.explanation[name]?.note || '')))))));
}

/** Offers the registry's enterprises by name while the USCC is typed. */
async function enterpriseOptions(datalist) {
  try {
    const answer = await request('/api/sql', {
      method: 'POST', json: { sql: 'SELECT uscc, name FROM enterprises ORDER BY name LIMIT 2000' },
    });
    fill(datalist, answer.rows.map(([code, name]) => h('option', { value: code }, name)));
  } catch {
    // Typing the USCC still works.
  }
}

async function needOptions(select, chosen) {
  try {
    const answer = await request('/api/sql', {
      method: 'POST',
      json: { sql: "SELECT n.need_id, n.title, e.name FROM enterprise_needs n LEFT JOIN enterprises e ON e.uscc = n.uscc ORDER BY n.status = 'open' DESC, n.need_id LIMIT 500" },
    });
    fill(select, h('option', { value: '' }, t('match.choose-need')),
      answer.rows.map(([id, title, name]) => h('option', { value: id, selected: id === chosen }, `${id} ${title}${name ? ` — ${name}` : ''}`)));
  } catch (error) {
    fill(select, h('option', { value: '' }, error.message));
  }
}

export default {
  id: 'matching',
  title: 'page.matching',
  roles: ['admin', 'committee', 'centre'],
  async render(main, params, ctx) {
    const needSelect = h('select', { name: 'need', id: 'match-need', 'aria-label': t('match.need') }, h('option', {}, t('state.loading')));
    needOptions(needSelect, params.get('need'));
    const text = h('input', { name: 'text', id: 'match-text', value: params.get('text') || '', size: 40, placeholder: t('match.text-placeholder') });
    const uscc = h('input', { name: 'uscc', id: 'match-uscc', value: params.get('uscc') || '', size: 22, placeholder: '9132…', list: 'match-enterprises' });
    const enterprises = h('datalist', { id: 'match-enterprises' });
    enterpriseOptions(enterprises);
    const scenario = h('select', { name: 'scenario', id: 'match-scenario' }, h('option', { value: '' }, '—'),
      SCENARIOS.map((code) => h('option', { value: code, selected: params.get('scenario') === code }, facetValueName('scenario', code))));
    const budget = h('input', { name: 'budget', id: 'match-budget', type: 'number', min: 0, step: 'any', value: params.get('budget') || '' });
    const results = h('section', { id: 'match-results', 'aria-live': 'polite' });
    fill(main,
      h('h1', {}, t('page.matching')),
      h('form', {
        class: 'toolbar', id: 'match-need-form',
        onsubmit: (event) => { event.preventDefault(); if (needSelect.value) ctx.navigate(ctx.current, { need: needSelect.value }); },
      }, h('label', {}, t('match.need'), needSelect), h('button', { type: 'submit', id: 'match-need-run' }, t('match.run'))),
      h('form', {
        class: 'toolbar', id: 'match-text-form',
        onsubmit: (event) => {
          event.preventDefault();
          const next = {};
          for (const input of [text, uscc, scenario, budget]) if (input.value.trim()) next[input.name] = input.value.trim();
          ctx.navigate(ctx.current, next);
        },
      },
      h('label', {}, t('match.text'), text),
      h('label', {}, t('match.uscc'), uscc, enterprises),
      h('label', {}, t('match.scenario'), scenario),
      h('label', {}, t('match.budget'), budget),
      h('button', { type: 'submit', id: 'match-text-run' }, t('match.run'))),
      legend(),
      results);
    const need = params.get('need');
    const request_ = need ? () => request(withQuery(`/api/match/need/${encodeURIComponent(need)}`, { limit: 10 }))
      : params.get('text') || params.get('uscc') || params.get('scenario') ? () => request('/api/match', {
        method: 'POST',
        json: {
          text: params.get('text') || undefined,
          uscc: params.get('uscc') || undefined,
          scenario: params.get('scenario') || undefined,
          budget: params.get('budget') ? Number(params.get('budget')) : undefined,
          limit: 10,
        },
      }) : null;
    if (!request_) {
      fill(results, empty(t('match.start')));
      return;
    }
    fill(results, loading(t('state.running')));
    try {
      const answer = await request_();
      fill(results,
        answer.need ? h('p', { id: 'match-need-shown' }, t('match.for-need', { id: answer.need.need_id || need, title: answer.need.title || '' })) : null,
        answer.enterprise ? h('p', { class: 'muted' }, t('match.for-enterprise', { name: answer.enterprise.name || answer.enterprise.uscc })) : null,
        h('p', { class: 'muted' }, t('match.candidates', { count: answer.candidates })),
        answer.matches.length ? h('ol', { class: 'hits', id: 'match-list' }, answer.matches.map(matchItem)) : empty(t('match.none')),
        h('details', {}, h('summary', {}, t('match.rule')), h('p', { class: 'muted' }, answer.scoring)));
    } catch (error) {
      fill(results, errorBox(error));
    }
  },
};
