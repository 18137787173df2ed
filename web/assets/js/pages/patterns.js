// Patterns: the engine's latest detections (get_pattern_detections, keyset pages) with filters;
// new detections arrive live as toasts, which can be muted here.
import { api } from '../api.js';
import { h, replace, link, empty, pill, select, field, errorBox } from '../dom.js';
import { timeEl, num, num2, shortId, price } from '../fmt.js';
import { on } from '../store.js';
import { patternToastsMuted, setPatternToastsMuted } from '../toast.js';

export function mount(root) {
  const url = new URLSearchParams(location.search);
  const symbol = h('input', { name: 'symbol', id: 'pat-symbol', value: url.get('symbol') || '', autocomplete: 'off', spellcheck: 'false', maxlength: '10' });
  const pattern = h('input', { name: 'pattern', id: 'pat-pattern', value: url.get('pattern') || '', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const direction = select('direction', [['', 'Any'], 'bullish', 'bearish', 'neutral'], url.get('direction') || '', { id: 'pat-direction' });
  const timeframe = select('timeframe', [['', 'Any'], 'daily', 'weekly', 'monthly'], url.get('timeframe') || '', { id: 'pat-timeframe' });
  const from = h('input', { type: 'date', name: 'from', id: 'pat-from', value: url.get('from') || '' });
  const to = h('input', { type: 'date', name: 'to', id: 'pat-to', value: url.get('to') || '' });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Apply' });
  const form = h('form', { class: 'filters', id: 'pat-filters' },
    field('Symbol', symbol), field('Pattern', pattern), field('Direction', direction), field('Timeframe', timeframe),
    field('From', from), field('To', to), h('div', { class: 'filters-actions' }, apply));
  const mute = h('input', { type: 'checkbox', id: 'pat-mute', checked: patternToastsMuted() });
  mute.addEventListener('change', () => setPatternToastsMuted(mute.checked));
  const onMute = (e) => { mute.checked = e.detail; };
  document.addEventListener('tickstock:mute-changed', onMute);
  const tbody = h('tbody');
  const table = h('table', { class: 'table', id: 'pat-table' },
    h('thead', null, h('tr', null, ['Bar date', 'Symbol', 'Pattern', 'Direction', 'Timeframe', 'Strength', 'Confidence', 'Levels', 'Detected', 'Run']
      .map((t, i) => h('th', { scope: 'col', class: i === 5 || i === 6 ? 'num' : '', text: t })))),
    tbody);
  const more = h('button', { type: 'button', class: 'btn', text: 'Load more', hidden: true, id: 'pat-more' });
  const info = h('p', { class: 'muted small', role: 'status' });
  const status = h('div');
  const newNote = h('p', { class: 'notice', hidden: true, id: 'pat-new' });
  let cursor = null;
  let token = 0;
  let newCount = 0;

  function params() {
    return {
      symbol: symbol.value.trim().toUpperCase(), pattern: pattern.value.trim(), direction: direction.value,
      timeframe: timeframe.value, from: from.value, to: to.value, limit: 100,
    };
  }

  function row(d) {
    const lv = Object.entries(d.levels || {}).map(([k, v]) => `${k} ${price(v)}`).join(', ');
    return h('tr', { dataset: { symbol: d.symbol, pattern: d.pattern } },
      h('td', { class: 'tnum', text: d.bar_date }),
      h('td', null, link(`/symbol/${encodeURIComponent(d.symbol)}`, d.symbol, { class: 'mono' })),
      h('td', { text: d.pattern }),
      h('td', null, pill(d.direction)),
      h('td', { text: d.timeframe }),
      h('td', { class: 'num', text: num2(d.strength) }),
      h('td', { class: 'num', text: d.confidence === null || d.confidence === undefined ? '—' : `${Math.round(d.confidence * 100)}%` }),
      h('td', { class: 'small', text: lv || '—' }),
      h('td', null, timeEl(d.detected_at, { short: true })),
      h('td', null, d.run_id ? link(`/history/${encodeURIComponent(d.run_id)}`, shortId(d.run_id), { class: 'mono', title: d.run_id }) : '—'));
  }

  async function load(reset) {
    const my = reset ? ++token : token;
    more.disabled = true;
    if (reset) {
      cursor = null;
      newCount = 0;
      newNote.hidden = true;
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params())) if (v && k !== 'limit') q.set(k, v);
      history.replaceState(null, '', `/patterns${q.toString() ? `?${q}` : ''}`);
    }
    try {
      const res = await api.get('/api/patterns/detections', { ...params(), cursor: reset ? undefined : cursor });
      if (my !== token) return;
      replace(status);
      if (reset) replace(tbody);
      for (const d of res.detections || []) tbody.append(row(d));
      cursor = res.next_cursor || null;
      more.hidden = !cursor;
      const n = tbody.querySelectorAll('tr[data-symbol]').length;
      if (!n) {
        const p = params();
        const filtered = p.symbol || p.pattern || p.direction || p.timeframe || p.from || p.to;
        tbody.append(h('tr', null, h('td', { colspan: '10' }, empty(filtered ? 'No detections match these filters.' : 'No patterns detected yet.'))));
      }
      info.textContent = n ? `${num(n)} detection${n === 1 ? '' : 's'} shown, newest bar first${cursor ? '; more on the server' : ''}.` : '';
    } catch (e) {
      if (my === token) replace(status, errorBox(e));
    } finally {
      more.disabled = false;
    }
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  more.addEventListener('click', () => load(false));
  const refresh = h('button', { type: 'button', class: 'btn btn-small', text: 'Show them' });
  refresh.addEventListener('click', () => load(true));
  const off = on('event:patterns_detected', () => {
    newCount += 1;
    newNote.hidden = false;
    replace(newNote, `${num(newCount)} new detection${newCount === 1 ? '' : 's'} since this list was loaded. `, refresh);
  });

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'Patterns' }), h('span', { class: 'spacer' }),
      h('label', { class: 'check' }, mute, 'Mute live pattern alerts')),
    h('section', { class: 'card' }, form, status, newNote, h('div', { class: 'table-wrap' }, table), h('div', { class: 'table-foot' }, more, info)));
  load(true);
  return () => { off(); document.removeEventListener('tickstock:mute-changed', onMute); token++; };
}
