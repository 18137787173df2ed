// Errors: the live feed of the engine's `error` events, with severity filters and context.
import { h, replace, link, empty, pill } from '../dom.js';
import { timeEl, shortId } from '../fmt.js';
import { state, on } from '../store.js';

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export function mount(root) {
  const boxes = SEVERITIES.map((s) => h('input', { type: 'checkbox', value: s, checked: true, id: `sev-${s}` }));
  const search = h('input', { type: 'search', id: 'errors-search', placeholder: 'Symbol, run or code', autocomplete: 'off' });
  const tbody = h('tbody', { id: 'errors-body' });
  const count = h('p', { class: 'muted small', role: 'status' });
  const table = h('table', { class: 'table', id: 'errors-table' },
    h('thead', null, h('tr', null, ['Time', 'Severity', 'Component', 'Code', 'Message', 'Symbol', 'Run', 'Recovery'].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);

  function matches(e) {
    const p = e.p;
    if (!boxes.find((b) => b.value === p.severity)?.checked) return false;
    const q = search.value.trim().toUpperCase();
    if (!q) return true;
    const ctxSym = (p.context && p.context.symbol) || '';
    const run = e.runId || (p.context && p.context.run_id) || '';
    return [ctxSym, run, p.error_code, p.component, p.message].some((x) => String(x || '').toUpperCase().includes(q));
  }

  function row(e) {
    const p = e.p;
    const sym = p.context && p.context.symbol;
    const run = e.runId || (p.context && p.context.run_id);
    return h('tr', { class: `sev-${p.severity}`, dataset: { id: e.id, severity: p.severity } },
      h('td', null, timeEl(e.timestamp)),
      h('td', null, pill(p.severity)),
      h('td', { text: p.component }),
      h('td', { class: 'mono', text: p.error_code }),
      h('td', { class: 'msg', text: p.message }),
      h('td', null, sym ? link(`/symbol/${encodeURIComponent(sym)}`, sym, { class: 'mono' }) : '—'),
      h('td', null, run ? link(`/history/${encodeURIComponent(run)}`, shortId(run), { class: 'mono', title: run }) : '—'),
      h('td', { class: 'muted', text: (p.recovery_action || '').replace(/_/g, ' ') }));
  }

  function render() {
    const items = state.errors.filter(matches);
    if (!items.length) {
      replace(tbody, h('tr', null, h('td', { colspan: '8' }, empty(state.errors.length
        ? 'No error matches these filters.'
        : 'No errors since this tab opened. The engine\u2019s error events appear here live.'))));
    } else replace(tbody, items.map(row));
    count.textContent = `${items.length} of ${state.errors.length} shown (this tab keeps the last 500).`;
  }

  boxes.forEach((b) => b.addEventListener('change', render));
  search.addEventListener('input', render);
  const off = on('event:error', (e) => {
    if (!matches(e)) { count.textContent = `${tbody.querySelectorAll('tr[data-id]').length} of ${state.errors.length} shown (this tab keeps the last 500).`; return; }
    const first = tbody.firstElementChild;
    if (first && !first.dataset.id) replace(tbody);
    tbody.prepend(row(e));
    count.textContent = `${tbody.querySelectorAll('tr[data-id]').length} of ${state.errors.length} shown (this tab keeps the last 500).`;
  });

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'Errors' })),
    h('section', { class: 'card' },
      h('div', { class: 'filters' },
        h('fieldset', { class: 'inline' }, h('legend', { text: 'Severity' }), SEVERITIES.map((s, i) => h('label', { class: 'check' }, boxes[i], s))),
        h('label', { class: 'field' }, h('span', { class: 'field-label', text: 'Filter' }), search)),
      h('div', { class: 'table-wrap', 'aria-live': 'polite', 'aria-relevant': 'additions' }, table), count));
  render();
  return () => off();
}
