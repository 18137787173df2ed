// Browser tests of the TickStock dashboard: playwright-core driving Debian's chromium against a
// real `tickstock up` (engine + app + private Redis, SQLite, synthetic data) on 127.0.0.1.
//
//   node tests/browser/run.mjs --tickstock <binary> --artifacts <dir> [--update-docs]
//
// Each case is an independent assertion with its own message; the run ends with the line
// "N passed, N failed" and exits non-zero when any case failed. Screenshots of every page go to
// the artifacts directory; --update-docs also copies them to docs/screenshots/.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
// Absolute: the server is started with its data directory as the working directory.
const TICKSTOCK_ARG = opt('--tickstock', process.env.TICKSTOCK_BINARY);
const TICKSTOCK = TICKSTOCK_ARG && path.resolve(TICKSTOCK_ARG);
const ARTIFACTS = path.resolve(opt('--artifacts', path.join(os.tmpdir(), 'tickstock-browser-artifacts')));
const UPDATE_DOCS = args.includes('--update-docs');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!TICKSTOCK || !fs.existsSync(TICKSTOCK)) {
  console.error(`run.mjs: --tickstock <path to the tickstock binary> is required (got ${TICKSTOCK})`);
  process.exit(2);
}
fs.mkdirSync(ARTIFACTS, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted'];
const PHASE_COUNT = { import: 'records_imported', cache_sync: 'bars_resampled', indicators: 'indicators_calculated', patterns: 'patterns_detected' };

class AssertionError extends Error {}
function check(cond, message) {
  if (!cond) throw new AssertionError(message);
}
function eq(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new AssertionError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
async function waitFor(what, fn, { timeout = 60000, interval = 200 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new AssertionError(`timed out after ${timeout / 1000} s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(interval);
  }
}
const toInt = (s) => Number(String(s).replace(/[^0-9-]/g, ''));

// ---------------------------------------------------------------- the system under test
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickstock-browser-'));
const profiles = [];
let up = null;
let upLog = '';
let browsers = [];

function cleanup() {
  if (up && up.exitCode === null) {
    try { process.kill(-up.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

async function startUp() {
  // The front end under test is this tree's web/ (not whatever the binary was built with).
  const argv = ['up', '--data-dir', dataDir, '--http-app', '127.0.0.1:0', '--http', 'off', '--web-dir', path.join(ROOT, 'web')];
  console.log(`# starting: ${TICKSTOCK} ${argv.join(' ')}`);
  up = spawn(TICKSTOCK, argv, { cwd: dataDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = fs.createWriteStream(path.join(ARTIFACTS, 'tickstock-up.log'));
  const onData = (d) => { upLog += d.toString(); logFile.write(d); };
  up.stdout.on('data', onData);
  up.stderr.on('data', onData);
  const base = await waitFor('the "Dashboard: http://..." line of tickstock up', () => {
    if (up.exitCode !== null) throw new Error(`tickstock up exited with ${up.exitCode}:\n${upLog.slice(-2000)}`);
    const m = upLog.match(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/?/);
    return m ? m[1] : null;
  }, { timeout: 60000 });
  const db = (upLog.match(/Database:\s+sqlite:(\S+)/) || [])[1] || path.join(dataDir, 'tickstock.db');
  const pwFile = path.join(dataDir, 'admin-password.txt');
  await waitFor('admin-password.txt', () => fs.existsSync(pwFile), { timeout: 20000 });
  const raw = fs.readFileSync(pwFile, 'utf8');
  const pwMatch = raw.match(/password\s*[:=]\s*(\S+)/i);
  const adminPassword = (pwMatch ? pwMatch[1] : raw).trim();
  return { base, db, adminPassword };
}

function addUser(name, role, password) {
  execFileSync(TICKSTOCK, ['app', 'user', 'add', name, '--role', role, '--password-stdin', '--db', `sqlite:${path.join(dataDir, 'app.db')}`],
    { input: `${password}\n`, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 });
}

function sql(db, query) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, query], { encoding: 'utf8', timeout: 30000 });
  return out.trim() ? JSON.parse(out) : [];
}

/** A signed-in API client (cookie + CSRF), for setting up and for the truth side of checks. */
class Session {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }
  async login(username, password) {
    const r = await fetch(`${this.base}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (r.status !== 200) throw new Error(`login ${username}: HTTP ${r.status} ${await r.text()}`);
    const setCookie = r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie')];
    this.cookie = setCookie.map((c) => c.split(';')[0]).filter((c) => c.startsWith('ts_session=')).join('; ');
    this.csrf = (await r.json()).csrf_token;
    return this;
  }
  async req(method, p, body) {
    const headers = { Cookie: this.cookie, Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  async get(p) {
    const r = await this.req('GET', p);
    if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

async function waitIdle(api, what = 'the engine to be idle', timeout = 180000) {
  return waitFor(what, async () => {
    const s = await api.get('/api/processing/status');
    return !s.current_run && s.last_run && TERMINAL.includes(s.last_run.status) ? s : null;
  }, { timeout, interval: 250 });
}

async function newContext(opts = {}) {
  // A fresh profile for every browser: its own temporary user-data directory.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickstock-chromium-'));
  profiles.push(dir);
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
    viewport: { width: 1280, height: 860 },
    ...opts,
  });
  browsers.push(ctx);
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
  return { ctx, page };
}

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  // The whole page, cut at 1800 px (a long table need not be photographed to its end).
  const height = Math.min(1800, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize().width, height } });
  return file;
}

async function uiLogin(page, base, username, password) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login/, { timeout: 15000 });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 });
  await page.waitForSelector('#user .user-name', { timeout: 15000 });
}

async function waitLive(page) {
  await page.waitForSelector('#conn[data-state="open"]', { timeout: 20000 });
}

/** Triggers a run from the Processing page form; returns its run id. */
async function uiTrigger(page, { universe, phases, full = true }) {
  await page.waitForSelector('#trigger-form');
  const u = page.locator('#trigger-universe');
  if ((await u.evaluate((el) => el.tagName)) === 'SELECT') {
    await page.waitForSelector(`#trigger-universe option[value="${universe}"]`, { state: 'attached', timeout: 15000 });
    await u.selectOption(universe);
  } else await u.fill(universe);
  for (const box of await page.locator('#trigger-form input[name="phase"]').all()) {
    const want = !phases || phases.includes(await box.getAttribute('value'));
    if ((await box.isChecked()) !== want) await box.setChecked(want);
  }
  await page.locator('#trigger-skip').setChecked(true);
  await page.locator('#trigger-full').setChecked(full);
  await page.evaluate(() => { delete document.getElementById('trigger-msg').dataset.runId; });
  await page.click('#trigger-run');
  const handle = await page.waitForFunction(() => {
    const m = document.getElementById('trigger-msg');
    return m && (m.dataset.runId || (/[A-Z_]{4,}:/.test(m.textContent) ? `ERROR ${m.textContent}` : null));
  }, null, { timeout: 20000 });
  const id = await handle.jsonValue();
  check(!id.startsWith('ERROR'), `the trigger form reported an error: ${id}`);
  return id;
}

/** The phase rows of the Processing page as data. */
async function phaseRows(page) {
  return page.$$eval('#phases .phase', (rows) => rows.map((r) => ({
    phase: r.dataset.phase, status: r.dataset.status, done: Number(r.dataset.done), failed: Number(r.dataset.failed),
    total: r.dataset.total === '' ? null : Number(r.dataset.total),
    valuenow: Number(r.querySelector('[role="progressbar"]').getAttribute('aria-valuenow')),
  })));
}

function comparePhases(rows, run, label) {
  eq(rows.map((r) => r.phase), run.phases.map((p) => p.phase), `${label}: phase bars shown`);
  for (const p of run.phases) {
    const r = rows.find((x) => x.phase === p.phase);
    eq({ done: r.done, failed: r.failed, total: r.total }, { done: p.successful_symbols + p.failed_symbols, failed: p.failed_symbols, total: p.total_symbols },
      `${label}: ${p.phase} bar done/failed/total vs the engine's get_run`);
  }
}

// ---------------------------------------------------------------- the cases
const cases = [];
const test = (name, fn) => cases.push({ name, fn });
const ctxState = {};

test('1 log in', async ({ base, adminPassword }) => {
  const { page } = await newContext();
  ctxState.admin = page;
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login\?next=/, { timeout: 15000 });
  await page.waitForSelector('#login-form');
  await shot(page, 'login');
  // A wrong password is refused and says so.
  await page.fill('#username', 'admin');
  await page.fill('#password', 'not-the-password');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error:not([hidden])', { timeout: 15000 });
  check(new URL(page.url()).pathname === '/login', 'a wrong password must stay on /login');
  await page.fill('#username', 'admin');
  await page.fill('#password', adminPassword);
  await page.click('#login-submit');
  await page.waitForURL((u) => u.pathname === '/', { timeout: 15000 });
  const who = await page.textContent('#user .user-name', { timeout: 15000 });
  eq(who, 'admin', 'signed-in user shown in the top bar');
  await page.waitForSelector('main[data-page="processing"]');
  await waitLive(page);
});

test('2 trigger a dow30 run: every phase bar reaches 100% and History shows it completed with the engine\'s counts', async ({ base, api, db }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  await waitIdle(api);
  await page.goto(`${base}/`);
  await waitLive(page);
  const runId = await uiTrigger(page, { universe: 'dow30' });
  ctxState.dowRun = runId;
  await page.waitForSelector(`#run-card[data-run-id="${runId}"]`, { timeout: 30000 });
  await shot(page, 'processing-running');
  await page.waitForFunction((id) => {
    const c = document.getElementById('run-card');
    return c && c.dataset.runId === id && ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted'].includes(c.dataset.runStatus);
  }, runId, { timeout: 120000 });
  const status = await page.getAttribute('#run-card', 'data-run-status');
  eq(status, 'completed', 'the run\'s status on the Processing page');
  await page.waitForFunction(() => [...document.querySelectorAll('#phases [role="progressbar"]')].every((b) => b.getAttribute('aria-valuenow') === '100'), null, { timeout: 15000 })
    .catch(async () => { throw new AssertionError(`not every phase bar reached 100%: ${JSON.stringify(await phaseRows(page))}`); });
  const rows = await phaseRows(page);
  eq(rows.length, 4, 'number of phase bars (import, cache_sync, indicators, patterns)');
  const engine = await api.get(`/api/processing/runs/${runId}`);
  comparePhases(rows, engine, 'Processing page');
  await shot(page, 'processing');

  // History: the row of this run, completed, with the engine's counts (API and the database).
  await page.click('nav [data-nav="history"]');
  const row = page.locator(`#history-table tr[data-run-id="${runId}"]`);
  await row.waitFor({ timeout: 20000 });
  eq(await row.getAttribute('data-status'), 'completed', 'status of the run in History');
  const cells = {
    ok: toInt(await row.locator('[data-col="ok"]').textContent()),
    failed: toInt(await row.locator('[data-col="failed"]').textContent()),
    indicators: toInt(await row.locator('[data-col="indicators"]').textContent()),
    patterns: toInt(await row.locator('[data-col="patterns"]').textContent()),
  };
  const r = engine.run;
  eq(cells, { ok: r.symbols_processed, failed: r.symbols_failed, indicators: r.indicators_calculated, patterns: r.patterns_detected }, 'History row vs GET /api/processing/runs/<id>');
  const [dbRow] = sql(db, `SELECT status, symbols_processed, symbols_failed, indicators_calculated, patterns_detected FROM processing_runs WHERE run_id = '${runId}'`);
  check(dbRow, `run ${runId} is not in the engine's database`);
  eq(cells, { ok: dbRow.symbols_processed, failed: dbRow.symbols_failed, indicators: dbRow.indicators_calculated, patterns: dbRow.patterns_detected }, 'History row vs the engine\'s SQLite processing_runs row');
  eq(dbRow.status, 'completed', 'status in the engine\'s database');
  check(r.patterns_detected > 0 && r.indicators_calculated > 0, `a full dow30 run computes indicators and detects patterns (got ${r.indicators_calculated} / ${r.patterns_detected})`);
  await shot(page, 'history');
  await page.goto(`${base}/history/${runId}`);
  await page.waitForSelector('#run-detail[data-status="completed"] #run-phases');
  await shot(page, 'run-detail');
});

test('3 cancel a second run mid-way: it shows as cancelled', async ({ base, api }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  let runId = null;
  let final = null;
  // The engine's run is cooperative and fast on synthetic data: if a run finishes before the
  // cancel reaches it, try again (a few times) with a fresh full recompute.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await waitIdle(api);
    await page.goto(`${base}/`);
    await waitLive(page);
    runId = await uiTrigger(page, { universe: 'sp500', phases: ['import', 'cache_sync', 'indicators'] });
    await page.waitForFunction((id) => {
      const c = document.getElementById('run-card');
      return c && c.dataset.runId === id && c.dataset.runStatus === 'running' && !document.getElementById('cancel-run').disabled;
    }, runId, { timeout: 30000 });
    await page.click('#cancel-run');
    await page.waitForFunction((id) => {
      const c = document.getElementById('run-card');
      return c && c.dataset.runId === id && ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted'].includes(c.dataset.runStatus);
    }, runId, { timeout: 120000 });
    final = await page.getAttribute('#run-card', 'data-run-status');
    if (final === 'cancelled') break;
    console.log(`# attempt ${attempt}: run ${runId} ended ${final} before the cancel took effect; trying again`);
  }
  eq(final, 'cancelled', 'status of the cancelled run on the Processing page');
  const rows = await phaseRows(page);
  check(rows.some((r) => r.total && r.done < r.total), `a run cancelled mid-way leaves some phase unfinished: ${JSON.stringify(rows)}`);
  const engine = await api.get(`/api/processing/runs/${runId}`);
  eq(engine.run.status, 'cancelled', 'status in GET /api/processing/runs/<id>');
  await shot(page, 'processing-cancelled');
  await page.goto(`${base}/history`);
  const row = page.locator(`#history-table tr[data-run-id="${runId}"]`);
  await row.waitFor({ timeout: 20000 });
  eq(await row.getAttribute('data-status'), 'cancelled', 'status of the cancelled run in History');
  await page.goto(`${base}/history/${runId}`);
  await page.waitForSelector('#run-detail[data-status="cancelled"]', { timeout: 20000 });
});

test('4 edit the schedule: persists across a reload and shows live in a second browser context', async ({ base, api, operatorPassword }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  const before = await api.get('/api/processing/schedule');
  // A time about 12 hours from now in the schedule's zone, so that no run fires during the tests.
  const hh = Number(new Intl.DateTimeFormat('en-GB', { timeZone: before.timezone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  let newTime = `${String((hh + 12) % 24).padStart(2, '0')}:${before.trigger_time.endsWith('37') ? '41' : '37'}`;
  if (newTime === before.trigger_time) newTime = newTime.replace(/:\d\d$/, ':43');
  const { page: other } = await newContext();
  ctxState.operator = other;
  await uiLogin(other, base, 'operator1', operatorPassword);
  await other.goto(`${base}/schedule`);
  await waitLive(other);
  await other.waitForSelector(`#sched-form[data-trigger-time="${before.trigger_time}"]`, { timeout: 20000 });
  check(await other.locator('#sched-save').count() === 0, 'an operator sees no Save button on the Schedule page');

  await page.goto(`${base}/schedule`);
  await waitLive(page);
  await page.waitForSelector(`#sched-form[data-trigger-time="${before.trigger_time}"]`, { timeout: 20000 });
  await page.fill('#sched-time', newTime);
  await page.click('#sched-save');
  await page.waitForFunction(() => document.getElementById('sched-msg').textContent === 'Saved.', null, { timeout: 20000 })
    .catch(async () => { throw new AssertionError(`saving failed: ${await page.textContent('#sched-msg')}`); });

  // Live in the other browser, from the schedule_updated event (no reload there).
  await other.waitForSelector(`#sched-form[data-trigger-time="${newTime}"]`, { timeout: 20000 })
    .catch(async () => { throw new AssertionError(`the second browser still shows ${await other.getAttribute('#sched-form', 'data-trigger-time')}, not ${newTime}`); });
  eq(await other.inputValue('#sched-time'), newTime, 'time field in the second browser');
  check(!(await other.locator('#sched-live').isHidden()), 'the second browser says the schedule was updated');
  await shot(other, 'schedule-live-update');

  // Persists: reload, and the engine has it.
  await page.reload();
  await page.waitForSelector(`#sched-form[data-trigger-time="${newTime}"]`, { timeout: 20000 });
  eq(await page.inputValue('#sched-time'), newTime, 'time field after a reload');
  eq((await api.get('/api/processing/schedule')).trigger_time, newTime, 'trigger_time from GET /api/processing/schedule');
  await shot(page, 'schedule');
});

test('5 symbol page: the chart renders the stored bars, and its markers are the stored detections', async ({ base, db }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  const [top] = sql(db, "SELECT symbol, COUNT(*) AS n FROM pattern_detections WHERE timeframe = 'daily' GROUP BY symbol ORDER BY n DESC, symbol LIMIT 1");
  check(top, 'the engine stored no daily pattern detections');
  const sym = top.symbol;
  for (const tf of ['daily', 'weekly']) {
    if (tf === 'daily') await page.goto(`${base}/symbol/${sym}`);
    else await page.click('.seg-btn[data-tf="weekly"]');
    await page.waitForSelector(`#chart[data-status="ready"][data-timeframe="${tf}"]`, { timeout: 30000 });
    const d = await page.$eval('#chart', (el) => ({ ...el.dataset }));
    const [bars] = sql(db, `SELECT COUNT(*) AS n, MAX(date) AS last FROM ohlcv WHERE symbol = '${sym}' AND timeframe = '${tf}'`);
    const [last] = sql(db, `SELECT close FROM ohlcv WHERE symbol = '${sym}' AND timeframe = '${tf}' ORDER BY date DESC LIMIT 1`);
    eq(Number(d.barCount), bars.n, `${sym} ${tf}: bars on the chart vs rows in ohlcv`);
    eq(d.lastDate, bars.last, `${sym} ${tf}: last bar date`);
    check(Math.abs(Number(d.lastClose) - last.close) < 1e-9, `${sym} ${tf}: last close ${d.lastClose} vs stored ${last.close}`);
    const legendClose = await page.textContent('#chart-legend [data-field="close"]');
    check(Math.abs(Number(legendClose) - last.close) < 0.006, `${sym} ${tf}: legend close ${legendClose} vs stored ${last.close}`);
    const [dets] = sql(db, `SELECT COUNT(*) AS n FROM pattern_detections p WHERE p.symbol = '${sym}' AND p.timeframe = '${tf}' AND EXISTS (SELECT 1 FROM ohlcv o WHERE o.symbol = p.symbol AND o.timeframe = p.timeframe AND o.date = p.bar_date)`);
    eq(Number(d.markerCount), dets.n, `${sym} ${tf}: markers on the chart vs stored detections`);
    eq(Number(d.markersShown), dets.n, `${sym} ${tf}: markers handed to the chart`);
    const canvases = await page.$$eval('#chart canvas', (cs) => cs.filter((c) => c.width > 0 && c.height > 0).length);
    check(canvases >= 3, `${sym} ${tf}: the chart drew its canvases (found ${canvases})`);
    // The price pane's canvas is not blank: many distinct colours where the candles are.
    const colours = await page.$eval('#chart', (el) => {
      const c = [...el.querySelectorAll('canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0];
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const set = new Set();
      for (let i = 0; i < px.length; i += 4 * 97) set.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
      return set.size;
    });
    check(colours > 3, `${sym} ${tf}: the price canvas looks blank (${colours} colours)`);
    if (tf === 'daily') await shot(page, 'symbol');
  }
  const indicatorRows = await page.locator('#ind-table tbody tr[data-indicator]').count();
  check(indicatorRows > 0, 'the latest indicator values table has rows');
  check(await page.locator('#recompute').count() === 1, 'an admin sees the Recompute button');
});

test('6 screener returns exactly the symbols the database says satisfy the condition', async ({ base, db }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  await page.goto(`${base}/screener`);
  await page.waitForSelector('#screen-form');
  const universe = 'dow30';
  const members = sql(db, `SELECT symbol FROM memberships WHERE universe = '${universe}' AND active = 1`).map((r) => r.symbol);
  check(members.length > 0, `no members of ${universe} in the database`);
  // Truth from the engine's tables: each member's latest daily bar and the stored indicator value
  // of that same date.
  const truth = (indicator, output, cmp) => {
    const rows = sql(db, `SELECT o.symbol AS symbol, o.close AS close, json_extract(i.value, '$.${output}') AS v
      FROM ohlcv o JOIN (SELECT symbol, MAX(date) AS d FROM ohlcv WHERE timeframe = 'daily' GROUP BY symbol) l ON l.symbol = o.symbol AND l.d = o.date
      LEFT JOIN indicator_values i ON i.symbol = o.symbol AND i.timeframe = 'daily' AND i.indicator = '${indicator}' AND i.as_of = o.date
      WHERE o.timeframe = 'daily' AND o.symbol IN (SELECT symbol FROM memberships WHERE universe = '${universe}' AND active = 1)`);
    eq(rows.length, members.length, `latest bars found for every ${universe} member`);
    check(rows.every((r) => r.v !== null), `${indicator} is stored for every member's latest bar`);
    return rows.filter((r) => cmp(r)).map((r) => r.symbol).sort();
  };
  const screens = [
    { expression: 'close > SMA(20)', expected: truth('SMA(timeperiod=20)', 'real', (r) => r.close > r.v) },
    { expression: 'RSI(14) < 50', expected: truth('RSI(timeperiod=14)', 'real', (r) => r.v < 50) },
  ];
  const uSel = page.locator('#screen-universe');
  await page.waitForSelector(`#screen-universe option[value="${universe}"]`, { state: 'attached', timeout: 15000 });
  await uSel.selectOption(universe);
  for (const s of screens) {
    await page.fill('#screen-expression', s.expression);
    await page.evaluate(() => { document.getElementById('screen-results').dataset.status = ''; });
    await page.click('#screen-run');
    await page.waitForSelector('#screen-results[data-status="ready"], #screen-results[data-status="error"]', { timeout: 30000 });
    check(await page.getAttribute('#screen-results', 'data-status') === 'ready', `screen "${s.expression}" failed: ${await page.textContent('#screen-msg')}`);
    const got = (await page.$$eval('#screen-table tbody tr[data-symbol]', (rs) => rs.map((r) => r.dataset.symbol))).sort();
    eq(got, s.expected, `symbols matching "${s.expression}" in ${universe}`);
    eq(Number(await page.getAttribute('#screen-results', 'data-evaluated')), members.length, `symbols evaluated for "${s.expression}"`);
    if (got.length) {
      const href = await page.getAttribute(`#screen-table tr[data-symbol="${got[0]}"] a`, 'href');
      eq(href, `/symbol/${got[0]}`, 'a result links to its symbol page');
      check(!(await page.locator('#screen-csv').isHidden()), 'the CSV download is offered');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#screen-csv')]);
      const csv = fs.readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
      eq(csv.slice(1).map((l) => l.split(',')[0]).sort(), got, 'symbols in the downloaded CSV');
    }
  }
  await shot(page, 'screener');
  // A bad expression is refused with the position of the mistake.
  await page.fill('#screen-expression', 'close > ');
  await page.click('#screen-run');
  await page.waitForSelector('#screen-msg .caret-mark', { timeout: 20000 });
});

test('7 a viewer sees no trigger button, and a forged POST returns 403', async ({ base, api, viewerPassword }) => {
  const { page } = await newContext();
  await uiLogin(page, base, 'viewer1', viewerPassword);
  await page.goto(`${base}/`);
  await page.waitForSelector('#run-card');
  await waitLive(page);
  eq(await page.locator('#trigger-run, #trigger-form').count(), 0, 'trigger controls on the viewer\'s Processing page');
  eq(await page.locator('#cancel-run').count(), 0, 'cancel button on the viewer\'s Processing page');
  if (ctxState.dowRun) {
    await page.goto(`${base}/symbol/AAPL`);
    await page.waitForSelector('#chart[data-status]');
    eq(await page.locator('#recompute').count(), 0, 'recompute button for a viewer');
  }
  await page.goto(`${base}/schedule`);
  await page.waitForSelector('#sched-form');
  eq(await page.locator('#sched-save').count(), 0, 'schedule save button for a viewer');
  const runsBefore = (await api.get('/api/processing/history?limit=200')).runs.length;
  const forged = await page.evaluate(async () => {
    const me = await (await fetch('/auth/me')).json();
    const send = async (method, url, body, csrf) => {
      const headers = { 'Content-Type': 'application/json' };
      if (csrf) headers['X-CSRF-Token'] = csrf;
      const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
      let code = null;
      try { code = (await r.json()).error.code; } catch { /* no body */ }
      return { status: r.status, code };
    };
    return {
      role: me.role,
      trigger: await send('POST', '/api/processing/trigger-manual', { universe: 'dow30', skip_market_check: true }, me.csrf_token),
      triggerNoCsrf: await send('POST', '/api/processing/trigger-manual', { universe: 'dow30', skip_market_check: true }, null),
      schedule: await send('POST', '/api/processing/schedule', { enabled: false }, me.csrf_token),
      cancel: await send('DELETE', '/api/processing/cancel', null, me.csrf_token),
    };
  });
  eq(forged.role, 'viewer', 'role of the signed-in user');
  eq(forged.trigger, { status: 403, code: 'FORBIDDEN' }, 'forged trigger POST by a viewer (with its CSRF token)');
  eq(forged.triggerNoCsrf.status, 403, 'forged trigger POST without a CSRF token');
  eq(forged.schedule, { status: 403, code: 'FORBIDDEN' }, 'forged schedule POST by a viewer');
  eq(forged.cancel, { status: 403, code: 'FORBIDDEN' }, 'forged cancel by a viewer');
  await sleep(500);
  const status = await api.get('/api/processing/status');
  check(!status.current_run, 'no run started after the forged POSTs');
  eq((await api.get('/api/processing/history?limit=200')).runs.length, runsBefore, 'number of runs after the forged POSTs');
  eq((await api.get('/api/processing/schedule')).enabled, true, 'the schedule is still enabled');
});

test('8 without a session every page and the WebSocket are refused', async ({ base }) => {
  const pages = ['/', '/history', `/history/${ctxState.dowRun || 'x'}`, '/schedule', '/errors', '/patterns', '/symbol/AAPL', '/screener'];
  for (const p of pages) {
    const r = await fetch(base + p, { redirect: 'manual' });
    eq(r.status, 302, `GET ${p} without a session`);
    const loc = r.headers.get('location') || '';
    check(loc.startsWith('/login') || loc.startsWith(`${base}/login`), `GET ${p} redirects to /login (Location: ${loc})`);
    check(decodeURIComponent(loc).includes(`next=${p}`), `the redirect of ${p} carries next=${p} (Location: ${loc})`);
  }
  for (const p of ['/api/processing/status', '/api/processing/history', '/api/app/status', '/auth/me']) {
    const r = await fetch(base + p);
    eq(r.status, 401, `GET ${p} without a session`);
  }
  const csp = (await fetch(`${base}/login`)).headers.get('content-security-policy') || '';
  check(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), `the login page carries the strict CSP (got: ${csp})`);
  // The WebSocket upgrade, raw: no cookie -> refused, no socket.
  const upgrade = (headers) => new Promise((resolve, reject) => {
    const u = new URL(base);
    const req = http.request({ host: u.hostname, port: u.port, path: '/ws', headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(101); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.setTimeout(10000, () => { req.destroy(new Error('timeout')); });
    req.end();
  });
  const noCookie = await upgrade({ Origin: base });
  check(noCookie === 401 || noCookie === 403, `WebSocket upgrade without a session answered ${noCookie}, not 401/403`);
  // And from a browser page without a session: the socket never opens.
  const { page } = await newContext();
  await page.goto(`${base}/login`);
  const opened = await page.evaluate(() => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => { ws.close(); resolve(true); };
    ws.onerror = () => resolve(false);
    ws.onclose = () => resolve(false);
  }));
  eq(opened, false, 'a browser WebSocket without a session opened');
  // A session is not enough from a foreign Origin.
  if (ctxState.admin) {
    const cookies = await ctxState.admin.context().cookies(base);
    const c = cookies.find((x) => x.name === 'ts_session');
    if (c) {
      const foreign = await upgrade({ Origin: 'http://evil.example', Cookie: `ts_session=${c.value}` });
      check(foreign === 403 || foreign === 401, `WebSocket upgrade from a foreign Origin answered ${foreign}, not 403`);
      const own = await upgrade({ Origin: base, Cookie: `ts_session=${c.value}` });
      eq(own, 101, 'WebSocket upgrade with the session and the app\'s own Origin (control)');
    }
  }
});

test('9 a page reload in the middle of a run resumes the progress bars without losing events', async ({ base, api }) => {
  const page = ctxState.admin;
  check(page, 'needs the signed-in page of case 1');
  await waitIdle(api);
  await page.goto(`${base}/`);
  await waitLive(page);
  const runId = await uiTrigger(page, { universe: 'sp500', phases: ['import', 'cache_sync', 'indicators'] });
  await page.waitForFunction((id) => {
    const c = document.getElementById('run-card');
    return c && c.dataset.runId === id && [...document.querySelectorAll('#phases .phase')].some((r) => Number(r.dataset.done) > 0);
  }, runId, { timeout: 30000 });
  const beforeReload = await phaseRows(page);
  // A plain reload first, then leave the page while the engine moves on, and come back: the
  // events of the gap must come from the server (resume from the last stream id), the ones before
  // it from this tab's log.
  await page.reload();
  await page.waitForSelector(`#run-card[data-run-id="${runId}"]`, { timeout: 20000 });
  // The bars come back at least where they were (from the status snapshot and get_run).
  await waitFor('the bars to resume after the reload', async () => {
    const afterReload = await phaseRows(page);
    return beforeReload.every((r) => {
      const a = afterReload.find((x) => x.phase === r.phase);
      return a && a.done >= r.done;
    });
  }, { timeout: 15000 }).catch(async () => {
    throw new AssertionError(`after the reload the bars went back: before ${JSON.stringify(beforeReload)}, after ${JSON.stringify(await phaseRows(page))}`);
  });
  await page.goto('about:blank');
  await waitFor('the run to move on while the page is away', async () => {
    const s = await api.get('/api/processing/status');
    const cur = s.current_progress;
    return !s.current_run || (cur && cur.phase !== 'import') ? true : null;
  }, { timeout: 60000, interval: 50 });
  await page.goto(`${base}/`);
  await page.waitForSelector(`#run-card[data-run-id="${runId}"]`, { timeout: 20000 });
  await shot(page, 'processing-resumed');
  await page.waitForFunction((id) => {
    const c = document.getElementById('run-card');
    return c && c.dataset.runId === id && ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted'].includes(c.dataset.runStatus);
  }, runId, { timeout: 120000 });
  eq(await page.getAttribute('#run-card', 'data-run-status'), 'completed', 'final status after the reloads');
  await page.waitForFunction(() => [...document.querySelectorAll('#phases [role="progressbar"]')].every((b) => b.getAttribute('aria-valuenow') === '100'), null, { timeout: 15000 })
    .catch(async () => { throw new AssertionError(`not every bar reached 100% after the reloads: ${JSON.stringify(await phaseRows(page))}`); });
  const engine = await api.get(`/api/processing/runs/${runId}`);
  comparePhases(await phaseRows(page), engine, 'after the reloads');
  // Every lifecycle event of the run is in the live log, once.
  const domain = { import: 'import', cache_sync: 'cache', indicators: 'indicators', patterns: 'patterns' };
  const expected = ['processing_started', ...engine.phases.flatMap((p) => [`${domain[p.phase]}_started`, `${domain[p.phase]}_completed`]), 'processing_completed'].sort();
  const logged = (await page.$$eval(`#event-log li[data-run-id="${runId}"]`, (li) => li.map((x) => x.dataset.event))).sort();
  eq(logged, expected, `lifecycle events of run ${runId} in the live event log after the reloads`);
  await shot(page, 'processing-after-reload');
});

// ---------------------------------------------------------------- main
async function main() {
  const env = await startUp();
  console.log(`# dashboard at ${env.base}; engine database ${env.db}`);
  env.operatorPassword = `op-${Math.random().toString(36).slice(2)}-Pw1`;
  env.viewerPassword = `vw-${Math.random().toString(36).slice(2)}-Pw1`;
  addUser('operator1', 'operator', env.operatorPassword);
  addUser('viewer1', 'viewer', env.viewerPassword);
  env.api = await new Session(env.base).login('admin', env.adminPassword);
  console.log('# waiting for the first automatic run to finish');
  await waitIdle(env.api, 'the first automatic run to finish', 300000);

  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    const t0 = Date.now();
    try {
      await Promise.race([c.fn(env), sleep(300000).then(() => { throw new AssertionError('case timed out after 300 s'); })]);
      passed++;
      console.log(`ok - ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${c.name}\n    ${String(e && e.stack && !(e instanceof AssertionError) ? e.stack : e.message).split('\n').join('\n    ')}`);
      for (const ctx of browsers) {
        for (const p of ctx.pages()) {
          if (p.consoleErrors && p.consoleErrors.length) console.log(`    console errors on ${p.url()}: ${p.consoleErrors.slice(-5).join(' | ')}`);
          if (p.url().startsWith('http')) await p.screenshot({ path: path.join(ARTIFACTS, `FAILED-${cases.indexOf(c) + 1}-${browsers.indexOf(ctx)}.png`), fullPage: true }).catch(() => {});
        }
      }
    }
  }

  // Screenshots of the pages not taken above.
  const page = ctxState.admin;
  if (page) {
    for (const [p, name] of [['/errors', 'errors'], ['/patterns', 'patterns']]) {
      try {
        await page.goto(`${env.base}${p}`);
        await page.waitForSelector(`main[data-page="${name}"] table`, { timeout: 15000 });
        await sleep(800);
        await shot(page, name);
      } catch (e) {
        console.log(`# screenshot of ${p} failed: ${e.message}`);
      }
    }
  }
  if (UPDATE_DOCS) {
    const docs = path.join(ROOT, 'docs', 'screenshots');
    fs.mkdirSync(docs, { recursive: true });
    const names = ['login', 'processing', 'processing-running', 'history', 'run-detail', 'schedule', 'errors', 'patterns', 'symbol', 'screener'];
    for (const n of names) {
      const f = path.join(ARTIFACTS, `${n}.png`);
      if (fs.existsSync(f)) fs.copyFileSync(f, path.join(docs, `${n}.png`));
    }
    console.log(`# screenshots copied to ${docs}`);
  }
  return { passed, failed };
}

let result = { passed: 0, failed: 1 };
try {
  result = await main();
} catch (e) {
  console.log(`not ok - setup\n    ${e.stack || e}`);
  console.log(upLog.slice(-3000));
}
for (const b of browsers) await b.close().catch(() => {});
if (up && up.exitCode === null) {
  try { process.kill(-up.pid, 'SIGINT'); } catch { /* gone */ }
  const end = Date.now() + 15000;
  while (up.exitCode === null && up.signalCode === null && Date.now() < end) await sleep(100);
  if (up.exitCode === null && up.signalCode === null) {
    console.log('# tickstock up did not stop within 15 s of SIGINT; killing it');
    try { process.kill(-up.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
for (const d of [...profiles, dataDir]) fs.rmSync(d, { recursive: true, force: true });
console.log(`# artifacts in ${ARTIFACTS}`);
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed ? 1 : 0);
