#!/usr/bin/env node
// Golden files for the TA indicators (not the candlesticks: see
// gen_candle_golden.js). Reference: TA-Lib 0.6.0-dev C code through the npm
// package talib@1.1.6. Run from anywhere:
//
//   NODE_PATH=/tmp/talib/node_modules node tests/golden/gen_ta_golden.js
//
// Deterministic (seeded PRNG, no clock). Writes into tests/data/golden/:
//   input_<name>.csv            date,open,high,low,close,volume
//   <name>__<FN>_<opts>.csv     date,<TA-Lib output names>; empty cells inside
//                               the lookback; numbers with 17 significant digits
//   ta_manifest.csv             input,call,file (call = canonical TickStock key)
// Inputs:
//   random_walk   2,000 bars, geometric random walk with intrabar ranges
//                 (every configuration except the pivots)
//   edge          flat stretches (zero range, zero volume), gaps, extreme moves,
//                 tiny and huge price levels, repeated closes
//   short_<n>     the first n bars of random_walk, n around the lookbacks
// RELVOL, PIVOTS, PIVOTS_FIB, DONCHIAN, KELTNER, ... are TickStock extras with
// no TA-Lib twin; their goldens come from the straightforward formulas below
// (an independent implementation of the documented definitions), built on
// TA-Lib's own EMA/WMA/ATR where the definition names them.
'use strict';

const fs = require('fs');
const path = require('path');
const talib = require('talib');

const OUT_DIR = path.join(__dirname, '..', 'data', 'golden');

// ---- deterministic random numbers ---------------------------------------------
// SplitMix32-style generator on a 32-bit state; uniform in [0, 1).
function rng(seed) {
  let s = seed >>> 0;
  const u32 = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
  const uniform = () => (u32() + u32() / 4294967296) / 4294967296;
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    let a, b, r;
    do {
      a = 2 * uniform() - 1;
      b = 2 * uniform() - 1;
      r = a * a + b * b;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt(-2 * Math.log(r) / r);
    spare = b * f;
    return a * f;
  };
  return { uniform, normal };
}

// ---- number and date formatting -------------------------------------------------
// C's %.17g: 17 significant digits, trailing zeros removed, exponent form when
// the exponent is < -4 or >= 17.
function g17(x) {
  if (!Number.isFinite(x)) throw new Error(`non-finite value ${x}`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let [m, ex] = x.toExponential(16).split('e');
  const e = Number(ex);
  if (e < -4 || e >= 17) {
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const sign = ex[0] === '-' ? '-' : '+';
    const digits = ex.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  let s = x.toFixed(Math.max(0, 16 - e));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function weekdays(n) {
  const out = [];
  const d = new Date(Date.UTC(2015, 0, 2));
  while (out.length < n) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

// ---- input series -----------------------------------------------------------------
function bar(open, close, r, spread, volume) {
  const high = Math.max(open, close) * (1 + spread * Math.abs(r.normal()));
  const low = Math.min(open, close) * (1 - spread * Math.abs(r.normal()));
  return { open, high, low, close, volume };
}

function randomWalk(n, seed) {
  const r = rng(seed);
  const bars = [];
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price * (1 + 0.002 * r.normal());
    price = open * Math.exp(0.015 * r.normal());
    const volume = Math.round(1e6 * Math.exp(0.5 * r.normal()));
    bars.push(bar(open, price, r, 0.006, volume));
  }
  return bars;
}

function edgeSeries(seed) {
  const r = rng(seed);
  const bars = [];
  let price = 50;
  const walk = (count, vol, volumeScale, zeroEvery) => {
    for (let i = 0; i < count; i++) {
      const open = price;
      price = price * Math.exp(vol * r.normal());
      const zero = zeroEvery > 0 && i % zeroEvery === 0;
      bars.push(bar(open, price, r, vol / 2, zero ? 0 : Math.round(volumeScale * (0.5 + r.uniform()))));
    }
  };
  const flat = (count, withRange) => {
    for (let i = 0; i < count; i++) {
      if (withRange) bars.push({ open: price, high: price * 1.01, low: price * 0.99, close: price, volume: 1000 });
      else bars.push({ open: price, high: price, low: price, close: price, volume: 0 });
    }
  };
  walk(40, 0.01, 1e5, 0);
  flat(35, false);                 // no range, no volume: every ~0 guard
  price *= 1.3;                    // gap up
  walk(30, 0.05, 1e6, 0);
  price *= 0.6;                    // gap down
  walk(30, 0.05, 1e6, 0);
  for (let i = 0; i < 30; i++) {   // alternating extreme moves, huge volume
    const open = price;
    price = price * (i % 2 === 0 ? 1.25 : 0.8);
    bars.push(bar(open, price, r, 0.05, 1e9 + i));
  }
  price = 0.0125;                  // penny levels
  walk(40, 0.03, 1e7, 5);
  price = 2.5e6;                   // huge levels
  walk(40, 0.01, 10, 7);
  flat(30, true);                  // constant range, constant close
  for (let i = 0; i < 40; i++) {   // repeated closes and zero-range bars
    const open = price;
    if (i % 3 !== 0) price = price * Math.exp(0.02 * r.normal());
    if (i % 4 === 0) bars.push({ open: price, high: price, low: price, close: price, volume: 0 });
    else bars.push(bar(open, price, r, 0.01, Math.round(1e4 * (1 + r.uniform()))));
  }
  walk(75, 0.02, 1e5, 11);
  return bars;
}

// ---- indicator configurations -------------------------------------------------------
// options: [TickStock/TA-Lib option name, TA-Lib optIn name, value] in table order.
const OUT = {
  real: [['outReal', 'real']],
  bands: [['outRealUpperBand', 'upperband'], ['outRealMiddleBand', 'middleband'], ['outRealLowerBand', 'lowerband']],
  macd: [['outMACD', 'macd'], ['outMACDSignal', 'macdsignal'], ['outMACDHist', 'macdhist']],
  stoch: [['outSlowK', 'slowk'], ['outSlowD', 'slowd']],
  integer: [['outInteger', 'integer']],
  minmax: [['outMin', 'min'], ['outMax', 'max']],
  minmaxindex: [['outMinIdx', 'minidx'], ['outMaxIdx', 'maxidx']],
  aroon: [['outAroonDown', 'aroondown'], ['outAroonUp', 'aroonup']],
  pivots: ['pp', 'r1', 'r2', 'r3', 's1', 's2', 's3'].map((n) => [n, n]),
};
const period = (v) => [['timeperiod', 'optInTimePeriod', v]];

function configs() {
  const list = [];
  const add = (name, inputs, options, outputs, extra, only) =>
    list.push({ name, inputs, options, outputs, extra, only });
  for (const n of [5, 10, 20, 30, 50, 100, 200]) {
    add('SMA', ['real'], period(n), OUT.real);
    add('EMA', ['real'], period(n), OUT.real);
  }
  for (const n of [14, 5]) add('RSI', ['real'], period(n), OUT.real);
  for (const [f, s, g] of [[12, 26, 9], [5, 35, 5], [26, 12, 9]]) {
    add('MACD', ['real'], [['fastperiod', 'optInFastPeriod', f], ['slowperiod', 'optInSlowPeriod', s],
      ['signalperiod', 'optInSignalPeriod', g]], OUT.macd);
  }
  for (const [n, up, dn, ma] of [[5, 2, 2, 0], [20, 2, 2, 0], [20, 2, 1.5, 1]]) {
    add('BBANDS', ['real'], [['timeperiod', 'optInTimePeriod', n], ['nbdevup', 'optInNbDevUp', up],
      ['nbdevdn', 'optInNbDevDn', dn], ['matype', 'optInMAType', ma]], OUT.bands);
  }
  for (const [fk, sk, skm, sd, sdm] of [[5, 3, 0, 3, 0], [14, 3, 0, 3, 0], [14, 3, 1, 4, 1]]) {
    add('STOCH', ['high', 'low', 'close'], [['fastk_period', 'optInFastK_Period', fk],
      ['slowk_period', 'optInSlowK_Period', sk], ['slowk_matype', 'optInSlowK_MAType', skm],
      ['slowd_period', 'optInSlowD_Period', sd], ['slowd_matype', 'optInSlowD_MAType', sdm]], OUT.stoch);
  }
  for (const n of [14, 1]) add('ATR', ['high', 'low', 'close'], period(n), OUT.real);
  for (const n of [14, 5]) add('ADX', ['high', 'low', 'close'], period(n), OUT.real);
  for (const n of [14, 1]) {
    add('PLUS_DI', ['high', 'low', 'close'], period(n), OUT.real);
    add('MINUS_DI', ['high', 'low', 'close'], period(n), OUT.real);
  }
  add('OBV', ['real', 'volume'], [], OUT.real);
  add('MFI', ['high', 'low', 'close', 'volume'], period(14), OUT.real);
  add('WILLR', ['high', 'low', 'close'], period(14), OUT.real);
  for (const n of [20, 14]) add('CCI', ['high', 'low', 'close'], period(n), OUT.real);
  // ---- issue 5, first slice ----
  for (const name of ['WMA', 'DEMA', 'TEMA', 'TRIMA', 'KAMA']) {
    for (const n of [30, 10, 2]) add(name, ['real'], period(n), OUT.real);
  }
  const maOpts = (n, t) => [['timeperiod', 'optInTimePeriod', n], ['matype', 'optInMAType', t]];
  for (let t = 0; t <= 8; t++) {
    for (const n of [30, 9]) add('MA', ['real'], maOpts(n, t), OUT.real);
  }
  add('MA', ['real'], maOpts(1, 3), OUT.real);
  for (let t = 2; t <= 8; t++) {
    add('BBANDS', ['real'], [['timeperiod', 'optInTimePeriod', 20], ['nbdevup', 'optInNbDevUp', 2],
      ['nbdevdn', 'optInNbDevDn', 2], ['matype', 'optInMAType', t]], OUT.bands);
  }
  const HL = ['high', 'low'];
  const HLC = ['high', 'low', 'close'];
  const OHLC = ['open', 'high', 'low', 'close'];
  const HLCV = ['high', 'low', 'close', 'volume'];
  add('AVGPRICE', OHLC, [], OUT.real);
  add('MEDPRICE', HL, [], OUT.real);
  add('TYPPRICE', HLC, [], OUT.real);
  add('WCLPRICE', HLC, [], OUT.real);
  add('TRANGE', HLC, [], OUT.real);
  for (const n of [14, 1]) add('NATR', HLC, period(n), OUT.real);
  for (const name of ['MOM', 'ROC', 'ROCP', 'ROCR', 'ROCR100']) {
    for (const n of [10, 1]) add(name, ['real'], period(n), OUT.real);
  }
  for (const n of [14, 2]) add('CMO', ['real'], period(n), OUT.real);
  add('BOP', OHLC, [], OUT.real);
  for (const n of [14, 2]) {
    add('AROON', HL, period(n), OUT.aroon);
    add('AROONOSC', HL, period(n), OUT.real);
  }
  for (const n of [14, 5]) {
    add('ADXR', HLC, period(n), OUT.real);
    add('DX', HLC, period(n), OUT.real);
  }
  for (const n of [14, 1]) {
    add('PLUS_DM', HL, period(n), OUT.real);
    add('MINUS_DM', HL, period(n), OUT.real);
  }
  const fastOut = [['outFastK', 'fastk'], ['outFastD', 'fastd']];
  for (const [fk, fd, m] of [[5, 3, 0], [14, 3, 1], [1, 1, 0]]) {
    add('STOCHF', HLC, [['fastk_period', 'optInFastK_Period', fk], ['fastd_period', 'optInFastD_Period', fd],
      ['fastd_matype', 'optInFastD_MAType', m]], fastOut);
  }
  for (const [n, fk, fd, m] of [[14, 5, 3, 0], [14, 14, 3, 1], [5, 1, 1, 0]]) {
    add('STOCHRSI', ['real'], [['timeperiod', 'optInTimePeriod', n], ['fastk_period', 'optInFastK_Period', fk],
      ['fastd_period', 'optInFastD_Period', fd], ['fastd_matype', 'optInFastD_MAType', m]], fastOut);
  }
  for (const n of [30, 5, 2]) add('TRIX', ['real'], period(n), OUT.real);
  for (const [a, b, c] of [[7, 14, 28], [28, 7, 14], [1, 1, 2]]) {
    add('ULTOSC', HLC, [['timeperiod1', 'optInTimePeriod1', a], ['timeperiod2', 'optInTimePeriod2', b],
      ['timeperiod3', 'optInTimePeriod3', c]], OUT.real);
  }
  for (const name of ['APO', 'PPO']) {
    for (const [f, sl, m] of [[12, 26, 0], [12, 26, 1], [26, 5, 1]]) {
      add(name, ['real'], [['fastperiod', 'optInFastPeriod', f], ['slowperiod', 'optInSlowPeriod', sl],
        ['matype', 'optInMAType', m]], OUT.real);
    }
  }
  for (const [a, m] of [[0.02, 0.2], [0.05, 0.1], [0.3, 0.2]]) {
    add('SAR', HL, [['acceleration', 'optInAcceleration', a], ['maximum', 'optInMaximum', m]], OUT.real);
  }
  for (const g of [9, 5]) add('MACDFIX', ['real'], [['signalperiod', 'optInSignalPeriod', g]], OUT.macd);
  for (const [f, fm, sl, sm, g, gm] of [[12, 0, 26, 0, 9, 0], [12, 1, 26, 1, 9, 1], [26, 1, 12, 0, 5, 1],
    [5, 0, 20, 1, 1, 0]]) {
    add('MACDEXT', ['real'], [['fastperiod', 'optInFastPeriod', f], ['fastmatype', 'optInFastMAType', fm],
      ['slowperiod', 'optInSlowPeriod', sl], ['slowmatype', 'optInSlowMAType', sm],
      ['signalperiod', 'optInSignalPeriod', g], ['signalmatype', 'optInSignalMAType', gm]], OUT.macd);
  }
  for (const [n, v] of [[5, 0.7], [10, 0], [2, 1]]) {
    add('T3', ['real'], [['timeperiod', 'optInTimePeriod', n], ['vfactor', 'optInVFactor', v]], OUT.real);
  }
  for (const n of [20, 2]) add('ACCBANDS', HLC, period(n), OUT.bands);
  for (const n of [14, 2]) {
    add('AVGDEV', ['real'], period(n), OUT.real);
    add('IMI', ['open', 'close'], period(n), OUT.real);
  }
  const sarextNames = [['startvalue', 'optInStartValue'], ['offsetonreverse', 'optInOffsetOnReverse'],
    ['accelerationinitlong', 'optInAccelerationInitLong'], ['accelerationlong', 'optInAccelerationLong'],
    ['accelerationmaxlong', 'optInAccelerationMaxLong'], ['accelerationinitshort', 'optInAccelerationInitShort'],
    ['accelerationshort', 'optInAccelerationShort'], ['accelerationmaxshort', 'optInAccelerationMaxShort']];
  for (const values of [[0, 0, 0.02, 0.02, 0.2, 0.02, 0.02, 0.2], [0, 0.01, 0.01, 0.03, 0.25, 0.04, 0.01, 0.1],
    [90, 0, 0.3, 0.02, 0.2, 0.02, 0.3, 0.2], [-120, 0.02, 0.02, 0.02, 0.2, 0.02, 0.02, 0.2]]) {
    add('SAREXT', HL, sarextNames.map(([a, b], k) => [a, b, values[k]]), OUT.real);
  }
  for (const [fl, sl] of [[0.5, 0.05], [0.9, 0.2], [0.3, 0.3]]) {
    add('MAMA', ['real'], [['fastlimit', 'optInFastLimit', fl], ['slowlimit', 'optInSlowLimit', sl]],
      [['outMAMA', 'mama'], ['outFAMA', 'fama']]);
  }
  add('HT_DCPERIOD', ['real'], [], OUT.real);
  add('HT_DCPHASE', ['real'], [], OUT.real);
  add('HT_PHASOR', ['real'], [], [['outInPhase', 'inphase'], ['outQuadrature', 'quadrature']]);
  add('HT_SINE', ['real'], [], [['outSine', 'sine'], ['outLeadSine', 'leadsine']]);
  add('HT_TRENDMODE', ['real'], [], OUT.integer);
  add('HT_TRENDLINE', ['real'], [], OUT.real);
  add('AD', HLCV, [], OUT.real);
  for (const [f, s] of [[3, 10], [10, 3], [2, 2]]) {
    add('ADOSC', HLCV, [['fastperiod', 'optInFastPeriod', f], ['slowperiod', 'optInSlowPeriod', s]], OUT.real);
  }
  for (const n of [30, 2]) {
    add('SUM', ['real'], period(n), OUT.real);
    add('MAX', ['real'], period(n), OUT.real);
    add('MIN', ['real'], period(n), OUT.real);
    add('MAXINDEX', ['real'], period(n), OUT.integer);
    add('MININDEX', ['real'], period(n), OUT.integer);
    add('MINMAX', ['real'], period(n), OUT.minmax);
    add('MINMAXINDEX', ['real'], period(n), OUT.minmaxindex);
  }
  for (const n of [14, 2]) {
    add('MIDPOINT', ['real'], period(n), OUT.real);
    add('MIDPRICE', HL, period(n), OUT.real);
  }
  for (const name of ['ADD', 'SUB', 'MULT', 'DIV']) add(name, ['real0', 'real1'], [], OUT.real);
  for (const name of ['ACOS', 'ASIN', 'ATAN', 'CEIL', 'COS', 'FLOOR', 'LN', 'LOG10', 'SIN', 'SQRT', 'TAN',
    'TANH']) {
    add(name, ['real'], [], OUT.real);
  }
  // exp overflows to infinity on the edge series' 2.5e6 price level, which a
  // golden cell cannot hold: these three are checked on the random walk only.
  for (const name of ['COSH', 'EXP', 'SINH']) add(name, ['real'], [], OUT.real, undefined, 'finite');
  const nbdev = (n, d) => [['timeperiod', 'optInTimePeriod', n], ['nbdev', 'optInNbDev', d]];
  for (const [n, d] of [[5, 1], [20, 2], [1, 1]]) add('VAR', ['real'], nbdev(n, d), OUT.real);
  for (const [n, d] of [[5, 1], [20, 2], [2, -1.5]]) add('STDDEV', ['real'], nbdev(n, d), OUT.real);
  for (const name of ['LINEARREG', 'LINEARREG_SLOPE', 'LINEARREG_INTERCEPT', 'LINEARREG_ANGLE', 'TSF']) {
    for (const n of [14, 2]) add(name, ['real'], period(n), OUT.real);
  }
  for (const n of [30, 5, 1]) add('CORREL', ['real0', 'real1'], period(n), OUT.real);
  for (const n of [5, 20, 1]) add('BETA', ['real0', 'real1'], period(n), OUT.real);
  add('RELVOL', [], period(20), OUT.real, relvol);
  add('PIVOTS', [], [], OUT.pivots, (b) => pivots(b, false));
  add('PIVOTS_FIB', [], [], OUT.pivots, (b) => pivots(b, true));
  add('PIVOTS_WOODIE', [], [], OUT.pivots, woodie);
  add('PIVOTS_CAMARILLA', [], [], ['pp', 'r1', 'r2', 'r3', 'r4', 's1', 's2', 's3', 's4'].map((k) => ['', k]),
    camarilla);
  for (const n of [20, 5, 1]) add('DONCHIAN', [], period(n), OUT.bands, donchian);
  const keltnerOpts = (n, a, m) => [['timeperiod', '', n], ['atrperiod', '', a], ['multiplier', '', m]];
  for (const [n, a, m] of [[20, 10, 2], [10, 20, 1.5], [2, 1, 0.5]]) {
    add('KELTNER', [], keltnerOpts(n, a, m), OUT.bands, keltner);
  }
  for (const n of [20, 9, 2]) add('HMA', [], period(n), OUT.real, hma);
  for (const n of [20, 1]) add('CMF', [], period(n), OUT.real, cmf);
  add('HEIKINASHI', [], [], [['', 'ha_open'], ['', 'ha_high'], ['', 'ha_low'], ['', 'ha_close']], heikinashi);
  for (const [a, m] of [[10, 3], [1, 1], [14, 2.5]]) {
    add('SUPERTREND', [], [['atrperiod', '', a], ['multiplier', '', m]], [['', 'supertrend'], ['', 'direction']],
      supertrend);
  }
  add('VWAP', [], [], OUT.real, vwap);
  const ichOpts = (t, k, sb, d) => [['tenkan', '', t], ['kijun', '', k], ['senkou', '', sb], ['displacement', '', d]];
  for (const [t, k, sb, d] of [[9, 26, 52, 26], [3, 5, 7, 0], [1, 2, 3, 4]]) {
    add('ICHIMOKU', [], ichOpts(t, k, sb, d), ['tenkan', 'kijun', 'senkou_a', 'senkou_b', 'chikou'].map((c) => ['', c]),
      ichimoku);
  }
  for (const dev of [5, 1, 20]) {
    add('ZIGZAG', [], [['deviation', '', dev]], ['pivot', 'direction', 'pivot_index'].map((c) => ['', c]), zigzag);
  }
  for (const a of [0, 10, 100]) add('AVWAP', [], [['anchor', '', a]], OUT.real, (b) => avwap(b, a));
  // Every MA type in the smoothing MAs of STOCH, STOCHF, STOCHRSI, APO, PPO, MACDEXT.
  for (let t = 2; t <= 8; t++) {
    add('STOCH', HLC, [['fastk_period', 'optInFastK_Period', 5], ['slowk_period', 'optInSlowK_Period', 3],
      ['slowk_matype', 'optInSlowK_MAType', t], ['slowd_period', 'optInSlowD_Period', 3],
      ['slowd_matype', 'optInSlowD_MAType', t]], OUT.stoch);
    add('STOCHF', HLC, [['fastk_period', 'optInFastK_Period', 5], ['fastd_period', 'optInFastD_Period', 3],
      ['fastd_matype', 'optInFastD_MAType', t]], fastOut);
    add('STOCHRSI', ['real'], [['timeperiod', 'optInTimePeriod', 14], ['fastk_period', 'optInFastK_Period', 5],
      ['fastd_period', 'optInFastD_Period', 3], ['fastd_matype', 'optInFastD_MAType', t]], fastOut);
    for (const name of ['APO', 'PPO']) {
      add(name, ['real'], [['fastperiod', 'optInFastPeriod', 12], ['slowperiod', 'optInSlowPeriod', 26],
        ['matype', 'optInMAType', t]], OUT.real);
    }
    add('MACDEXT', ['real'], [['fastperiod', 'optInFastPeriod', 12], ['fastmatype', 'optInFastMAType', t],
      ['slowperiod', 'optInSlowPeriod', 26], ['slowmatype', 'optInSlowMAType', t],
      ['signalperiod', 'optInSignalPeriod', 9], ['signalmatype', 'optInSignalMAType', t]], OUT.macd);
  }
  // MAVP reads a periods column: only the *_periods inputs carry one.
  const mavpOpts = (lo, hi, t) => [['minperiod', 'optInMinPeriod', lo], ['maxperiod', 'optInMaxPeriod', hi],
    ['matype', 'optInMAType', t]];
  for (let t = 0; t <= 8; t++) add('MAVP', ['real', 'periods'], mavpOpts(2, 30, t), OUT.real, undefined, 'periods');
  add('MAVP', ['real', 'periods'], mavpOpts(5, 20, 1), OUT.real, undefined, 'periods');
  add('MAVP', ['real', 'periods'], mavpOpts(3, 12, 4), OUT.real, undefined, 'periods');
  return list;
}

// ---- extras: plain formulas -------------------------------------------------------------
function relvol(bars, options) {
  const n = options[0][2];
  const out = bars.map(() => null);
  for (let i = n; i < bars.length; i++) {
    let sum = 0;
    for (let j = i - n; j < i; j++) sum += bars[j].volume;
    const avg = sum / n;
    out[i] = avg !== 0 ? bars[i].volume / avg : 0;
  }
  return [out];
}

function pivots(bars, fib) {
  const cols = OUT.pivots.map(() => bars.map(() => null));
  for (let i = 1; i < bars.length; i++) {
    const { high: h, low: l, close: c } = bars[i - 1];
    const pp = (h + l + c) / 3;
    const range = h - l;
    const levels = fib
      ? [pp, pp + 0.382 * range, pp + 0.618 * range, pp + range, pp - 0.382 * range, pp - 0.618 * range, pp - range]
      : [pp, 2 * pp - l, pp + range, h + 2 * (pp - l), 2 * pp - h, pp - range, l - 2 * (h - pp)];
    levels.forEach((v, k) => { cols[k][i] = v; });
  }
  return cols;
}

function donchian(bars, options) {
  const n = options[0][2];
  const cols = OUT.bands.map(() => bars.map(() => null));
  for (let i = n - 1; i < bars.length; i++) {
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = i - n + 1; j <= i; j++) {
      hi = Math.max(hi, bars[j].high);
      lo = Math.min(lo, bars[j].low);
    }
    cols[0][i] = hi;
    cols[1][i] = (hi + lo) / 2;
    cols[2][i] = lo;
  }
  return cols;
}

// A TA-Lib function over a whole column, aligned with the bars (null before begIndex).
function talibColumn(name, args, outName) {
  const res = talib.execute({ name, startIdx: 0, endIdx: args.len - 1, ...args.inputs, ...args.options });
  if (res.error) throw new Error(`${name}: ${res.error}`);
  const out = new Array(args.len).fill(null);
  const values = res.result[outName];
  for (let k = 0; k < res.nbElement; k++) out[res.begIndex + k] = values[k];
  return out;
}

function talibAtr(bars, period) {
  const col = (k) => bars.map((b) => b[k]);
  return talibColumn('ATR', { len: bars.length, inputs: { high: col('high'), low: col('low'), close: col('close') },
    options: { optInTimePeriod: period } }, 'outReal');
}

function keltner(bars, options) {
  const [n, a, m] = options.map((o) => o[2]);
  const cols = OUT.bands.map(() => bars.map(() => null));
  const lb = Math.max(n - 1, a);
  if (bars.length <= lb) return cols;
  const ema = talibColumn('EMA', { len: bars.length, inputs: { inReal: bars.map((b) => b.close) },
    options: { optInTimePeriod: n } }, 'outReal');
  const atr = talibAtr(bars, a);
  for (let i = lb; i < bars.length; i++) {
    cols[0][i] = ema[i] + m * atr[i];
    cols[1][i] = ema[i];
    cols[2][i] = ema[i] - m * atr[i];
  }
  return cols;
}

// TA-Lib's WMA over values (period 1 copies, as TA_MA does).
function talibWma(values, p) {
  if (p === 1) return values.slice();
  return talibColumn('WMA', { len: values.length, inputs: { inReal: values }, options: { optInTimePeriod: p } },
    'outReal');
}

function hma(bars, options) {
  const n = options[0][2];
  const s = Math.floor(Math.sqrt(n));
  const out = bars.map(() => null);
  if (bars.length <= n - 1 + s - 1) return [out];
  const close = bars.map((b) => b.close);
  const half = talibWma(close, Math.floor(n / 2));
  const full = talibWma(close, n);
  const diff = [];
  for (let i = n - 1; i < bars.length; i++) diff.push(2 * half[i] - full[i]);
  const hull = talibWma(diff, s);
  hull.forEach((v, k) => { if (v !== null) out[k + n - 1] = v; });
  return [out];
}

function cmf(bars, options) {
  const n = options[0][2];
  const out = bars.map(() => null);
  for (let i = n - 1; i < bars.length; i++) {
    let flow = 0;
    let vol = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const { high: h, low: l, close: c, volume: v } = bars[j];
      flow += (h === l ? 0 : ((c - l) - (h - c)) / (h - l)) * v;
      vol += v;
    }
    out[i] = vol === 0 ? 0 : flow / vol;
  }
  return [out];
}

function heikinashi(bars) {
  const cols = [0, 1, 2, 3].map(() => bars.map(() => null));
  let ho = 0;
  let hc = 0;
  bars.forEach((b, i) => {
    const c = (b.open + b.high + b.low + b.close) / 4;
    const o = i === 0 ? (b.open + b.close) / 2 : (ho + hc) / 2;
    cols[0][i] = o;
    cols[1][i] = Math.max(b.high, o, c);
    cols[2][i] = Math.min(b.low, o, c);
    cols[3][i] = c;
    ho = o;
    hc = c;
  });
  return cols;
}

// TradingView's ta.supertrend (direction sign flipped: +1 = up) over TA-Lib's ATR,
// with the direction carried as state (TickStock's documented definition: Pine
// compares the previous supertrend with the previous upper band, which reads a
// flat bar with ATR = 0, where both bands are equal, as a downtrend).
function supertrend(bars, options) {
  const [a, m] = options.map((o) => o[2]);
  const cols = [bars.map(() => null), bars.map(() => null)];
  if (bars.length <= a) return cols;
  const atr = talibAtr(bars, a);
  let pu = 0;
  let pl = 0;
  let dir = -1;
  for (let i = a; i < bars.length; i++) {
    const hl2 = (bars[i].high + bars[i].low) / 2;
    let up = hl2 + m * atr[i];
    let lo = hl2 - m * atr[i];
    const pc = bars[i - 1].close;
    lo = lo > pl || pc < pl ? lo : pl;
    up = up < pu || pc > pu ? up : pu;
    if (i === a) dir = -1;
    else if (dir < 0) dir = bars[i].close > up ? 1 : -1;
    else dir = bars[i].close < lo ? -1 : 1;
    cols[0][i] = dir > 0 ? lo : up;
    cols[1][i] = dir;
    pu = up;
    pl = lo;
  }
  return cols;
}

function avwap(bars, anchor) {
  return [vwap(bars.slice(anchor))[0].reduce((out, v, k) => { out[anchor + k] = v; return out; },
    bars.map(() => null))];
}

function vwap(bars) {
  const out = bars.map(() => null);
  let pv = 0;
  let vol = 0;
  bars.forEach((b, i) => {
    const tp = (b.high + b.low + b.close) / 3;
    pv += tp * b.volume;
    vol += b.volume;
    out[i] = vol !== 0 ? pv / vol : tp;
  });
  return [out];
}

// Ichimoku: each line from plain window scans over bars <= i (see kernels.hpp).
function ichimoku(bars, options) {
  const [t, k, sb, d] = options.map((o) => o[2]);
  const cols = [0, 1, 2, 3, 4].map(() => bars.map(() => null));
  const mid = (p, j) => {
    let hi = -Infinity;
    let lo = Infinity;
    for (let q = j - p + 1; q <= j; q++) {
      hi = Math.max(hi, bars[q].high);
      lo = Math.min(lo, bars[q].low);
    }
    return (hi + lo) / 2;
  };
  for (let i = Math.max(t, k, sb) - 1 + d; i < bars.length; i++) {
    cols[0][i] = mid(t, i);
    cols[1][i] = mid(k, i);
    cols[2][i] = (mid(t, i - d) + mid(k, i - d)) / 2;
    cols[3][i] = mid(sb, i - d);
    cols[4][i] = bars[i].close;
  }
  return cols;
}

// ZigZag of confirmed pivots, written from the definition in kernels.hpp.
function zigzag(bars, options) {
  const dev = options[0][2];
  const up = 1 + dev / 100;
  const down = 1 - dev / 100;
  const cols = [0, 1, 2].map(() => bars.map(() => null));
  let trend = 0;
  let pivot = bars.length ? bars[0].close : 0;
  let pivotAt = 0;
  let cand = 0;
  let candAt = 0;
  let hi = bars.length ? bars[0].high : 0;
  let lo = bars.length ? bars[0].low : 0;
  let hiAt = 0;
  let loAt = 0;
  const confirm = (v, at, t, c, cAt) => { pivot = v; pivotAt = at; trend = t; cand = c; candAt = cAt; };
  bars.forEach((b, i) => {
    if (i > 0) {
      if (trend === 0) {
        if (b.high > hi) { hi = b.high; hiAt = i; }
        if (b.low < lo) { lo = b.low; loAt = i; }
        const falls = b.low <= hi * down && hiAt < i;
        const rises = b.high >= lo * up && loAt < i;
        if (falls && (!rises || hiAt <= loAt)) confirm(hi, hiAt, -1, b.low, i);
        else if (rises) confirm(lo, loAt, 1, b.high, i);
      } else if (trend > 0) {
        if (b.high > cand) { cand = b.high; candAt = i; } else if (b.low <= cand * down) confirm(cand, candAt, -1, b.low, i);
      } else if (b.low < cand) { cand = b.low; candAt = i; } else if (b.high >= cand * up) confirm(cand, candAt, 1, b.high, i);
    }
    cols[0][i] = pivot;
    cols[1][i] = trend;
    cols[2][i] = pivotAt;
  });
  return cols;
}

function woodie(bars) {
  const cols = OUT.pivots.map(() => bars.map(() => null));
  for (let i = 1; i < bars.length; i++) {
    const { high: h, low: l, close: c } = bars[i - 1];
    const pp = (h + l + 2 * c) / 4;
    const levels = [pp, 2 * pp - l, pp + (h - l), h + 2 * (pp - l), 2 * pp - h, pp - (h - l), l - 2 * (h - pp)];
    levels.forEach((v, k) => { cols[k][i] = v; });
  }
  return cols;
}

function camarilla(bars) {
  const cols = [...Array(9)].map(() => bars.map(() => null));
  for (let i = 1; i < bars.length; i++) {
    const { high: h, low: l, close: c } = bars[i - 1];
    const r = h - l;
    const levels = [(h + l + c) / 3, c + r * 1.1 / 12, c + r * 1.1 / 6, c + r * 1.1 / 4, c + r * 1.1 / 2,
      c - r * 1.1 / 12, c - r * 1.1 / 6, c - r * 1.1 / 4, c - r * 1.1 / 2];
    levels.forEach((v, k) => { cols[k][i] = v; });
  }
  return cols;
}

// ---- TA-Lib run ---------------------------------------------------------------------------
function runTalib(cfg, bars) {
  const n = bars.length;
  const col = (k) => bars.map((b) => b[k]);
  const args = { name: cfg.name, startIdx: 0, endIdx: n - 1 };
  for (const input of cfg.inputs) {
    if (input === 'real') args.inReal = col('close');
    else if (input === 'real0') args.inReal0 = col('high');  // abstract-interface default
    else if (input === 'real1') args.inReal1 = col('low');
    else if (input === 'periods') args.inPeriods = col('periods');
    else args[input] = col(input);
  }
  for (const [, optIn, value] of cfg.options) args[optIn] = value;
  const res = talib.execute(args);
  if (res.error) throw new Error(`${cfg.name}: ${res.error}`);
  return cfg.outputs.map(([talibName]) => {
    const out = bars.map(() => null);
    const values = res.result[talibName];
    if (!values) throw new Error(`${cfg.name}: no output ${talibName}`);
    for (let k = 0; k < res.nbElement; k++) out[res.begIndex + k] = values[k];
    return out;
  });
}

function callKey(cfg) {
  if (cfg.options.length === 0) return cfg.name;
  return `${cfg.name}(${cfg.options.map(([name, , v]) => `${name}=${String(v)}`).join(',')})`;
}

function fileName(inputName, cfg) {
  const opts = cfg.options.map(([, , v]) => String(v)).join('_');
  return `${inputName}__${cfg.name}${opts ? '_' + opts : ''}.csv`;
}

function writeInput(name, bars) {
  const dates = weekdays(bars.length);
  const withPeriods = bars.length > 0 && 'periods' in bars[0];
  const lines = ['date,open,high,low,close,volume' + (withPeriods ? ',periods' : '')];
  bars.forEach((b, i) => {
    const cells = [dates[i], g17(b.open), g17(b.high), g17(b.low), g17(b.close), g17(b.volume)];
    // A NaN period is an empty cell (TA-Lib reads it as its minimum period).
    if (withPeriods) cells.push(Number.isNaN(b.periods) ? '' : g17(b.periods));
    lines.push(cells.join(','));
  });
  fs.writeFileSync(path.join(OUT_DIR, `input_${name}.csv`), lines.join('\n') + '\n');
}

function writeGolden(file, bars, cfg, cols) {
  const dates = weekdays(bars.length);
  const lines = [['date', ...cfg.outputs.map(([, name]) => name)].join(',')];
  for (let i = 0; i < bars.length; i++) {
    // NaN (e.g. ACOS outside [-1, 1]) is written as an empty cell, as the CLI does.
    lines.push([dates[i], ...cols.map((c) => (c[i] === null || Number.isNaN(c[i]) ? '' : g17(c[i])))].join(','));
  }
  fs.writeFileSync(path.join(OUT_DIR, file), lines.join('\n') + '\n');
}

// MAVP's periods column: a period that holds for a few bars and jumps (to 0..44
// plus a fraction, so truncation and both clamps are exercised), and now and
// then a NaN or a value beyond int's range (both read as the minimum period).
function withPeriods(bars, seed) {
  const r = rng(seed);
  let p = 10;
  return bars.map((b, i) => {
    if (r.uniform() < 0.25) p = Math.floor(45 * r.uniform()) + Math.round(4 * r.uniform()) / 4;
    let v = p;
    if (i % 173 === 101) v = NaN;
    else if (i % 211 === 150) v = 1e12;
    return { ...b, periods: v };
  });
}

// ---- main -----------------------------------------------------------------------------------
function main() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Inputs are written and then read back through the same %.17g text the C++
  // side parses, so both sides see identical doubles.
  const roundTrip = (bars) => bars.map((b) => ({
    open: Number(g17(b.open)), high: Number(g17(b.high)), low: Number(g17(b.low)),
    close: Number(g17(b.close)), volume: Number(g17(b.volume)),
  }));
  const walk = roundTrip(randomWalk(2000, 20150102));
  const edge = roundTrip(edgeSeries(7));
  const inputs = [
    // The pivot levels are plain arithmetic: the shorter edge series covers them.
    ['random_walk', walk, (cfg) => !cfg.name.startsWith('PIVOTS') && cfg.only !== 'periods'],
    ['edge', edge, (cfg) => cfg.only !== 'finite' && cfg.only !== 'periods'],
    // The same bars with MAVP's periods column (seeded).
    ['random_walk_periods', withPeriods(walk, 11), (cfg) => cfg.only === 'periods'],
    ['edge_periods', withPeriods(edge, 12), (cfg) => cfg.only === 'periods'],
  ];
  for (const n of [28, 29, 30]) {
    inputs.push([`short_${n}_periods`, withPeriods(walk, 11).slice(0, n),
      (cfg) => cfg.only === 'periods' && callKey(cfg) === 'MAVP(minperiod=2,maxperiod=30,matype=0)']);
  }
  // Short prefixes around lookbacks: length -> the configurations checked on it.
  const shortPlan = new Map();
  const near = (key, lookback) => {
    for (const n of [lookback - 1, lookback, lookback + 1]) {
      if (n < 1) continue;
      if (!shortPlan.has(n)) shortPlan.set(n, new Set());
      shortPlan.get(n).add(key);
    }
  };
  near('SMA(timeperiod=20)', 19);
  near('EMA(timeperiod=20)', 19);
  near('BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)', 19);
  near('CCI(timeperiod=20)', 19);
  near('RSI(timeperiod=14)', 14);
  near('ATR(timeperiod=14)', 14);
  near('MFI(timeperiod=14)', 14);
  near('PLUS_DI(timeperiod=14)', 14);
  near('WILLR(timeperiod=14)', 13);
  near('STOCH(fastk_period=14,slowk_period=3,slowk_matype=0,slowd_period=3,slowd_matype=0)', 17);
  near('ADX(timeperiod=14)', 27);
  near('MACD(fastperiod=12,slowperiod=26,signalperiod=9)', 33);
  near('OBV', 0);
  near('RELVOL(timeperiod=20)', 20);
  near('PIVOTS', 1);
  near('DONCHIAN(timeperiod=20)', 19);
  near('KELTNER(timeperiod=20,atrperiod=10,multiplier=2)', 19);
  near('HMA(timeperiod=20)', 22);
  near('CMF(timeperiod=20)', 19);
  near('HEIKINASHI', 0);
  near('SUPERTREND(atrperiod=10,multiplier=3)', 10);
  near('VWAP', 0);
  near('NATR(timeperiod=14)', 14);
  near('HT_DCPERIOD', 32);
  near('HT_SINE', 63);
  near('T3(timeperiod=5,vfactor=0.7)', 24);
  near('MACDEXT(fastperiod=12,fastmatype=1,slowperiod=26,slowmatype=1,signalperiod=9,signalmatype=1)', 33);
  near('ACCBANDS(timeperiod=20)', 19);
  near('IMI(timeperiod=14)', 13);
  near('MACDFIX(signalperiod=9)', 33);
  near('SAR(acceleration=0.02,maximum=0.2)', 1);
  near('STOCHF(fastk_period=5,fastd_period=3,fastd_matype=0)', 6);
  near('STOCHRSI(timeperiod=14,fastk_period=5,fastd_period=3,fastd_matype=0)', 20);
  near('TRIX(timeperiod=5)', 13);
  near('ULTOSC(timeperiod1=7,timeperiod2=14,timeperiod3=28)', 28);
  near('APO(fastperiod=12,slowperiod=26,matype=1)', 25);
  near('ADXR(timeperiod=14)', 40);
  near('DX(timeperiod=14)', 14);
  near('PLUS_DM(timeperiod=14)', 13);
  near('TEMA(timeperiod=10)', 27);
  near('DEMA(timeperiod=10)', 18);
  near('KAMA(timeperiod=10)', 10);
  near('TRIMA(timeperiod=10)', 9);
  near('WMA(timeperiod=10)', 9);
  near('CMO(timeperiod=14)', 14);
  near('AROON(timeperiod=14)', 14);
  near('ADOSC(fastperiod=3,slowperiod=10)', 9);
  near('MINMAXINDEX(timeperiod=30)', 29);
  near('STDDEV(timeperiod=5,nbdev=1)', 4);
  near('LINEARREG(timeperiod=14)', 13);
  near('CORREL(timeperiod=30)', 29);
  near('BETA(timeperiod=5)', 5);
  near('AVGPRICE', 0);
  for (const n of [...shortPlan.keys()].sort((a, b) => a - b)) {
    const keys = shortPlan.get(n);
    inputs.push([`short_${n}`, walk.slice(0, n), (cfg) => keys.has(callKey(cfg))]);
  }

  const manifest = ['input,call,file'];
  let bytes = 0;
  for (const [name, bars, wanted] of inputs) {
    writeInput(name, bars);
    for (const cfg of configs()) {
      if (!wanted(cfg)) continue;
      const cols = cfg.extra ? cfg.extra(bars, cfg.options) : runTalib(cfg, bars);
      const file = fileName(name, cfg);
      writeGolden(file, bars, cfg, cols);
      bytes += fs.statSync(path.join(OUT_DIR, file)).size;
      manifest.push(`${name},"${callKey(cfg)}",${file}`);
    }
  }
  fs.writeFileSync(path.join(OUT_DIR, 'ta_manifest.csv'), manifest.join('\n') + '\n');
  process.stdout.write(`wrote ${manifest.length - 1} golden files (${(bytes / 1e6).toFixed(2)} MB)\n`);
}

main();
