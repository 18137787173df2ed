// The single-page shell: who is signed in, the live connection, the navigation and client-side
// routing (History API), the theme toggle and the pages.
import { api, request, setCsrf, goToLogin } from './api.js';
import { LiveSocket } from './ws.js';
import * as store from './store.js';
import { h, replace, link, empty } from './dom.js';
import { initToasts } from './toast.js';

const routes = [
  { re: /^\/$/, nav: 'processing', title: 'Processing', load: () => import('./pages/processing.js') },
  { re: /^\/history\/?$/, nav: 'history', title: 'History', load: () => import('./pages/history.js') },
  { re: /^\/history\/([A-Za-z0-9_-]{1,64})\/?$/, nav: 'history', title: 'Run', load: () => import('./pages/run.js') },
  { re: /^\/schedule\/?$/, nav: 'schedule', title: 'Schedule', load: () => import('./pages/schedule.js') },
  { re: /^\/errors\/?$/, nav: 'errors', title: 'Errors', load: () => import('./pages/errors.js') },
  { re: /^\/patterns\/?$/, nav: 'patterns', title: 'Patterns', load: () => import('./pages/patterns.js') },
  { re: /^\/symbol(?:\/([^/]{1,16}))?\/?$/, nav: 'symbol', title: 'Symbol', load: () => import('./pages/symbol.js') },
  { re: /^\/screener\/?$/, nav: 'screener', title: 'Screener', load: () => import('./pages/screener.js') },
];

const main = document.getElementById('main');
let unmount = null;
let renderToken = 0;

const ctx = {
  me: null,
  get role() { return this.me ? this.me.role : 'viewer'; },
  get canOperate() { return this.role === 'operator' || this.role === 'admin'; },
  get isAdmin() { return this.role === 'admin'; },
  navigate,
  setTitle(t) { document.title = t ? `${t} · TickStock` : 'TickStock'; },
};

export function navigate(path, { replace: rep = false } = {}) {
  if (path === location.pathname + location.search) return;
  if (rep) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

async function render() {
  const token = ++renderToken;
  const path = location.pathname;
  const route = routes.find((r) => r.re.test(path));
  if (unmount) {
    try { unmount(); } catch (e) { console.error(e); }
    unmount = null;
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route && a.dataset.nav === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
    ctx.setTitle('Not found');
    replace(main, h('section', { class: 'page' }, h('h1', { text: 'Page not found' }),
      empty(`There is no page at ${path}.`), link('/', 'Go to Processing')));
    return;
  }
  const params = path.match(route.re).slice(1).map((x) => (x === undefined ? undefined : decodeURIComponent(x)));
  ctx.setTitle(route.title);
  let mod;
  try {
    mod = await route.load();
  } catch (e) {
    replace(main, h('p', { class: 'error-box', role: 'alert', text: `This page failed to load: ${e.message}` }));
    return;
  }
  if (token !== renderToken) return;
  const container = h('section', { class: 'page', dataset: { page: route.nav } });
  replace(main, container);
  main.dataset.page = route.nav;
  try {
    unmount = mod.mount(container, params, ctx) || null;
  } catch (e) {
    console.error(e);
    replace(container, h('p', { class: 'error-box', role: 'alert', text: `This page failed: ${e.message}` }));
  }
}

// Same-origin links marked data-link navigate on the client.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest && ev.target.closest('a[data-link]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
  main.focus({ preventScroll: true });
});
window.addEventListener('popstate', render);

// ---- theme toggle: auto -> light -> dark ----
const themeBtn = document.getElementById('theme-toggle');
function currentTheme() {
  const t = localStorage.getItem('tickstock.theme');
  return t === 'light' || t === 'dark' ? t : 'auto';
}
function showTheme() {
  const t = currentTheme();
  themeBtn.textContent = t === 'auto' ? '◐' : t === 'light' ? '☀' : '☾';
  themeBtn.setAttribute('aria-label', `Theme: ${t} (change)`);
  themeBtn.title = `Theme: ${t}`;
  if (t === 'auto') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', t);
  document.dispatchEvent(new CustomEvent('tickstock:theme'));
}
themeBtn.addEventListener('click', () => {
  const next = { auto: 'light', light: 'dark', dark: 'auto' }[currentTheme()];
  localStorage.setItem('tickstock.theme', next);
  showTheme();
});
showTheme();
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => document.dispatchEvent(new CustomEvent('tickstock:theme')));

// ---- connection indicator ----
const connBtn = document.getElementById('conn');
const connText = connBtn.querySelector('.conn-text');
let countdown = null;
function showConn(c) {
  clearInterval(countdown);
  connBtn.dataset.state = c.state;
  const set = (t, title) => { connText.textContent = t; connBtn.title = title; };
  if (c.state === 'open') set('Live', 'Connected: events arrive live');
  else if (c.state === 'connecting') set('Connecting…', 'Opening the live connection');
  else if (c.state === 'reconnecting') set('Reconnecting…', 'Re-opening the live connection');
  else if (c.state === 'waiting') {
    const tick = () => {
      const s = Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000));
      set(`Offline · retry in ${s}s`, 'The live connection is down; press to retry now');
    };
    tick();
    countdown = setInterval(tick, 500);
  } else set('Starting', 'Live connection');
}
store.on('conn', showConn);

// ---- error badge on the nav ----
const badge = document.getElementById('error-badge');
let unseenErrors = 0;
store.on('event:error', () => {
  if (main.dataset.page === 'errors') return;
  unseenErrors += 1;
  badge.textContent = String(unseenErrors);
  badge.hidden = false;
  badge.setAttribute('aria-label', `${unseenErrors} new`);
});
document.querySelector('[data-nav="errors"]').addEventListener('click', () => {
  unseenErrors = 0;
  badge.hidden = true;
});

// ---- start ----
async function start() {
  let me;
  try {
    me = await request('GET', '/auth/me');
  } catch (e) {
    if (e.status !== 401) replace(main, h('p', { class: 'error-box', role: 'alert', text: `Cannot reach the dashboard server: ${e.message}` }));
    return;
  }
  ctx.me = me;
  setCsrf(me.csrf_token);
  document.body.dataset.role = me.role;
  replace(document.getElementById('user'), h('span', { class: 'user-name', text: me.username }), ' ', h('span', { class: 'pill pill-role', text: me.role }));
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api.post('/auth/logout');
    } catch { /* signed out either way */ }
    sessionStorage.clear();
    location.assign('/login');
  });

  initToasts(document.getElementById('toasts'));

  const socket = new LiveSocket({
    onState: (c) => store.setConn(c),
    onResync: () => store.noteResync(),
    onMessage: (msg) => {
      if (msg.type === 'snapshot') store.applySnapshot(msg.status);
      else if (msg.type === 'event') store.applyEvent(msg);
      else if (msg.type === 'app_status') store.setRedis(!!msg.redis_connected);
    },
  });
  connBtn.addEventListener('click', () => socket.retryNow());
  // The current status first (resuming from a remembered stream id yields no snapshot, and the
  // page should show the truth even while the live connection is down); events follow.
  socket.connect();
  api.get('/api/processing/status').then((s) => store.applySnapshot(s)).catch((e) => console.warn('status', e));
  store.refreshAppStatus();
  setInterval(store.refreshAppStatus, 15000);
  render();
}

start();
