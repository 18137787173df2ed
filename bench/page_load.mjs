// Page-load benchmark (docs/PERFORMANCE.md, "Dashboard page load"): the
// Processing and History pages with 10,000 runs in the engine's history,
// rendered by Debian's chromium (playwright-core) from `tickstock up` on
// loopback. Reports the median and worst of N loads per page: from navigation
// start until the page shows its data (History: the first page of 50 rows;
// Processing: the trigger form, the engine health card and the last run).
//
//   node bench/page_load.mjs --tickstock build/release/tickstock [--runs 10000] [--loads 15]
// Needs: npm ci --prefix web && npm ci --prefix tests/browser (scripts/browser-tests.sh does both).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tests/browser/package.json'));
const { chromium } = require('playwright-core');

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const TICKSTOCK = path.resolve(args.tickstock || path.join(ROOT, 'build/release/tickstock'));
const RUNS = Number(args.runs || 10000);
const LOADS = Number(args.loads || 15);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickstock-pageload-'));
let up = null;
let log = '';
const stop = () => { if (up && up.exitCode === null) try { process.kill(-up.pid, 'SIGTERM'); } catch { /* gone */ } };
process.on('exit', stop);

async function until(what, fn, timeout = 120000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start() {
  up = spawn(TICKSTOCK, ['up', '--data-dir', dataDir, '--http-app', '127.0.0.1:0', '--http', 'off', '--web-dir', path.join(ROOT, 'web')],
    { cwd: dataDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  up.stdout.on('data', (d) => { log += d; });
  up.stderr.on('data', (d) => { log += d; });
  return until('the dashboard URL', () => (log.match(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)/) || [])[1]);
}

// 10,000 finished runs with four phase rows each, spread over the last 3 years.
function seed(db) {
  const sql = `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${RUNS})
INSERT INTO processing_runs (run_id, trigger_type, status, phases, universe, run_date, started_at, finished_at,
  duration_seconds, symbols_total, symbols_processed, symbols_failed, records_imported, indicators_calculated, patterns_detected)
SELECT printf('bench-%05d', i), CASE i % 4 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'manual' WHEN 2 THEN 'api' ELSE 'retry' END,
  CASE WHEN i % 17 = 0 THEN 'failed' WHEN i % 11 = 0 THEN 'completed_with_errors' ELSE 'completed' END,
  'import,cache_sync,indicators,patterns', 'sp500', date('2023-01-01', '+' || (i / 9) || ' days'),
  strftime('%Y-%m-%dT%H:%M:%fZ', '2023-01-01', '+' || (i * 9000) || ' seconds'),
  strftime('%Y-%m-%dT%H:%M:%fZ', '2023-01-01', '+' || (i * 9000 + 420) || ' seconds'),
  420.0, 503, 503 - (i % 3), i % 3, 503, 503 * 27, 1000 + i % 500 FROM n;
INSERT INTO run_phases (run_id, phase, status, total, processed, failed, count, started_at, finished_at, duration_seconds)
SELECT run_id, p.phase, 'completed', 503, 503, 0, 503, started_at, finished_at, 105.0
FROM processing_runs, (SELECT 'import' AS phase UNION ALL SELECT 'cache_sync' UNION ALL SELECT 'indicators' UNION ALL SELECT 'patterns') p
WHERE run_id LIKE 'bench-%';`;
  execFileSync('sqlite3', [db, sql], { timeout: 120000 });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const base = await start();
const db = path.join(dataDir, 'tickstock.db');
const finished = () => {
  try {
    return Number(execFileSync('sqlite3', ['-readonly', db, "SELECT count(*) FROM processing_runs WHERE status NOT IN ('queued','running')"],
      { encoding: 'utf8' }).trim()) > 0;
  } catch { return false; }
};
await until('the first run to finish', finished, 300000);
seed(db);
const password = fs.readFileSync(path.join(dataDir, 'admin-password.txt'), 'utf8').match(/(\S+)\s*$/)[1];
const runs = execFileSync('sqlite3', [db, 'SELECT count(*) FROM processing_runs'], { encoding: 'utf8' }).trim();

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tickstock-pageload-profile-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'],
  viewport: { width: 1280, height: 900 },
});
const page = ctx.pages()[0] || await ctx.newPage();
await page.goto(`${base}/login`);
await page.fill('#username', 'admin');
await page.fill('#password', password);
await page.click('#login-submit');
await page.waitForURL((u) => !u.pathname.startsWith('/login'));

const pages = {
  history: { path: '/history', ready: () => document.querySelectorAll('#history-table tbody tr[data-run-id]').length >= 50 },
  processing: {
    path: '/',
    ready: () => !!document.querySelector('#trigger-form') && !!document.querySelector('#run-card[data-run-id]') &&
      !!document.querySelector('#conn[data-state="open"]'),
  },
};
const results = {};
for (const [name, p] of Object.entries(pages)) {
  const times = [];
  for (let i = 0; i < LOADS; ++i) {
    const t0 = Date.now();
    await page.goto(base + p.path, { waitUntil: 'commit' });
    await page.waitForFunction(p.ready, null, { timeout: 30000, polling: 'raf' });
    times.push(Date.now() - t0);
  }
  results[name] = { median_ms: median(times), max_ms: Math.max(...times), loads: LOADS };
  console.log(`${name.padEnd(11)} median ${String(median(times)).padStart(4)} ms   worst ${String(Math.max(...times)).padStart(4)} ms   (${LOADS} loads)`);
}
console.log(`history rows in the database: ${runs}`);
console.log(`RESULT ${JSON.stringify({ runs: Number(runs), ...results })}`);
await ctx.close();
stop();
fs.rmSync(profile, { recursive: true, force: true });
process.exit(0);
