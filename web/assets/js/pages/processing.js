// Processing (home): the current run's phase bars, trigger form, cancel, engine health and the
// live event log.
import { api } from '../api.js';
import { h, replace, field, link, empty, pill } from '../dom.js';
import { timeEl, num, num2, duration, age, shortId, localTime, nyTime, clock, PHASES, PHASE_LABEL, PHASE_COUNT, TERMINAL } from '../fmt.js';
import { state, on, loadSchedule, clearLog } from '../store.js';
import { describe } from '../events.js';

export function mount(root, _params, ctx) {
  const offs = [];
  const timers = [];

  // ---------- current run ----------
  const runTitle = h('h2', { id: 'run-title', text: 'Current run' });
  const runPill = h('span', { id: 'run-status' });
  const cancelBtn = ctx.canOperate ? h('button', { type: 'button', class: 'btn btn-danger', id: 'cancel-run', text: 'Cancel run', disabled: true }) : null;
  const runMeta = h('dl', { class: 'meta', id: 'run-meta' });
  const phaseBox = h('div', { class: 'phases', id: 'phases' });
  // Screen readers hear each phase start and end and the run's end, not every count.
  const announce = h('p', { class: 'sr-only', id: 'run-announce', 'aria-live': 'polite', role: 'status' });
  const announced = new Map();
  const runStats = h('dl', { class: 'meta meta-stats', id: 'run-stats' });
  const runMsg = h('p', { class: 'form-msg', id: 'cancel-msg', role: 'status' });
  const runCard = h('section', { class: 'card card-run', id: 'run-card', 'aria-labelledby': 'run-title' },
    h('div', { class: 'card-head' }, runTitle, runPill, h('span', { class: 'spacer' }), cancelBtn),
    runMeta, phaseBox, runStats, runMsg, announce);

  let phaseRows = {};
  let phaseKey = '';
  function buildPhases(run) {
    phaseRows = {};
    const rows = [];
    for (const p of run.order) {
      const bar = h('div', { class: 'bar-fill' });
      const track = h('div', {
        class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
        'aria-label': `${PHASE_LABEL[p]} progress`,
      }, bar);
      const counts = h('span', { class: 'phase-counts num' });
      const failed = h('span', { class: 'phase-failed num' });
      const extra = h('span', { class: 'phase-extra num muted' });
      const status = h('span', { class: 'phase-status' });
      const row = h('div', { class: 'phase', dataset: { phase: p } },
        h('span', { class: 'phase-name', text: PHASE_LABEL[p] }), track, counts, failed, extra, status);
      phaseRows[p] = { row, track, bar, counts, failed, extra, status };
      rows.push(row);
    }
    replace(phaseBox, rows);
  }

  function renderRun() {
    const run = state.run;
    if (!run) {
      runTitle.textContent = 'Current run';
      replace(runPill);
      replace(runMeta);
      replace(phaseBox, empty('No runs yet. Trigger one below, or wait for the schedule.'));
      replace(runStats);
      runCard.dataset.runId = '';
      runCard.dataset.runStatus = '';
      phaseKey = '';
      if (cancelBtn) cancelBtn.disabled = true;
      return;
    }
    const active = !TERMINAL.includes(run.status);
    runTitle.textContent = active ? 'Current run' : 'Last run';
    replace(runPill, pill(run.status));
    runCard.dataset.runId = run.runId;
    runCard.dataset.runStatus = run.status;
    if (cancelBtn) cancelBtn.disabled = !active;
    const sum = run.summary || {};
    replace(runMeta,
      h('div', null, h('dt', { text: 'Run' }), h('dd', null, link(`/history/${encodeURIComponent(run.runId)}`, shortId(run.runId), { title: run.runId, class: 'mono' }))),
      h('div', null, h('dt', { text: 'Universe' }), h('dd', { text: run.universe ?? '—' })),
      h('div', null, h('dt', { text: 'Symbols' }), h('dd', { class: 'num', text: num(run.symbolsTotal) })),
      h('div', null, h('dt', { text: 'Trigger' }), h('dd', { text: run.triggerType ?? '—' })),
      h('div', null, h('dt', { text: 'Started' }), h('dd', null, timeEl(run.startedAt, { short: true }))),
      h('div', null, h('dt', { text: active ? 'Elapsed' : 'Duration' }), h('dd', { class: 'num', id: 'run-elapsed',
        text: active ? (run.startedAt ? duration((Date.now() - Date.parse(run.startedAt)) / 1000) : '—') : duration(sum.duration_seconds) })),
      run.parentRunId ? h('div', null, h('dt', { text: 'Retry of' }), h('dd', null, link(`/history/${encodeURIComponent(run.parentRunId)}`, shortId(run.parentRunId), { class: 'mono' }))) : null,
    );
    const key = `${run.runId}|${run.order.join()}`;
    if (key !== phaseKey) {
      buildPhases(run);
      phaseKey = key;
    }
    for (const p of run.order) {
      const ph = run.phases[p];
      const r = phaseRows[p];
      const pct = ph.total ? Math.min(100, Math.round((ph.done / ph.total) * 1000) / 10) : (ph.status === 'completed' || ph.status === 'completed_with_errors' ? 100 : 0);
      r.bar.style.width = `${pct}%`;
      r.track.setAttribute('aria-valuenow', String(pct));
      r.track.setAttribute('aria-valuetext', `${num(ph.done)} of ${ph.total === null ? 'unknown' : num(ph.total)} symbols done, ${num(ph.failed)} failed`);
      Object.assign(r.row.dataset, { status: ph.status, done: String(ph.done), failed: String(ph.failed), total: ph.total === null ? '' : String(ph.total) });
      r.row.classList.toggle('has-failures', ph.failed > 0);
      r.counts.textContent = `${num(ph.done)} / ${ph.total === null ? '—' : num(ph.total)}`;
      r.failed.textContent = ph.failed ? `${num(ph.failed)} failed` : '';
      r.extra.textContent = ph.count !== null ? `${num(ph.count)} ${PHASE_COUNT[p][1]}` : '';
      replace(r.status, ph.status === 'pending' ? h('span', { class: 'muted', text: 'waiting' }) : pill(ph.status));
    }
    const said = [];
    for (const p of run.order) {
      const key = `${run.runId}|${p}`;
      const st = run.phases[p].status;
      if (announced.has(key) && announced.get(key) !== st && st !== 'pending') said.push(`${PHASE_LABEL[p]} ${st.replace(/_/g, ' ')}`);
      announced.set(key, st);
    }
    if (announced.has(run.runId) && announced.get(run.runId) !== run.status) said.push(`Run ${run.status.replace(/_/g, ' ')}`);
    announced.set(run.runId, run.status);
    if (said.length) announce.textContent = `${said.join('. ')}.`;
    const cur = run.currentPhase ? run.phases[run.currentPhase] : null;
    const running = active && cur && cur.status === 'running';
    replace(runStats,
      h('div', null, h('dt', { text: 'Phase' }), h('dd', { text: running ? PHASE_LABEL[run.currentPhase] : '—' })),
      h('div', null, h('dt', { text: 'Current symbol' }), h('dd', { class: 'mono', id: 'current-symbol', text: running && cur.currentSymbol ? cur.currentSymbol : '—' })),
      h('div', null, h('dt', { text: 'Throughput' }), h('dd', { class: 'num', text: running && cur.rate ? `${num2(cur.rate)} symbols/s` : '—' })),
      h('div', null, h('dt', { text: 'ETA (phase)' }), h('dd', { class: 'num', text: running && cur.eta !== null ? duration(cur.eta) : '—' })),
      run.error ? h('div', { class: 'wide' }, h('dt', { text: 'Note' }), h('dd', { text: run.error })) : null,
    );
  }

  let raf = 0;
  const scheduleRender = () => { if (!raf) raf = requestAnimationFrame(() => { raf = 0; renderRun(); }); };
  offs.push(on('run', scheduleRender));
  timers.push(setInterval(() => {
    const el = root.querySelector('#run-elapsed');
    if (el && state.run && !TERMINAL.includes(state.run.status) && state.run.startedAt) el.textContent = duration((Date.now() - Date.parse(state.run.startedAt)) / 1000);
  }, 1000));

  if (cancelBtn) {
    cancelBtn.addEventListener('click', async () => {
      const run = state.run;
      if (!run) return;
      cancelBtn.disabled = true;
      runMsg.textContent = 'Cancelling…';
      try {
        const res = await api.del('/api/processing/cancel', { run_id: run.runId });
        runMsg.textContent = res && res.cancel_requested ? `Cancel requested for run ${shortId(res.run_id)}; it stops after the symbols in flight.` : 'Cancel sent.';
      } catch (e) {
        runMsg.textContent = `Cancel failed: ${e.code ? `${e.code}: ` : ''}${e.message}`;
        cancelBtn.disabled = TERMINAL.includes(state.run?.status);
      }
    });
  }

  // ---------- trigger form ----------
  let triggerCard = null;
  if (ctx.canOperate) {
    const modeUniverse = h('input', { type: 'radio', name: 'target', value: 'universe', checked: true });
    const modeSymbols = h('input', { type: 'radio', name: 'target', value: 'symbols' });
    const universeSel = h('select', { name: 'universe', id: 'trigger-universe' }, h('option', { value: '', text: 'Engine default' }));
    const symbolsIn = h('input', { name: 'symbols', id: 'trigger-symbols', placeholder: 'AAPL, MSFT', disabled: true, autocomplete: 'off', spellcheck: 'false' });
    const phaseBoxes = PHASES.map((p) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'phase', value: p, checked: true }), PHASE_LABEL[p]));
    const skip = h('input', { type: 'checkbox', name: 'skip_market_check', id: 'trigger-skip' });
    const full = h('input', { type: 'checkbox', name: 'full', id: 'trigger-full' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'trigger-run', text: 'Start run' });
    const msg = h('p', { class: 'form-msg', role: 'status', id: 'trigger-msg' });
    let universeEl = universeSel; // a text input instead when the list is unavailable
    const sync = () => {
      universeEl.disabled = !modeUniverse.checked;
      symbolsIn.disabled = !modeSymbols.checked;
    };
    modeUniverse.addEventListener('change', sync);
    modeSymbols.addEventListener('change', sync);
    const form = h('form', { class: 'form', id: 'trigger-form', novalidate: true },
      h('fieldset', { class: 'inline' }, h('legend', { text: 'Process' }),
        h('label', { class: 'check' }, modeUniverse, 'Universe'), universeSel,
        h('label', { class: 'check' }, modeSymbols, 'Symbols'), symbolsIn),
      h('fieldset', { class: 'inline' }, h('legend', { text: 'Phases' }), phaseBoxes),
      h('fieldset', { class: 'inline' }, h('legend', { text: 'Options' }),
        h('label', { class: 'check' }, skip, 'Skip market check'),
        h('label', { class: 'check' }, full, 'Full recompute')),
      h('div', { class: 'form-actions' }, submit, msg));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {};
      if (modeSymbols.checked) {
        const symbols = symbolsIn.value.toUpperCase().split(/[\s,;]+/).filter(Boolean);
        if (!symbols.length) {
          msg.textContent = 'Enter at least one symbol.';
          symbolsIn.focus();
          return;
        }
        body.symbols = [...new Set(symbols)];
      } else if (universeEl.value.trim()) body.universe = universeEl.value.trim();
      const phases = phaseBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (!phases.length) {
        msg.textContent = 'Choose at least one phase.';
        return;
      }
      body.phases = phases;
      body.skip_market_check = skip.checked;
      body.full = full.checked;
      submit.disabled = true;
      msg.textContent = 'Starting…';
      try {
        const res = await api.post('/api/processing/trigger-manual', body);
        replace(msg, `Run `, link(`/history/${encodeURIComponent(res.run_id)}`, shortId(res.run_id), { class: 'mono', title: res.run_id }),
          res.existing ? ' already exists.' : ` ${res.status}.`);
        msg.dataset.runId = res.run_id;
      } catch (e) {
        let text = `${e.code ? `${e.code}: ` : ''}${e.message}`;
        if (e.code === 'MARKET_CLOSED') text += ' (tick "Skip market check" to run anyway)';
        if (e.code === 'ALREADY_RUNNING') text += ' (cancel it or wait)';
        msg.textContent = text;
      } finally {
        submit.disabled = false;
      }
    });
    api.get('/api/universes').then((res) => {
      for (const u of res.universes || []) universeSel.append(h('option', { value: u.name, text: `${u.name} (${num(u.symbols)})`, title: u.description || '' }));
    }).catch((e) => {
      // Without the list, a name can still be typed.
      const input = h('input', { name: 'universe', id: 'trigger-universe', placeholder: 'dow30', autocomplete: 'off' });
      universeSel.replaceWith(input);
      universeEl = input;
      input.disabled = !modeUniverse.checked;
      msg.textContent = `Universe list unavailable (${e.message}); type a universe name.`;
    });
    triggerCard = h('section', { class: 'card', 'aria-labelledby': 'trigger-title' }, h('h2', { id: 'trigger-title', text: 'Trigger a run' }), form);
  }

  // ---------- engine health ----------
  const hb = h('dd', { class: 'num', id: 'health-heartbeat' });
  const redis = h('dd', { id: 'health-redis' });
  const engine = h('dd', { id: 'health-engine' });
  const nextLocal = h('dd', { class: 'num', id: 'health-next-local' });
  const nextNy = h('dd', { class: 'num', id: 'health-next-ny' });
  const healthCard = h('section', { class: 'card', 'aria-labelledby': 'health-title' },
    h('h2', { id: 'health-title', text: 'Engine health' }),
    h('dl', { class: 'meta meta-col' },
      h('div', null, h('dt', { text: 'Heartbeat' }), hb),
      h('div', null, h('dt', { text: 'Redis' }), redis),
      h('div', null, h('dt', { text: 'Engine' }), engine),
      h('div', null, h('dt', { text: 'Next scheduled run (local)' }), nextLocal),
      h('div', null, h('dt', { text: 'Next scheduled run (New York)' }), nextNy)));
  function renderHealth() {
    const hs = state.health;
    const ageS = hs.heartbeatAt ? (Date.now() - hs.heartbeatAt) / 1000 : null;
    replace(hb, ageS === null ? h('span', { class: 'muted', text: 'none received yet' }) : h('span', { class: ageS > 15 ? 'bad' : '', text: age(ageS) }));
    replace(redis, hs.redisConnected === null ? h('span', { class: 'muted', text: 'unknown' }) : pill(hs.redisConnected ? 'connected' : 'disconnected'));
    replace(engine, hs.engineState ? pill(hs.engineState) : h('span', { class: 'muted', text: 'unknown' }), hs.engineId ? h('span', { class: 'muted small mono', text: ` ${hs.engineId}` }) : null);
    if (hs.nextScheduled) {
      nextLocal.textContent = localTime(hs.nextScheduled);
      nextNy.textContent = nyTime(hs.nextScheduled);
    } else {
      nextLocal.textContent = state.schedule && !state.schedule.enabled ? 'schedule disabled' : '—';
      nextNy.textContent = nextLocal.textContent;
    }
  }
  offs.push(on('health', renderHealth));
  offs.push(on('schedule', renderHealth));
  timers.push(setInterval(renderHealth, 1000));
  if (!state.schedule) loadSchedule().catch(() => {});

  // ---------- live event log ----------
  const showProgress = h('input', { type: 'checkbox', id: 'log-progress' });
  const showDetections = h('input', { type: 'checkbox', id: 'log-detections' });
  const clearBtn = h('button', { type: 'button', class: 'btn btn-small btn-ghost', text: 'Clear' });
  const logList = h('ol', { class: 'log', id: 'event-log', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const logCard = h('section', { class: 'card card-log', 'aria-labelledby': 'log-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'log-title', text: 'Live event log' }), h('span', { class: 'spacer' }),
      h('label', { class: 'check small' }, showProgress, 'Progress'),
      h('label', { class: 'check small' }, showDetections, 'Detections'), clearBtn),
    logList);
  function logItem(e) {
    const cls = e.event === 'error' ? `log-${e.p.severity}` : e.event.startsWith('processing_') ? 'log-run' : '';
    return h('li', { class: ['log-item', cls], dataset: { event: e.event, id: e.id, runId: e.runId || '' } },
      timeEl(e.timestamp, { clockOnly: true }),
      h('span', { class: 'log-event mono', text: e.event }),
      e.runId ? link(`/history/${encodeURIComponent(e.runId)}`, shortId(e.runId), { class: 'mono muted log-run-id', title: e.runId }) : h('span', { class: 'log-run-id' }),
      h('span', { class: 'log-text', text: describe(e.event, e.p) }));
  }
  function wanted(e) {
    if (e.event.endsWith('_progress')) return showProgress.checked;
    if (e.event === 'patterns_detected') return showDetections.checked;
    return true;
  }
  function renderLog() {
    const items = [...state.log, ...(showProgress.checked ? state.progressLog : []), ...(showDetections.checked ? state.detections : [])]
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0)).slice(0, 300);
    if (!items.length) replace(logList, h('li', { class: 'empty', text: 'No events since this tab opened. They appear here as the engine sends them.' }));
    else replace(logList, items.map(logItem));
  }
  showProgress.addEventListener('change', renderLog);
  showDetections.addEventListener('change', renderLog);
  clearBtn.addEventListener('click', () => { clearLog(); renderLog(); });
  offs.push(on('event', (e) => {
    if (!wanted(e) || e.event === 'heartbeat') return;
    const emptyLi = logList.querySelector('.empty');
    if (emptyLi) emptyLi.remove();
    logList.prepend(logItem(e));
    while (logList.children.length > 300) logList.lastChild.remove();
  }));

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'Processing' })),
    h('div', { class: 'grid grid-processing' },
      h('div', { class: 'col-main' }, runCard, triggerCard),
      h('div', { class: 'col-side' }, healthCard)),
    logCard);
  renderRun();
  renderHealth();
  renderLog();

  return () => {
    offs.forEach((f) => f());
    timers.forEach(clearInterval);
    cancelAnimationFrame(raf);
  };
}
