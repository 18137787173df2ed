// The dashboard's live state, shared by every page: the current (or last) run with its phase
// progress, engine health, the schedule, the event log and the error feed. Fed by the WebSocket
// (snapshot + events) and by a few API reads; pages subscribe with on(topic, fn).
import { api } from './api.js';
import { DOMAIN_PHASE, PHASES, TERMINAL } from './fmt.js';

const listeners = new Map();
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}
export function emit(topic, data) {
  for (const fn of [...(listeners.get(topic) || [])]) {
    try {
      fn(data);
    } catch (e) {
      console.error(e);
    }
  }
}

export const state = {
  me: null,
  conn: { state: 'idle' },
  status: null, // the latest status snapshot (get_processing_status)
  run: null, // the run model shown on the Processing page
  health: { redisConnected: null, heartbeatAt: null, heartbeatAgeBase: null, engineState: null, engineId: null, nextScheduled: null },
  schedule: null,
  log: [], // lifecycle events (not progress, not detections), newest first
  detections: [], // recent patterns_detected, newest first
  progressLog: [], // recent progress events, newest first
  errors: [], // error events, newest first
};

// ---- persistence across reloads (this tab only) ----
const LOG_KEY = 'tickstock.log.v1';
const LIMITS = { log: 400, detections: 150, progressLog: 150, errors: 500 };
function persist() {
  try {
    sessionStorage.setItem(LOG_KEY, JSON.stringify({ log: state.log, detections: state.detections, errors: state.errors }));
  } catch {
    /* storage full: the in-memory log still works */
  }
}
let persistTimer = null;
function persistSoon() {
  if (!persistTimer) persistTimer = setTimeout(() => { persistTimer = null; persist(); }, 200);
}
function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(LOG_KEY) || 'null');
    if (saved) {
      state.log = saved.log || [];
      state.detections = saved.detections || [];
      state.errors = saved.errors || [];
    }
  } catch {
    /* ignore a corrupt entry */
  }
}
restore();
window.addEventListener('pagehide', persist);

// Envelope ids already applied (de-duplication, as the protocol asks of consumers).
const seen = new Set();
const seenOrder = [];
for (const list of [state.log, state.detections, state.errors]) for (const e of list) seen.add(e.id);
function markSeen(id) {
  if (!id) return false;
  if (seen.has(id)) return true;
  seen.add(id);
  seenOrder.push(id);
  if (seenOrder.length > 5000) seen.delete(seenOrder.shift());
  return false;
}

let lastEventAt = 0;

export function payloadOf(env) {
  return env.payload || env.data || {};
}

// ---- the run model ----
const RANK = { pending: 0, queued: 0, running: 1 };
const rank = (s) => (s in RANK ? RANK[s] : TERMINAL.includes(s) ? 2 : 0);

function emptyPhase(phase) {
  return { phase, status: 'pending', done: 0, failed: 0, total: null, currentSymbol: null, eta: null, count: null, duration: null,
    rateBase: null, rate: null };
}

export function runFromSummary(s) {
  const phases = (s.phases && s.phases.length ? s.phases : PHASES).filter((p) => PHASES.includes(p));
  const model = {
    runId: s.run_id,
    status: s.status || 'running',
    universe: s.universe ?? null,
    triggerType: s.trigger_type ?? null,
    startedAt: s.started_at ?? null,
    finishedAt: s.finished_at ?? null,
    symbolsTotal: s.symbols_total ?? null,
    summary: s,
    parentRunId: s.parent_run_id ?? null,
    error: s.error ?? null,
    currentPhase: null,
    phases: {},
    order: phases,
  };
  for (const p of phases) model.phases[p] = emptyPhase(p);
  if (TERMINAL.includes(model.status)) for (const p of phases) model.phases[p].status = model.phases[p].status === 'pending' ? 'not_run' : model.phases[p].status;
  return model;
}

function applyPhaseSummary(model, sum) {
  const ph = model.phases[sum.phase];
  if (!ph) return;
  const done = (sum.successful_symbols ?? 0) + (sum.failed_symbols ?? 0);
  ph.done = Math.max(ph.done, done);
  ph.failed = Math.max(ph.failed, sum.failed_symbols ?? 0);
  ph.total = sum.total_symbols ?? ph.total;
  ph.duration = sum.duration_seconds ?? ph.duration;
  const countKey = Object.keys(sum).find((k) => ['records_imported', 'bars_resampled', 'indicators_calculated', 'patterns_detected'].includes(k));
  if (countKey) ph.count = sum[countKey];
  if (sum.status && rank(sum.status) >= rank(ph.status)) ph.status = sum.status;
  if (TERMINAL.includes(ph.status)) { ph.currentSymbol = null; ph.eta = null; }
}

function applyProgress(model, p, tsMs) {
  const ph = model.phases[p.phase];
  if (!ph) return;
  if (rank(ph.status) < 1) ph.status = 'running';
  ph.done = Math.max(ph.done, p.completed_symbols ?? 0);
  ph.failed = Math.max(ph.failed, p.failed_symbols ?? 0);
  ph.total = p.total_symbols ?? ph.total;
  if (ph.status === 'running') {
    ph.currentSymbol = p.current_symbol ?? null;
    ph.eta = p.eta_seconds ?? null;
  }
  const countKey = ['records_imported', 'bars_resampled', 'indicators_calculated', 'patterns_detected'].find((k) => k in p);
  if (countKey) ph.count = Math.max(ph.count ?? 0, p[countKey]);
  // Throughput from the engine's own timestamps: symbols finished per second since the first
  // progress this page saw of the phase.
  if (tsMs) {
    if (!ph.rateBase) ph.rateBase = { t: tsMs, done: ph.done };
    else if (tsMs > ph.rateBase.t && ph.done > ph.rateBase.done) ph.rate = (ph.done - ph.rateBase.done) / ((tsMs - ph.rateBase.t) / 1000);
  }
  model.currentPhase = p.phase;
}

/** Loads a run's per-phase summaries (get_run) into the model; safe to call at any time. */
async function fillFromRun(model) {
  try {
    const res = await api.get(`/api/processing/runs/${encodeURIComponent(model.runId)}`);
    if (state.run !== model) return;
    const phases = res.run && Array.isArray(res.run.phases) ? res.run.phases.filter((p) => PHASES.includes(p)) : null;
    if (phases && phases.length && phases.join() !== model.order.join()) {
      const old = model.phases;
      model.order = phases;
      model.phases = {};
      for (const p of phases) model.phases[p] = old[p] || emptyPhase(p);
    }
    if (res.run) {
      model.universe = res.run.universe ?? model.universe;
      model.triggerType = res.run.trigger_type ?? model.triggerType;
      model.startedAt = res.run.started_at ?? model.startedAt;
      model.symbolsTotal = res.run.symbols_total ?? model.symbolsTotal;
      model.parentRunId = res.run.parent_run_id ?? model.parentRunId;
    }
    for (const sum of res.phases || []) applyPhaseSummary(model, sum);
    if (res.run && rank(res.run.status) >= rank(model.status)) {
      model.status = res.run.status;
      model.summary = res.run;
      model.finishedAt = res.run.finished_at;
      model.error = res.run.error;
      if (TERMINAL.includes(model.status)) finishPhases(model);
    }
    emit('run', model);
  } catch (e) {
    if (e.status !== 404) console.warn('get_run failed', e);
  }
}

function finishPhases(model) {
  for (const ph of Object.values(model.phases)) {
    if (ph.status === 'pending') ph.status = 'not_run';
    if (ph.status === 'running') ph.status = model.status;
    ph.currentSymbol = null;
    ph.eta = null;
  }
}

export function applySnapshot(status) {
  if (!status) return;
  state.status = status;
  state.health.engineState = status.state ?? state.health.engineState;
  state.health.engineId = status.engine_id ?? state.health.engineId;
  state.health.nextScheduled = status.next_scheduled_run ?? null;
  const runSummary = status.current_run || status.last_run;
  // A snapshot older than events already applied (a slow GET racing the live feed) must not
  // take the page back to an earlier run.
  const stale = state.run && status.updated_at && lastEventAt && Date.parse(status.updated_at) < lastEventAt;
  if (runSummary && !(stale && runSummary.run_id !== state.run.runId)) {
    let model = state.run;
    if (!model || model.runId !== runSummary.run_id) {
      model = runFromSummary(runSummary);
      state.run = model;
    } else if (rank(runSummary.status) >= rank(model.status)) {
      model.status = runSummary.status;
      model.summary = runSummary;
    }
    if (status.current_run && status.current_progress && status.current_progress.run_id === model.runId) {
      applyProgress(model, status.current_progress, null);
    }
    if (TERMINAL.includes(model.status)) finishPhases(model);
    fillFromRun(model);
  }
  emit('run', state.run);
  emit('health', state.health);
}

function logEntry(msg, env, p) {
  return {
    id: env.id,
    streamId: msg.id || null,
    event: env.event,
    timestamp: env.timestamp,
    seq: env.seq ?? null,
    runId: p.run_id ?? env.run_id ?? null,
    p,
  };
}

function push(listName, entry) {
  const list = state[listName];
  list.unshift(entry);
  if (list.length > LIMITS[listName]) list.length = LIMITS[listName];
}

export function applyEvent(msg) {
  const env = msg.event || {};
  if (!env.event || markSeen(env.id)) return;
  const p = payloadOf(env);
  const name = env.event;
  const runId = p.run_id ?? env.run_id ?? null;
  const tsMs = Date.parse(env.timestamp) || null;
  if (tsMs && tsMs > lastEventAt) lastEventAt = tsMs;
  const entry = logEntry(msg, env, p);

  if (name.endsWith('_progress')) push('progressLog', entry);
  else if (name === 'patterns_detected') push('detections', entry);
  else if (name !== 'heartbeat') push('log', entry);
  if (name === 'error') push('errors', entry);

  // The run model.
  if (name === 'processing_started' && !(state.run && state.run.runId === runId)) {
    state.run = runFromSummary({ ...p, status: 'running', started_at: env.timestamp, symbols_total: p.symbols_total });
    state.health.engineState = 'running';
  } else if (name === 'processing_started') {
    /* a replay of the start of the run already shown: nothing to reset */
  } else if (runId && state.run && state.run.runId === runId) {
    const model = state.run;
    const domain = name.slice(0, name.lastIndexOf('_'));
    const kind = name.slice(name.lastIndexOf('_') + 1);
    const phase = DOMAIN_PHASE[domain] || p.phase;
    if (domain === 'processing' && TERMINAL.includes(p.status)) {
      model.status = p.status;
      model.finishedAt = env.timestamp;
      model.error = p.error ?? null;
      model.summary = { ...model.summary, ...p, status: p.status, finished_at: env.timestamp };
      for (const sum of p.phases || []) applyPhaseSummary(model, sum);
      finishPhases(model);
      state.health.engineState = 'idle';
    } else if (phase && model.phases[phase]) {
      if (kind === 'started') {
        const ph = model.phases[phase];
        if (rank(ph.status) < 1) ph.status = 'running';
        ph.total = p.total_symbols ?? ph.total;
        model.currentPhase = phase;
      } else if (kind === 'progress') applyProgress(model, p, tsMs);
      else if (kind === 'completed') applyPhaseSummary(model, p);
    }
  } else if (runId && (!state.run || state.run.runId !== runId) && /_(progress|started)$/.test(name)) {
    // A run this page has not seen start (it began while we were away): adopt it, and load what
    // the engine already recorded of it.
    state.run = runFromSummary({ run_id: runId, status: 'running' });
    if (name.endsWith('_progress')) applyProgress(state.run, p, tsMs);
    fillFromRun(state.run);
  }

  if (name === 'heartbeat') {
    state.health.heartbeatAt = Date.now();
    state.health.heartbeatAgeBase = null;
    state.health.engineState = p.state ?? state.health.engineState;
    state.health.engineId = p.engine_id ?? env.source ?? state.health.engineId;
    state.health.nextScheduled = p.next_scheduled_run ?? null;
    emit('health', state.health);
  }
  if (name === 'schedule_updated') {
    const { updated_by: updatedBy, ...schedule } = p;
    state.schedule = schedule;
    state.health.nextScheduled = schedule.enabled && schedule.next_fire ? schedule.next_fire.utc : null;
    emit('schedule', { schedule, updatedBy, live: true });
    emit('health', state.health);
  }
  if (name === 'schedule_skipped') emit('schedule_skipped', p);

  if (name.startsWith('processing_') || (runId && state.run && state.run.runId === runId && !name.endsWith('detected'))) emit('run', state.run);
  emit('event', entry);
  emit(`event:${name}`, entry);
  persistSoon();
}

/** The live feed could not resume where it stopped and starts again from a snapshot: say so in
 * the log (events of the gap are not shown), and reload the run from the engine. */
export function noteResync() {
  const entry = { id: `resync-${Date.now()}`, streamId: null, event: 'resync', timestamp: new Date().toISOString(), seq: null, runId: null,
    p: { message: 'The live connection could not resume where it stopped; it restarted from the current status. Events in between are not listed here.' } };
  push('log', entry);
  emit('event', entry);
  persistSoon();
}

export function setConn(c) {
  state.conn = c;
  emit('conn', c);
}

export function setRedis(connected) {
  state.health.redisConnected = connected;
  emit('health', state.health);
}

/** GET /api/app/status: Redis connection and heartbeat age as the app sees them. */
export async function refreshAppStatus() {
  try {
    const s = await api.get('/api/app/status');
    state.health.redisConnected = s.redis ? !!s.redis.connected : null;
    if (s.engine && s.engine.heartbeat_age_seconds !== null && s.engine.heartbeat_age_seconds !== undefined) {
      state.health.heartbeatAt = Date.now() - s.engine.heartbeat_age_seconds * 1000;
    }
    if (s.engine && s.engine.source) state.health.engineId = s.engine.source;
    emit('health', state.health);
  } catch (e) {
    if (e.status !== 401) console.warn('app status', e);
  }
}

export async function loadSchedule() {
  const s = await api.get('/api/processing/schedule');
  state.schedule = s;
  if (!state.health.nextScheduled && s.enabled && s.next_fire) state.health.nextScheduled = s.next_fire.utc;
  emit('schedule', { schedule: s, live: false });
  emit('health', state.health);
  return s;
}

export function clearLog() {
  state.log = [];
  state.detections = [];
  state.progressLog = [];
  persist();
  emit('log-cleared');
}
