// History: the engine's runs, newest first, with server-side keyset pagination and filters.
import { api } from '../api.js';
import { h, replace, link, empty, pill, select, field, errorBox } from '../dom.js';
import { timeEl, num, duration, shortId } from '../fmt.js';
import { on } from '../store.js';

const STATUSES = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted', 'running', 'queued'];
const TRIGGERS = ['manual', 'scheduled', 'retry', 'api'];
const DAYS = [['', 'Any time'], ['1', 'Last 24 hours'], ['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days'], ['365', 'Last year']];

export function mount(root, _params, ctx) {
  const url = new URLSearchParams(location.search);
  const statusSel = select('status', [['', 'Any status'], ...STATUSES.map((s) => [s, s.replace(/_/g, ' ')])], url.get('status') || '', { id: 'filter-status' });
  const triggerSel = select('trigger_type', [['', 'Any trigger'], ...TRIGGERS.map((s) => [s, s])], url.get('trigger_type') || '', { id: 'filter-trigger' });
  const daysSel = select('days', DAYS, url.get('days') || '', { id: 'filter-days' });
  // A date range (UTC dates, as the engine stores started_at), alone or with "Started".
  const fromIn = h('input', { type: 'date', name: 'from', id: 'filter-from', value: url.get('from') || '' });
  const toIn = h('input', { type: 'date', name: 'to', id: 'filter-to', value: url.get('to') || '' });
  const form = h('form', { class: 'filters', id: 'history-filters' },
    field('Status', statusSel), field('Trigger', triggerSel), field('Started', daysSel),
    field('From (UTC)', fromIn), field('To (UTC)', toIn));
  const tbody = h('tbody');
  const table = h('table', { class: 'table', id: 'history-table' },
    h('thead', null, h('tr', null, ['Started', 'Duration', 'Trigger', 'Universe', 'Status', 'Symbols ok', 'Failed', 'Indicators', 'Patterns', 'Run']
      .map((t, i) => h('th', { scope: 'col', class: i === 1 || (i >= 5 && i <= 8) ? 'num' : '', text: t })))),
    tbody);
  const more = h('button', { type: 'button', class: 'btn', id: 'history-more', text: 'Load more', hidden: true });
  const info = h('p', { class: 'muted small', role: 'status' });
  const status = h('div');
  let cursor = null;
  let loading = false;
  let token = 0;

  function params() {
    return { status: statusSel.value, trigger_type: triggerSel.value, days: daysSel.value,
      from: fromIn.value, to: toIn.value, limit: 50 };
  }

  function row(r) {
    return h('tr', { dataset: { runId: r.run_id, status: r.status } },
      h('td', null, timeEl(r.started_at)),
      h('td', { class: 'num', text: r.finished_at ? duration(r.duration_seconds) : '—' }),
      h('td', { text: r.trigger_type }),
      h('td', { text: r.universe }),
      h('td', null, pill(r.status)),
      h('td', { class: 'num', dataset: { col: 'ok' }, text: num(r.symbols_processed), title: `${num(r.symbols_processed)} processed of ${num(r.symbols_total)}` }),
      h('td', { class: ['num', r.symbols_failed ? 'bad' : ''], dataset: { col: 'failed' }, text: num(r.symbols_failed) }),
      h('td', { class: 'num', dataset: { col: 'indicators' }, text: num(r.indicators_calculated) }),
      h('td', { class: 'num', dataset: { col: 'patterns' }, text: num(r.patterns_detected) }),
      h('td', null, link(`/history/${encodeURIComponent(r.run_id)}`, shortId(r.run_id), { class: 'mono', title: r.run_id })));
  }

  async function load(reset) {
    const my = reset ? ++token : token;
    if (loading && !reset) return;
    loading = true;
    more.disabled = true;
    if (reset) {
      cursor = null;
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params())) if (v && k !== 'limit') q.set(k, v);
      const qs = q.toString();
      history.replaceState(null, '', `/history${qs ? `?${qs}` : ''}`);
    }
    try {
      const res = await api.get('/api/processing/history', { ...params(), cursor: reset ? undefined : cursor });
      if (my !== token) return;
      replace(status);
      if (reset) replace(tbody);
      for (const r of res.runs || []) tbody.append(row(r));
      cursor = res.next_cursor || null;
      more.hidden = !cursor;
      const n = tbody.children.length;
      if (!n) {
        const filtered = statusSel.value || triggerSel.value || daysSel.value || fromIn.value || toIn.value;
        tbody.append(h('tr', null, h('td', { colspan: '10' }, empty(filtered ? 'No runs match these filters.' : 'No runs yet.'))));
        info.textContent = '';
      } else info.textContent = `${num(n)} run${n === 1 ? '' : 's'} shown${cursor ? '; more on the server' : ''}.`;
    } catch (e) {
      if (my === token) replace(status, errorBox(e));
    } finally {
      loading = false;
      more.disabled = false;
    }
  }

  form.addEventListener('change', () => load(true));
  form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  more.addEventListener('click', () => load(false));
  // Runs that start or finish while the page is open: refresh the first page.
  let refreshTimer = null;
  const offs = ['event:processing_started', 'event:processing_completed', 'event:processing_failed', 'event:processing_cancelled', 'event:processing_interrupted']
    .map((t) => on(t, () => {
      if (tbody.children.length > 50) return; // the user paged on: leave the list alone
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => load(true), 300);
    }));

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'History' })),
    h('section', { class: 'card' }, form, status, h('div', { class: 'table-wrap' }, table), h('div', { class: 'table-foot' }, more, info)));
  load(true);
  return () => { offs.forEach((f) => f()); clearTimeout(refreshTimer); token++; };
}
