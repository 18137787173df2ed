// Screener: build conditions (or write the expression), run `screen` on the engine, list the
// matches linking to their symbol pages, and download them as CSV (made in the browser).
import { api } from '../api.js';
import { h, replace, link, empty, select, field, errorBox } from '../dom.js';
import { num, num2, price, timeEl } from '../fmt.js';

const OPERANDS = [
  'close', 'open', 'high', 'low', 'volume',
  'RSI(14)', 'SMA(20)', 'SMA(50)', 'SMA(200)', 'EMA(20)', 'EMA(50)', 'EMA(200)',
  'BBANDS(20,2,2).upperband', 'BBANDS(20,2,2).middleband', 'BBANDS(20,2,2).lowerband',
  'MACD(12,26,9).macd', 'MACD(12,26,9).macdsignal', 'MACD(12,26,9).macdhist',
  'ATR(14)', 'ADX(14)', 'MFI(14)', 'CCI(20)', 'WILLR(14)',
];
const OPS = ['<', '<=', '>', '>=', '=', '!='];
const DEFAULT_ROWS = [
  { join: 'AND', left: 'RSI(14)', op: '<', rightKind: 'number', right: '30' },
  { join: 'AND', left: 'close', op: '>', rightKind: 'operand', right: 'SMA(200)' },
];

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
function csvField(v) {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? String(v) : String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function mount(root, _params, ctx) {
  const rowsBox = h('div', { class: 'cond-rows', id: 'cond-rows' });
  const addBtn = h('button', { type: 'button', class: 'btn btn-small', text: 'Add condition' });
  const expr = h('textarea', { id: 'screen-expression', name: 'expression', rows: '2', maxlength: '512', spellcheck: 'false', autocomplete: 'off' });
  const universe = h('select', { id: 'screen-universe', name: 'universe' }, h('option', { value: '', text: 'Engine default' }));
  const timeframe = select('timeframe', ['daily', 'weekly', 'monthly'], 'daily', { id: 'screen-timeframe' });
  const limit = h('input', { type: 'number', id: 'screen-limit', name: 'limit', min: '1', max: '1000', value: '1000' });
  const run = h('button', { type: 'submit', class: 'btn btn-primary', id: 'screen-run', text: 'Run screen' });
  const csv = h('a', { class: 'btn', id: 'screen-csv', hidden: true, text: 'Download CSV' });
  const msg = h('div', { id: 'screen-msg', role: 'status' });
  const results = h('div', { id: 'screen-results' });
  let rows = DEFAULT_ROWS.map((r) => ({ ...r }));
  let edited = false;
  let csvUrl = null;

  function build() {
    return rows.map((r, i) => `${i ? ` ${r.join} ` : ''}${r.left} ${r.op} ${r.right}`).join('');
  }

  function renderRows() {
    replace(rowsBox, rows.map((r, i) => {
      const join = select('join', ['AND', 'OR'], r.join, { 'aria-label': `Condition ${i + 1}: join` });
      const left = select('left', OPERANDS, r.left, { 'aria-label': `Condition ${i + 1}: left side` });
      const op = select('op', OPS, r.op, { 'aria-label': `Condition ${i + 1}: comparison` });
      const kind = select('kind', [['number', 'number'], ['operand', 'value of']], r.rightKind, { 'aria-label': `Condition ${i + 1}: compare with` });
      const right = r.rightKind === 'number'
        ? h('input', { type: 'number', step: 'any', value: r.right, 'aria-label': `Condition ${i + 1}: number`, class: 'cond-num' })
        : select('right', OPERANDS, r.right, { 'aria-label': `Condition ${i + 1}: right side` });
      const remove = h('button', { type: 'button', class: 'btn btn-small btn-ghost', text: 'Remove', 'aria-label': `Remove condition ${i + 1}`, disabled: rows.length === 1 });
      const update = () => {
        r.join = join.value; r.left = left.value; r.op = op.value; r.right = right.value;
        expr.value = build();
        edited = false;
        editedNote.hidden = true;
      };
      [join, left, op, right].forEach((c) => c.addEventListener('change', update));
      right.addEventListener('input', update);
      kind.addEventListener('change', () => {
        r.rightKind = kind.value;
        r.right = kind.value === 'number' ? '0' : 'close';
        renderRows();
        expr.value = build();
      });
      remove.addEventListener('click', () => { rows.splice(i, 1); renderRows(); expr.value = build(); });
      return h('div', { class: 'cond-row' }, i ? join : h('span', { class: 'cond-where', text: 'Where' }), left, op, kind, right, remove);
    }));
  }
  addBtn.addEventListener('click', () => {
    rows.push({ join: 'AND', left: 'close', op: '>', rightKind: 'operand', right: 'SMA(50)' });
    renderRows();
    expr.value = build();
  });
  const editedNote = h('p', { class: 'field-hint', id: 'screen-edited', hidden: true, text: 'Edited by hand: the conditions above no longer describe the expression. Change a condition to rebuild it.' });
  expr.addEventListener('input', () => { edited = true; editedNote.hidden = false; });

  function showError(e) {
    if (e.status === 422 && e.details && e.details.parameter === 'expression' && Number.isInteger(e.details.position)) {
      const pos = e.details.position;
      const text = expr.value;
      replace(msg, h('div', { class: 'error-box', role: 'alert' },
        h('p', { text: e.message }),
        h('pre', { class: 'caret mono' }, h('span', { text: text }), '\n', h('span', { class: 'caret-mark', text: `${' '.repeat(Math.max(0, pos))}^` }))));
      expr.focus();
      expr.setSelectionRange(pos, Math.min(text.length, pos + 1));
    } else replace(msg, errorBox(e));
  }

  const form = h('form', { class: 'form', id: 'screen-form', novalidate: true },
    h('fieldset', null, h('legend', { text: 'Conditions' }), rowsBox, addBtn),
    field('Expression', expr, 'Built from the conditions above; edit it freely. Grammar: comparisons of prices, numbers and indicators, with AND, OR, NOT and parentheses.'),
    editedNote,
    h('div', { class: 'form-row' }, field('Universe', universe), field('Timeframe', timeframe), field('Limit', limit)),
    h('div', { class: 'form-actions' }, run, csv), msg);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const expression = expr.value.trim();
    if (!expression) { replace(msg, errorBox({ message: 'Write a condition.' })); return; }
    run.disabled = true;
    replace(msg, h('p', { class: 'muted small', text: 'Screening…' }));
    results.dataset.status = 'loading';
    try {
      const res = await api.get('/api/screen', { expression, universe: universe.value, timeframe: timeframe.value, limit: limit.value });
      replace(msg);
      renderResults(res);
    } catch (e) {
      results.dataset.status = 'error';
      showError(e);
    } finally {
      run.disabled = false;
    }
  });

  function renderResults(res) {
    const matches = res.matches || [];
    const keys = [...new Set(matches.flatMap((m) => Object.keys(m.values || {})))];
    Object.assign(results.dataset, { status: 'ready', count: String(matches.length), evaluated: String(res.evaluated ?? ''), normalized: res.normalized || '' });
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = null;
    csv.hidden = true;
    const summary = h('p', { class: 'muted small', id: 'screen-summary' },
      `${num(matches.length)} of ${num(res.evaluated)} symbols match `, h('code', { text: res.normalized || res.expression }),
      ` (${res.timeframe}${res.universe ? `, ${res.universe}` : ''}${res.as_of ? `, as of ${res.as_of}` : ''}).`);
    if (!matches.length) {
      replace(results, summary, empty('No symbol satisfies this condition.'));
      return;
    }
    const table = h('table', { class: 'table', id: 'screen-table' },
      h('thead', null, h('tr', null, ['Symbol', 'Date', 'Close', ...keys].map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 'num' : '', text: t })))),
      h('tbody', null, matches.map((m) => h('tr', { dataset: { symbol: m.symbol } },
        h('td', null, link(`/symbol/${encodeURIComponent(m.symbol)}`, m.symbol, { class: 'mono' })),
        h('td', { class: 'tnum', text: m.date }),
        h('td', { class: 'num', text: price(m.close) }),
        keys.map((k) => h('td', { class: 'num', text: m.values && m.values[k] !== null && m.values[k] !== undefined ? num2(m.values[k]) : '—' }))))));
    replace(results, summary, h('div', { class: 'table-wrap' }, table));
    const lines = [['symbol', 'date', 'close', ...keys].map(csvField).join(',')];
    for (const m of matches) lines.push([m.symbol, m.date, m.close, ...keys.map((k) => (m.values ? m.values[k] : null))].map(csvField).join(','));
    csvUrl = URL.createObjectURL(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }));
    csv.href = csvUrl;
    csv.download = `screen-${res.timeframe}-${res.as_of || new Date().toISOString().slice(0, 10)}.csv`;
    csv.hidden = false;
  }

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'Screener' })),
    h('section', { class: 'card' }, form),
    h('section', { class: 'card', 'aria-live': 'polite' }, h('h2', { text: 'Results' }), results));
  renderRows();
  expr.value = build();
  replace(results, empty('Run a screen to see which symbols match.'));
  api.get('/api/universes').then((r) => {
    for (const u of r.universes || []) universe.append(h('option', { value: u.name, text: `${u.name} (${num(u.symbols)})` }));
  }).catch(() => {});
  return () => { if (csvUrl) URL.revokeObjectURL(csvUrl); };
}
