// Symbol: candlestick chart (TradingView lightweight-charts, served at /vendor/) with volume,
// daily / weekly / monthly bars, SMA / EMA / Bollinger overlays, RSI and MACD panes, markers for
// the engine's stored pattern detections, the latest indicator values and a Recompute button.
import { api } from '../api.js';
import { h, replace, link, empty, errorBox, pill } from '../dom.js';
import { num, num2, price, shortId, timeEl } from '../fmt.js';
import { on } from '../store.js';

const SYMBOL_RE = /^[A-Z][A-Z0-9.\-]{0,9}$/;
const OVERLAYS = [
  { id: 'sma20', label: 'SMA 20', ind: 'SMA(timeperiod=20)', outputs: ['real'], color: '--c-sma20', on: true },
  { id: 'sma50', label: 'SMA 50', ind: 'SMA(timeperiod=50)', outputs: ['real'], color: '--c-sma50', on: true },
  { id: 'ema20', label: 'EMA 20', ind: 'EMA(timeperiod=20)', outputs: ['real'], color: '--c-ema20', on: false },
  { id: 'bb', label: 'Bollinger 20, 2', ind: 'BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)', outputs: ['upperband', 'middleband', 'lowerband'], color: '--c-bb', on: false },
];
const RSI = 'RSI(timeperiod=14)';
const MACD = 'MACD(fastperiod=12,slowperiod=26,signalperiod=9)';
const TABLE = [
  'SMA(timeperiod=20)', 'SMA(timeperiod=50)', 'SMA(timeperiod=200)', 'EMA(timeperiod=20)', 'EMA(timeperiod=50)',
  RSI, MACD, 'BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)', 'ATR(timeperiod=14)', 'ADX(timeperiod=14)',
  'STOCH(fastk_period=14,slowk_period=3,slowk_matype=0,slowd_period=3,slowd_matype=0)', 'MFI(timeperiod=14)',
  'CCI(timeperiod=20)', 'WILLR(timeperiod=14)', 'OBV',
];

/** "STOCH(fastk_period=14,slowk_period=3)" -> "STOCH(14,3)" (the full name is the tooltip). */
function shortName(indicator) {
  return String(indicator).replace(/[a-z_]+=/g, '');
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function mount(root, [symParam], ctx) {
  const sym = symParam ? symParam.toUpperCase() : '';
  const offs = [];
  let alive = true;
  const symbolInput = h('input', { id: 'sym-input', name: 'symbol', value: sym, autocomplete: 'off', spellcheck: 'false', maxlength: '10', list: 'sym-list', 'aria-label': 'Symbol' });
  const symList = h('datalist', { id: 'sym-list' });
  const go = h('button', { type: 'submit', class: 'btn', text: 'Open' });
  const symForm = h('form', { class: 'sym-form', id: 'sym-form' }, symbolInput, symList, go);
  const formMsg = h('span', { class: 'form-msg', role: 'status' });
  symForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = symbolInput.value.trim().toUpperCase();
    if (!SYMBOL_RE.test(v)) { formMsg.textContent = 'Symbols look like AAPL or BRK.B.'; return; }
    ctx.navigate(`/symbol/${encodeURIComponent(v)}`);
  });
  let listTimer = null;
  symbolInput.addEventListener('input', () => {
    clearTimeout(listTimer);
    const prefix = symbolInput.value.trim().toUpperCase();
    if (!prefix) return;
    listTimer = setTimeout(() => {
      api.get('/api/symbols', { prefix, limit: 20 }).then((r) => {
        replace(symList, (r.symbols || []).map((s) => h('option', { value: s.symbol })));
      }).catch(() => {});
    }, 150);
  });

  const head = h('div', { class: 'page-head' }, h('h1', { text: sym || 'Symbol' }), h('span', { class: 'spacer' }), symForm, formMsg);

  if (!sym || !SYMBOL_RE.test(sym)) {
    ctx.setTitle('Symbol');
    const list = h('div', { id: 'sym-index' }, h('p', { class: 'muted', text: 'Loading symbols…' }));
    replace(root, head, h('section', { class: 'card' }, h('h2', { text: 'Symbols' }), list));
    if (sym) formMsg.textContent = `"${sym}" is not a symbol.`;
    api.get('/api/symbols', { limit: 1000 }).then((r) => {
      const syms = r.symbols || [];
      if (!alive) return;
      replace(list, syms.length
        ? h('ul', { class: 'sym-grid' }, syms.map((s) => h('li', null, link(`/symbol/${encodeURIComponent(s.symbol)}`, s.symbol, { class: 'mono' }),
          h('span', { class: 'muted small num', text: s.last_close === null ? 'no bars' : ` ${price(s.last_close)}` }))))
        : empty('The engine has no symbols yet. Run an import first.'));
    }).catch((e) => replace(list, errorBox(e)));
    return () => { alive = false; };
  }
  ctx.setTitle(sym);

  // ---- controls ----
  let timeframe = new URLSearchParams(location.search).get('tf') || 'daily';
  if (!['daily', 'weekly', 'monthly'].includes(timeframe)) timeframe = 'daily';
  const tfButtons = ['daily', 'weekly', 'monthly'].map((tf) => {
    const b = h('button', { type: 'button', class: 'seg-btn', text: tf[0].toUpperCase() + tf.slice(1), 'aria-pressed': String(tf === timeframe), dataset: { tf } });
    b.addEventListener('click', () => {
      if (timeframe === tf) return;
      timeframe = tf;
      tfButtons.forEach((x) => x.setAttribute('aria-pressed', String(x.dataset.tf === tf)));
      history.replaceState(null, '', `/symbol/${encodeURIComponent(sym)}${tf === 'daily' ? '' : `?tf=${tf}`}`);
      load();
    });
    return b;
  });
  const overlayBoxes = OVERLAYS.map((o) => h('input', { type: 'checkbox', value: o.id, checked: o.on, id: `ov-${o.id}` }));
  const showMarkers = h('input', { type: 'checkbox', id: 'ov-markers', checked: true });
  const recompute = ctx.canOperate ? h('button', { type: 'button', class: 'btn', id: 'recompute', text: 'Recompute indicators' }) : null;
  const recomputeMsg = h('span', { class: 'form-msg', role: 'status', id: 'recompute-msg' });

  const legend = h('div', { class: 'legend num', id: 'chart-legend', 'aria-live': 'off' });
  const chartBox = h('div', { class: 'chart', id: 'chart', role: 'img', 'aria-label': `${sym} price chart` });
  const chartStatus = h('div', { class: 'chart-status' });
  const indBody = h('tbody');
  const indTable = h('table', { class: 'table', id: 'ind-table' },
    h('thead', null, h('tr', null, ['Indicator', 'Output', 'Value', 'As of', 'Source'].map((t, i) => h('th', { scope: 'col', class: i === 2 ? 'num' : '', text: t })))), indBody);
  const detBody = h('tbody');
  const detTable = h('table', { class: 'table', id: 'sym-detections' },
    h('thead', null, h('tr', null, ['Bar date', 'Pattern', 'Direction', 'Strength', 'Confidence', 'Run'].map((t, i) => h('th', { scope: 'col', class: i === 3 || i === 4 ? 'num' : '', text: t })))), detBody);

  replace(root, head,
    h('section', { class: 'card card-chart' },
      h('div', { class: 'chart-toolbar' },
        h('div', { class: 'seg', role: 'group', 'aria-label': 'Timeframe' }, tfButtons),
        h('div', { class: 'inline-group', role: 'group', 'aria-label': 'Overlays' },
          OVERLAYS.map((o, i) => h('label', { class: 'check small' }, overlayBoxes[i], o.label)),
          h('label', { class: 'check small' }, showMarkers, 'Pattern markers')),
        h('span', { class: 'spacer' }), recompute, recomputeMsg),
      legend, chartBox, chartStatus),
    h('div', { class: 'grid grid-2' },
      h('section', { class: 'card' }, h('h2', { text: 'Latest indicator values' }), h('div', { class: 'table-wrap' }, indTable)),
      h('section', { class: 'card' }, h('h2', { text: 'Detected patterns' }), h('div', { class: 'table-wrap table-scroll' }, detTable))));

  // ---- chart ----
  const LC = window.LightweightCharts;
  let chart = null;
  let series = {};
  let markersApi = null;
  let data = null;

  function colors() {
    return {
      bg: cssVar('--surface'), text: cssVar('--text-muted'), grid: cssVar('--grid'), border: cssVar('--border'),
      up: cssVar('--up'), down: cssVar('--down'), neutral: cssVar('--text-muted'),
    };
  }

  function createChart() {
    if (!LC) {
      replace(chartStatus, errorBox({ message: 'The chart library (/vendor/lightweight-charts.js) did not load.' }));
      return;
    }
    const c = colors();
    chart = LC.createChart(chartBox, {
      autoSize: true,
      // attributionLogo: the library's logo injects a <style> element, which the CSP forbids; the
      // page footer carries the attribution notice and the link to TradingView instead.
      layout: { background: { type: 'solid', color: c.bg }, textColor: c.text, fontFamily: getComputedStyle(document.body).fontFamily, panes: { separatorColor: c.border }, attributionLogo: false },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      rightPriceScale: { borderColor: c.border },
      timeScale: { borderColor: c.border },
      crosshair: { mode: 0 },
    });
    series.candles = chart.addSeries(LC.CandlestickSeries, { upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down });
    series.volume = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    for (const o of OVERLAYS) {
      series[o.id] = o.outputs.map((out) => chart.addSeries(LC.LineSeries, {
        color: cssVar(o.color), lineWidth: out === 'middleband' ? 1 : 2, lineStyle: o.id === 'bb' && out !== 'middleband' ? 2 : 0,
        priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false, title: '',
      }));
    }
    series.rsi = chart.addSeries(LC.LineSeries, { color: cssVar('--c-rsi'), lineWidth: 2, priceLineVisible: false, title: 'RSI 14' }, 1);
    series.rsi.createPriceLine({ price: 70, color: c.border, lineStyle: 2, lineWidth: 1, axisLabelVisible: true, title: '' });
    series.rsi.createPriceLine({ price: 30, color: c.border, lineStyle: 2, lineWidth: 1, axisLabelVisible: true, title: '' });
    series.macdHist = chart.addSeries(LC.HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, 2);
    series.macd = chart.addSeries(LC.LineSeries, { color: cssVar('--c-macd'), lineWidth: 2, priceLineVisible: false, title: 'MACD' }, 2);
    series.macdSignal = chart.addSeries(LC.LineSeries, { color: cssVar('--c-signal'), lineWidth: 1, priceLineVisible: false, title: 'signal' }, 2);
    const panes = chart.panes();
    if (panes[0]) panes[0].setStretchFactor(3);
    if (panes[1]) panes[1].setStretchFactor(1);
    if (panes[2]) panes[2].setStretchFactor(1);
    markersApi = LC.createSeriesMarkers(series.candles, []);
    chart.subscribeCrosshairMove((param) => {
      if (!data) return;
      const t = param && param.time;
      const bar = t ? data.byDate.get(typeof t === 'string' ? t : `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`) : null;
      showLegend(bar || data.bars[data.bars.length - 1]);
    });
  }

  function applyTheme() {
    if (!chart) return;
    const c = colors();
    chart.applyOptions({ layout: { background: { type: 'solid', color: c.bg }, textColor: c.text, panes: { separatorColor: c.border } },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } } });
    series.candles.applyOptions({ upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down });
    if (data) setData();
  }
  const onTheme = () => applyTheme();
  document.addEventListener('tickstock:theme', onTheme);

  function showLegend(bar) {
    if (!bar) { replace(legend, h('span', { class: 'muted', text: 'No bars' })); return; }
    const chg = bar.prevClose ? ((bar.close - bar.prevClose) / bar.prevClose) * 100 : null;
    replace(legend,
      h('span', { class: 'legend-sym', text: `${sym} · ${timeframe}` }),
      h('span', { dataset: { field: 'date' }, text: bar.date }),
      h('span', null, 'O ', h('b', { text: price(bar.open) })),
      h('span', null, 'H ', h('b', { text: price(bar.high) })),
      h('span', null, 'L ', h('b', { text: price(bar.low) })),
      h('span', null, 'C ', h('b', { dataset: { field: 'close' }, text: price(bar.close) })),
      chg === null ? null : h('span', { class: chg >= 0 ? 'up' : 'down', text: `${chg >= 0 ? '+' : ''}${chg.toFixed(2)}%` }),
      h('span', null, 'Vol ', h('b', { text: num(bar.volume) })),
      (data && data.detByDate.get(bar.date) || []).length
        ? h('span', { class: 'legend-patterns' }, data.detByDate.get(bar.date).map((d) => h('span', { class: `pill pill-${d.direction}`, text: d.pattern })))
        : null);
  }

  function valuesOf(ind, out) {
    if (!ind) return [];
    return (ind.values || []).filter((v) => v[out] !== null && v[out] !== undefined && Number.isFinite(v[out])).map((v) => ({ time: v.date, value: v[out] }));
  }

  function setData() {
    const c = colors();
    const bars = data.bars;
    series.candles.setData(bars.map((b) => ({ time: b.date, open: b.open, high: b.high, low: b.low, close: b.close })));
    series.volume.setData(bars.map((b) => ({ time: b.date, value: b.volume, color: b.close >= b.open ? `${c.up}66` : `${c.down}66` })));
    OVERLAYS.forEach((o, i) => {
      const visible = overlayBoxes[i].checked;
      o.outputs.forEach((out, j) => {
        series[o.id][j].setData(visible ? valuesOf(data.ind.get(o.ind), out) : []);
        series[o.id][j].applyOptions({ visible });
      });
    });
    series.rsi.setData(valuesOf(data.ind.get(RSI), 'real'));
    const macd = data.ind.get(MACD);
    series.macd.setData(valuesOf(macd, 'macd'));
    series.macdSignal.setData(valuesOf(macd, 'macdsignal'));
    series.macdHist.setData(valuesOf(macd, 'macdhist').map((p) => ({ ...p, color: p.value >= 0 ? `${c.up}99` : `${c.down}99` })));
    const markers = showMarkers.checked ? data.markers : [];
    markersApi.setMarkers(markers);
    Object.assign(chartBox.dataset, {
      symbol: sym, timeframe, barCount: String(bars.length), markerCount: String(data.markers.length),
      markersShown: String(markers.length), lastDate: bars.length ? bars[bars.length - 1].date : '',
      lastClose: bars.length ? String(bars[bars.length - 1].close) : '', status: 'ready',
    });
    showLegend(bars[bars.length - 1]);
  }

  overlayBoxes.forEach((b) => b.addEventListener('change', () => { if (data) setData(); }));
  showMarkers.addEventListener('change', () => { if (data) setData(); });

  async function allDetections() {
    const out = [];
    let cursor;
    for (let i = 0; i < 20; i++) {
      const r = await api.get('/api/patterns/detections', { symbol: sym, timeframe, limit: 500, cursor });
      out.push(...(r.detections || []));
      cursor = r.next_cursor;
      if (!cursor) break;
    }
    return out;
  }

  /** get_indicator_values takes at most 16 indicators a call. */
  async function indicatorValues() {
    const all = [...new Set([...OVERLAYS.map((o) => o.ind), ...TABLE])];
    const chunks = [];
    for (let i = 0; i < all.length; i += 16) chunks.push(all.slice(i, i + 16));
    const parts = await Promise.all(chunks.map((c) => api.get('/api/market/indicators', { symbol: sym, timeframe, indicators: c })));
    return { indicators: parts.flatMap((p) => p.indicators || []) };
  }

  /** The table's indicators at one date (at most 16 per call, like indicatorValues). */
  async function latestValues(date) {
    const chunks = [];
    for (let i = 0; i < TABLE.length; i += 16) chunks.push(TABLE.slice(i, i + 16));
    const parts = await Promise.all(chunks.map((c) => api.get('/api/market/indicators', { symbol: sym, timeframe, indicators: c, from: date, to: date })));
    return { indicators: parts.flatMap((p) => p.indicators || []) };
  }

  let loadToken = 0;
  async function load() {
    const my = ++loadToken;
    chartBox.dataset.status = 'loading';
    replace(chartStatus, h('p', { class: 'muted small', text: 'Loading…' }));
    let bars;
    try {
      bars = await api.get('/api/market/bars', { symbol: sym, timeframe });
    } catch (e) {
      if (my === loadToken) { replace(chartStatus, errorBox(e)); chartBox.dataset.status = 'error'; }
      return;
    }
    const [indRes, dets] = await Promise.all([
      indicatorValues().catch((e) => ({ error: e })),
      allDetections().catch((e) => ({ error: e })),
    ]);
    if (my !== loadToken || !alive) return;
    const list = bars.bars || [];
    const byDate = new Map();
    list.forEach((b, i) => { b.prevClose = i ? list[i - 1].close : null; byDate.set(b.date, b); });
    const ind = new Map();
    const requested = [...new Set([...OVERLAYS.map((o) => o.ind), ...TABLE])];
    if (!indRes.error) (indRes.indicators || []).forEach((x, i) => { ind.set(x.indicator, x); if (requested[i]) ind.set(requested[i], x); });
    const detections = dets.error ? [] : dets;
    const up = cssVar('--up');
    const down = cssVar('--down');
    const neutral = cssVar('--text-muted');
    const markers = detections.filter((d) => byDate.has(d.bar_date)).map((d) => ({
      time: d.bar_date,
      position: d.direction === 'bullish' ? 'belowBar' : d.direction === 'bearish' ? 'aboveBar' : 'inBar',
      shape: d.direction === 'bullish' ? 'arrowUp' : d.direction === 'bearish' ? 'arrowDown' : 'circle',
      color: d.direction === 'bullish' ? up : d.direction === 'bearish' ? down : neutral,
      id: `${d.pattern}|${d.bar_date}`,
    })).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    const detByDate = new Map();
    for (const d of detections) {
      if (!detByDate.has(d.bar_date)) detByDate.set(d.bar_date, []);
      detByDate.get(d.bar_date).push(d);
    }
    data = { bars: list, byDate, ind, markers, detections, detByDate };
    if (!chart) createChart();
    if (!chart) return;
    replace(chartStatus,
      !list.length ? empty(`The engine has no ${timeframe} bars for ${sym}.`) : null,
      indRes.error ? errorBox({ message: `Indicator values unavailable: ${indRes.error.message}` }) : null,
      dets.error ? errorBox({ message: `Pattern detections unavailable: ${dets.error.message}` }) : null);
    setData();
    chart.timeScale().fitContent();
    // The table asks for the last bar's values alone, so the engine answers with
    // the stored rows when it has them (the chart's full series is computed).
    const lastDate = list.length ? list[list.length - 1].date : null;
    const latest = lastDate ? await latestValues(lastDate).catch(() => null) : null;
    if (my !== loadToken || !alive) return;
    renderIndicators(latest || indRes);
    renderDetections(detections);
  }

  function renderIndicators(res) {
    if (res.error) { replace(indBody, h('tr', null, h('td', { colspan: '5' }, errorBox(res.error)))); return; }
    const rows = [];
    for (const x of res.indicators || []) {
      const last = [...(x.values || [])].reverse().find((v) => (x.outputs || []).some((o) => v[o] !== null && v[o] !== undefined));
      if (!last) {
        rows.push(h('tr', null, h('td', { class: 'mono', text: shortName(x.indicator), title: x.indicator }), h('td', { colspan: '4', class: 'muted', text: 'no value (not enough bars)' })));
        continue;
      }
      (x.outputs || []).forEach((o, i) => rows.push(h('tr', { dataset: { indicator: x.indicator, output: o } },
        i === 0 ? h('td', { class: 'mono', rowspan: String(x.outputs.length), text: shortName(x.indicator), title: x.indicator }) : null,
        h('td', { class: 'muted', text: o }),
        h('td', { class: 'num', text: last[o] === null || last[o] === undefined ? '—' : num2(last[o]) }),
        i === 0 ? h('td', { class: 'tnum', rowspan: String(x.outputs.length), text: last.date }) : null,
        i === 0 ? h('td', { rowspan: String(x.outputs.length) }, pill(x.source || 'stored')) : null)));
    }
    replace(indBody, rows.length ? rows : h('tr', null, h('td', { colspan: '5' }, empty('No indicator values.'))));
  }

  function renderDetections(dets) {
    replace(detBody, dets.length ? dets.slice(0, 200).map((d) => h('tr', null,
      h('td', { class: 'tnum', text: d.bar_date }), h('td', { text: d.pattern }), h('td', null, pill(d.direction)),
      h('td', { class: 'num', text: num2(d.strength) }), h('td', { class: 'num', text: d.confidence === null || d.confidence === undefined ? '—' : `${Math.round(d.confidence * 100)}%` }),
      h('td', null, d.run_id ? link(`/history/${encodeURIComponent(d.run_id)}`, shortId(d.run_id), { class: 'mono', title: d.run_id }) : '—')))
      : h('tr', null, h('td', { colspan: '6' }, empty(`No ${timeframe} patterns detected for ${sym}.`))));
  }

  // ---- recompute ----
  let pendingRun = null;
  if (recompute) {
    recompute.addEventListener('click', async () => {
      recompute.disabled = true;
      recomputeMsg.textContent = 'Starting…';
      try {
        const res = await api.post('/api/processing/trigger-indicators', { symbols: [sym], timeframe });
        pendingRun = res.run_id;
        replace(recomputeMsg, 'Run ', link(`/history/${encodeURIComponent(res.run_id)}`, shortId(res.run_id), { class: 'mono', title: res.run_id }), ` ${res.status}; the chart reloads when it finishes.`);
      } catch (e) {
        recomputeMsg.textContent = `${e.code ? `${e.code}: ` : ''}${e.message}`;
        recompute.disabled = false;
      }
    });
  }
  for (const n of ['processing_completed', 'processing_failed', 'processing_cancelled', 'processing_interrupted']) {
    offs.push(on(`event:${n}`, (e) => {
      if (!pendingRun || e.runId !== pendingRun) return;
      pendingRun = null;
      recomputeMsg.textContent = `Recompute ${e.p.status.replace(/_/g, ' ')}.`;
      recompute.disabled = false;
      load();
    }));
  }

  load();
  return () => {
    alive = false;
    loadToken++;
    offs.forEach((f) => f());
    document.removeEventListener('tickstock:theme', onTheme);
    if (chart) chart.remove();
  };
}
