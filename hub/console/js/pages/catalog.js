// The catalog of shared applications, service offerings and providers: search with facets,
// filters, sorting and highlighted snippets. The centre role adds and edits entries.
import { t, facetValueName } from '../i18n.js';
import { request, withQuery } from '../api.js';
import { h, fill, loading, empty, errorBox, highlighted } from '../ui.js';

const PAGE_SIZE = 10;

/** The facets that have a filter, and the query parameter each filters by. */
const FACETS = [
  { facet: 'kind', param: 'kind' },
  { facet: 'category', param: 'category' },
  { facet: 'scenario', param: 'scenario' },
  { facet: 'key_industry', param: 'industry' },
  { facet: 'deployment', param: 'deployment' },
];
const SORTS = ['relevance', 'rating', 'price', 'newest'];
export const CURATORS = ['admin', 'centre'];

function searchParameters(params) {
  const query = { q: params.get('q') || '', limit: PAGE_SIZE, offset: params.get('offset') || 0 };
  for (const { param } of FACETS) if (params.get(param)) query[param] = params.get(param);
  if (params.get('sort')) query.sort = params.get('sort');
  return query;
}

function facetPanel(facets, params, ctx) {
  const toggle = (param, value, on) => {
    const next = new URLSearchParams(params);
    const chosen = new Set((next.get(param) || '').split(',').filter(Boolean));
    if (on) chosen.add(value); else chosen.delete(value);
    if (chosen.size) next.set(param, [...chosen].join(',')); else next.delete(param);
    next.delete('offset');
    ctx.navigate(ctx.current, next);
  };
  return h('aside', { class: 'facets', id: 'facets', 'aria-label': t('catalog.facets') },
    FACETS.filter(({ facet }) => facets?.[facet]?.length).map(({ facet, param }) => {
      const chosen = new Set((params.get(param) || '').split(',').filter(Boolean));
      return h('fieldset', { 'data-facet': facet },
        h('legend', {}, t(`facet.${facet}`)),
        facets[facet].map(({ value, count }) => h('div', {}, h('label', {},
          h('input', { type: 'checkbox', value, checked: chosen.has(value), onchange: (event) => toggle(param, value, event.target.checked) }),
          `${facetValueName(facet, value)} (${count})`))));
    }));
}

function hitItem(hit) {
  const details = [
    hit.category && facetValueName('category', hit.category),
    hit.rating !== null && hit.rating !== undefined ? `★ ${hit.rating}` : null,
    hit.price_min !== null && hit.price_min !== undefined ? t('catalog.price', { min: hit.price_min, max: hit.price_max ?? hit.price_min }) : null,
    hit.published_on,
  ].filter(Boolean).join(' · ');
  return h('li', { class: 'hit', 'data-id': hit.id },
    h('div', { class: 'meta' }, t(`kind.${hit.kind}`)),
    h('h2', {}, h('a', { href: `#/entry?kind=${encodeURIComponent(hit.kind)}&id=${encodeURIComponent(hit.id)}` }, hit.title)),
    h('p', {}, highlighted(hit.snippet)),
    h('div', { class: 'meta' }, details));
}

export default {
  id: 'catalog',
  title: 'page.catalog',
  roles: ['admin', 'committee', 'centre', 'enterprise'],
  async render(main, params, ctx) {
    const input = h('input', { type: 'search', name: 'q', id: 'catalog-query', value: params.get('q') || '',
      placeholder: t('catalog.placeholder'), 'aria-label': t('catalog.search'), size: 40 });
    const sort = h('select', { name: 'sort', id: 'catalog-sort', 'aria-label': t('catalog.sort') },
      SORTS.map((value) => h('option', { value, selected: (params.get('sort') || 'relevance') === value }, t(`sort.${value}`))));
    const form = h('form', {
      class: 'toolbar', role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams(params);
        next.set('q', input.value.trim());
        next.set('sort', sort.value);
        next.delete('offset');
        ctx.navigate(ctx.current, next);
      },
    }, input, sort, h('button', { type: 'submit', id: 'catalog-search' }, t('catalog.search')),
    CURATORS.includes(ctx.me.role) ? h('a', { href: '#/entry?new=offering', id: 'catalog-new' }, t('catalog.new')) : null);
    const facetSlot = h('div');
    const results = h('section', { id: 'catalog-results', 'aria-live': 'polite' }, loading());
    fill(main, h('h1', {}, t('page.catalog')), form, h('div', { class: 'split' }, facetSlot, results));
    sort.addEventListener('change', () => form.requestSubmit());
    try {
      const answer = await request(withQuery('/api/catalog/search', searchParameters(params)));
      fill(facetSlot, facetPanel(answer.facets, params, ctx));
      const offset = Number(params.get('offset') || 0);
      const page = (delta) => {
        const next = new URLSearchParams(params);
        next.set('offset', String(Math.max(0, offset + delta)));
        ctx.navigate(ctx.current, next);
      };
      fill(results,
        h('p', { class: 'muted', id: 'catalog-total' }, t('catalog.total', { total: answer.total })),
        answer.hits.length ? h('ol', { class: 'hits' }, answer.hits.map(hitItem)) : empty(t('catalog.no-hits')),
        h('div', { class: 'pager' },
          h('button', { class: 'secondary', disabled: offset === 0, onclick: () => page(-PAGE_SIZE) }, t('grid.previous')),
          h('span', {}, t('catalog.range', { from: answer.hits.length ? offset + 1 : 0, to: offset + answer.hits.length })),
          h('button', { class: 'secondary', disabled: offset + PAGE_SIZE >= answer.total, onclick: () => page(PAGE_SIZE) }, t('grid.next'))));
    } catch (error) {
      fill(results, errorBox(error));
    }
  },
};
