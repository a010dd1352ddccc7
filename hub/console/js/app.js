// The console's shell: who is logged in, which pages their role has, and the page the URL names.
// The page's state lives in the URL (`#/page?name=value`), so every view can be bookmarked.
import { t, getLang, setLang, onLanguageChange } from './i18n.js';
import { request, token, setToken, clearToken } from './api.js';
import { h, fill, loading, errorBox } from './ui.js';
import dashboard from './pages/dashboard.js';
import indicators from './pages/indicators.js';
import freshness from './pages/freshness.js';
import sql from './pages/sql.js';
import catalog from './pages/catalog.js';
import entry from './pages/entry.js';
import matching from './pages/matching.js';
import submit from './pages/submit.js';

/** Every page; `roles` says who sees it, `nav: false` keeps it out of the menu. */
const PAGES = [dashboard, indicators, freshness, submit, sql, catalog, entry, matching];

const root = document.getElementById('app');
let me = null;
let rendering = 0;

/** Returns the page and the parameters of the URL's hash. */
function location() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [id, query = ''] = hash.split('?');
  return { id, params: new URLSearchParams(query) };
}

/** Goes to `id` with `params` (an object or URLSearchParams); adds a history entry. */
export function navigate(id, params = {}) {
  const query = new URLSearchParams(params).toString();
  window.location.hash = `#/${id}${query ? `?${query}` : ''}`;
}

function pagesOf(role) {
  return PAGES.filter((page) => page.roles.includes(role));
}

/** The page each role starts on: the one it came for. */
const HOME = { admin: 'dashboard', committee: 'dashboard', centre: 'matching', enterprise: 'submit' };

function homeOf(role) {
  return HOME[role] || pagesOf(role).find((page) => page.nav !== false)?.id;
}

function header(current) {
  const language = getLang() === 'zh' ? 'en' : 'zh';
  return h('header', { class: 'bar' },
    h('a', { class: 'brand', href: `#/${homeOf(me.role)}` }, t('app.name')),
    h('nav', { 'aria-label': t('app.menu') }, pagesOf(me.role).filter((page) => page.nav !== false).map((page) =>
      h('a', { href: `#/${page.id}`, 'data-page': page.id, 'aria-current': page.id === current ? 'page' : null },
        t(page.title)))),
    h('span', { class: 'who', 'data-role': me.role },
      `${me.enterprise_name || me.name} · ${t(`role.${me.role}`)}`),
    h('button', { class: 'secondary', id: 'language', lang: language, onclick: () => setLang(language) },
      language === 'en' ? 'English' : '中文'),
    h('button', { class: 'secondary', id: 'logout', onclick: logout }, t('app.logout')));
}

function logout() {
  clearToken();
  me = null;
  navigate('login');
}

function loginPage(message) {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password',
    required: true, placeholder: 'phk_…', autofocus: true });
  const feedback = h('div', { 'aria-live': 'polite' }, message ? errorBox({ message }) : null);
  const submitButton = h('button', { type: 'submit', id: 'login' }, t('login.submit'));
  const form = h('form', {
    onsubmit: async (event) => {
      event.preventDefault();
      submitButton.disabled = true;
      fill(feedback, loading(t('login.checking')));
      setToken(input.value.trim());
      try {
        me = await request('/api/whoami');
        const wanted = sessionStorage.getItem('parkhub.after-login');
        sessionStorage.removeItem('parkhub.after-login');
        if (wanted && wanted !== '#/login') window.location.hash = wanted;
        else navigate(homeOf(me.role));
      } catch (error) {
        clearToken();
        fill(feedback, errorBox(error.status === 401 ? { message: t('login.refused'), code: error.code } : error));
        submitButton.disabled = false;
        input.focus();
      }
    },
  },
  // Password managers (and the accessibility checks) expect a user name beside a password.
  h('input', { type: 'text', name: 'username', autocomplete: 'username', value: 'parkhub', hidden: true, 'aria-hidden': 'true' }),
  h('label', { for: 'token' }, t('login.token'), input),
  h('p', { class: 'muted' }, t('login.help')),
  submitButton,
  feedback);
  fill(root, h('div', { class: 'login' },
    h('div', { class: 'toolbar' }, h('h1', {}, t('app.name')),
      h('button', { class: 'secondary', id: 'language', onclick: () => setLang(getLang() === 'zh' ? 'en' : 'zh') },
        getLang() === 'zh' ? 'English' : '中文')),
    form));
  input.focus();
}

async function render() {
  const ticket = ++rendering;
  const { id, params } = location();
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  if (!token()) {
    if (id && id !== 'login') sessionStorage.setItem('parkhub.after-login', window.location.hash);
    loginPage();
    return;
  }
  if (!me) {
    fill(root, loading());
    try {
      me = await request('/api/whoami');
    } catch (error) {
      clearToken();
      loginPage(error.status === 401 ? t('login.expired') : error.message);
      return;
    }
    if (ticket !== rendering) return;
  }
  if (!id || id === 'login') {
    navigate(homeOf(me.role));
    return;
  }
  const page = PAGES.find((candidate) => candidate.id === id);
  const main = h('main', { id: 'page', 'data-page': id });
  fill(root, header(page?.id), main);
  if (!page) {
    fill(main, errorBox({ message: t('error.no-page', { page: id }) }));
    return;
  }
  if (!page.roles.includes(me.role)) {
    fill(main, h('div', { class: 'error', role: 'alert', id: 'forbidden' },
      t('error.not-for-role', { role: t(`role.${me.role}`) })));
    return;
  }
  document.title = `${t(page.title)} · ${t('app.name')}`;
  try {
    await page.render(main, params, { me, navigate: (next, nextParams) => navigate(next, nextParams), current: id });
  } catch (error) {
    if (ticket === rendering) fill(main, errorBox(error));
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('parkhub:unauthorized', (event) => {
  // Before anyone is logged in, the login form says why the token was refused itself.
  if (!me) return;
  clearToken();
  me = null;
  loginPage(event.detail || t('login.expired'));
});
onLanguageChange(render);
render();
