// Run detail: the run, its phases, its failed symbols with Retry failed (all or selected), and
// the links between a retry and the run it retried.
import { api } from '../api.js';
import { h, replace, link, empty, pill, errorBox } from '../dom.js';
import { timeEl, num, duration, shortId, PHASE_LABEL, PHASE_COUNT, TERMINAL } from '../fmt.js';
import { on } from '../store.js';

export function mount(root, [runId], ctx) {
  ctx.setTitle(`Run ${shortId(runId)}`);
  const body = h('div', { id: 'run-detail', dataset: { runId } }, h('p', { class: 'muted', text: 'Loading…' }));
  replace(root,
    h('div', { class: 'page-head' }, link('/history', '← History', { class: 'back' }), h('h1', null, 'Run ', h('span', { class: 'mono', text: runId }))),
    body);
  let alive = true;
  let reloadTimer = null;

  async function load() {
    let res;
    try {
      res = await api.get(`/api/processing/runs/${encodeURIComponent(runId)}`);
    } catch (e) {
      if (alive) replace(body, e.status === 404 ? empty(`The engine has no run ${runId}.`) : errorBox(e));
      return;
    }
    let children = [];
    try {
      const retries = await api.get('/api/processing/history', { trigger_type: 'retry', limit: 200 });
      children = (retries.runs || []).filter((r) => r.parent_run_id === runId);
    } catch { /* the links are a convenience */ }
    if (alive) render(res, children);
  }

  function render(res, children) {
    const r = res.run;
    body.dataset.status = r.status;
    const summary = h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', { text: 'Summary' }), pill(r.status)),
      h('dl', { class: 'meta' },
        h('div', null, h('dt', { text: 'Started' }), h('dd', null, timeEl(r.started_at))),
        h('div', null, h('dt', { text: 'Finished' }), h('dd', null, timeEl(r.finished_at))),
        h('div', null, h('dt', { text: 'Duration' }), h('dd', { class: 'num', text: r.finished_at ? duration(r.duration_seconds) : '—' })),
        h('div', null, h('dt', { text: 'Trigger' }), h('dd', { text: r.trigger_type })),
        h('div', null, h('dt', { text: 'Universe' }), h('dd', { text: r.universe })),
        h('div', null, h('dt', { text: 'Run date' }), h('dd', { class: 'num', text: r.run_date })),
        h('div', null, h('dt', { text: 'Symbols' }), h('dd', { class: 'num', dataset: { field: 'symbols' }, text: `${num(r.symbols_processed)} processed of ${num(r.symbols_total)}, ${num(r.symbols_failed)} failed` })),
        h('div', null, h('dt', { text: 'Records imported' }), h('dd', { class: 'num', text: num(r.records_imported) })),
        h('div', null, h('dt', { text: 'Indicator values' }), h('dd', { class: 'num', text: num(r.indicators_calculated) })),
        h('div', null, h('dt', { text: 'Patterns detected' }), h('dd', { class: 'num', text: num(r.patterns_detected) })),
        r.parent_run_id ? h('div', null, h('dt', { text: 'Retry of' }), h('dd', null, link(`/history/${encodeURIComponent(r.parent_run_id)}`, shortId(r.parent_run_id), { class: 'mono', title: r.parent_run_id }))) : null,
        children.length ? h('div', null, h('dt', { text: 'Retried by' }), h('dd', null, children.map((c, i) => [i ? ', ' : '', link(`/history/${encodeURIComponent(c.run_id)}`, shortId(c.run_id), { class: 'mono', title: `${c.run_id} (${c.status})` })]))) : null,
        r.error ? h('div', { class: 'wide' }, h('dt', { text: 'Error' }), h('dd', { text: r.error })) : null));

    const phases = h('section', { class: 'card' }, h('h2', { text: 'Phases' }),
      res.phases && res.phases.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'run-phases' },
          h('thead', null, h('tr', null, ['Phase', 'Status', 'Total', 'OK', 'Failed', 'Success', 'Duration', 'Records'].map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : '', text: t })))),
          h('tbody', null, res.phases.map((p) => {
            const ck = PHASE_COUNT[p.phase];
            return h('tr', { dataset: { phase: p.phase } },
              h('td', { text: PHASE_LABEL[p.phase] || p.phase }), h('td', null, pill(p.status)),
              h('td', { class: 'num', text: num(p.total_symbols) }), h('td', { class: 'num', text: num(p.successful_symbols) }),
              h('td', { class: ['num', p.failed_symbols ? 'bad' : ''], text: num(p.failed_symbols) }),
              h('td', { class: 'num', text: p.success_rate === null || p.success_rate === undefined ? '—' : `${(p.success_rate * 100).toFixed(1)}%` }),
              h('td', { class: 'num', text: duration(p.duration_seconds) }),
              h('td', { class: 'num', text: ck && p[ck[0]] !== undefined ? `${num(p[ck[0]])} ${ck[1]}` : '—' }));
          }))))
        : empty('No phase of this run has started.'));

    const failed = res.failed_symbols || [];
    const retryMsg = h('p', { class: 'form-msg', role: 'status', id: 'retry-msg' });
    const boxes = [];
    const failedTable = failed.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'failed-symbols' },
        h('thead', null, h('tr', null, (ctx.canOperate ? [''] : []).concat(['Symbol', 'Phase', 'Code', 'Message', 'Attempts']).map((t, i) => h('th', { scope: 'col', class: t === 'Attempts' ? 'num' : '', text: t, ...(i === 0 && ctx.canOperate ? { 'aria-label': 'Select' } : {}) })))),
        h('tbody', null, failed.map((f) => {
          let box = null;
          if (ctx.canOperate) {
            box = h('input', { type: 'checkbox', value: f.symbol, 'aria-label': `Select ${f.symbol}` });
            boxes.push(box);
          }
          return h('tr', { dataset: { symbol: f.symbol } },
            ctx.canOperate ? h('td', null, box) : null,
            h('td', null, link(`/symbol/${encodeURIComponent(f.symbol)}`, f.symbol, { class: 'mono' })),
            h('td', { text: PHASE_LABEL[f.phase] || f.phase }), h('td', { class: 'mono', text: f.error_code }),
            h('td', { text: f.message }), h('td', { class: 'num', text: num(f.attempts) }));
        }))))
      : empty('No symbol failed in this run.');
    let actions = null;
    if (ctx.canOperate && failed.length) {
      const retryAll = h('button', { type: 'button', class: 'btn btn-primary', id: 'retry-all', text: `Retry all failed (${failed.length})` });
      const retrySel = h('button', { type: 'button', class: 'btn', id: 'retry-selected', text: 'Retry selected', disabled: true });
      for (const b of boxes) b.addEventListener('change', () => { retrySel.disabled = !boxes.some((x) => x.checked); });
      const retry = async (symbols) => {
        retryAll.disabled = true;
        retrySel.disabled = true;
        retryMsg.textContent = 'Starting retry…';
        try {
          const body2 = { run_id: runId };
          if (symbols) body2.symbols = [...new Set(symbols)];
          const out = await api.post('/api/processing/retry-imports', body2);
          replace(retryMsg, 'Retry run ', link(`/history/${encodeURIComponent(out.run_id)}`, shortId(out.run_id), { class: 'mono', title: out.run_id }), ` ${out.status} for ${num((out.symbols || []).length)} symbol(s).`);
        } catch (e) {
          retryMsg.textContent = `${e.code ? `${e.code}: ` : ''}${e.message}`;
        } finally {
          retryAll.disabled = false;
          retrySel.disabled = !boxes.some((x) => x.checked);
        }
      };
      retryAll.addEventListener('click', () => retry(null));
      retrySel.addEventListener('click', () => retry(boxes.filter((b) => b.checked).map((b) => b.value)));
      actions = h('div', { class: 'form-actions' }, retryAll, retrySel, retryMsg);
    }
    const failedCard = h('section', { class: 'card' }, h('h2', { text: `Failed symbols (${failed.length})` }), actions, failedTable);
    replace(body, summary, phases, failedCard);
    if (!TERMINAL.includes(r.status)) body.append(h('p', { class: 'muted small', text: 'This run is still going; the page updates when it finishes.' }));
  }

  const offs = ['processing_completed', 'processing_failed', 'processing_cancelled', 'processing_interrupted', 'processing_started']
    .map((n) => on(`event:${n}`, (e) => {
      if (e.runId === runId || (e.p && e.p.parent_run_id === runId)) {
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(load, 200);
      }
    }));
  load();
  return () => { alive = false; offs.forEach((f) => f()); clearTimeout(reloadTimer); };
}
