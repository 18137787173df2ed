#!/usr/bin/env node
// Generates the candlestick golden files from TA-Lib (npm talib@1.1.6, TA-Lib
// 0.6.0-dev C source). Run from the repository root:
//
//   NODE_PATH=/path/to/node_modules node tests/golden/gen_candle_golden.js
//
// Writes, deterministically (seeded PRNG, no clock):
//   tests/data/golden/candles_input_<input>.csv   date,open,high,low,close,volume
//   tests/data/golden/candles_<input>__<FN>.csv   date,integer (empty inside the lookback)
// The outputs are committed, so the C++ tests never need npm.
//
// Inputs:
//   designed     ~3,000 bars: random candles mixed with shaped ones (dojis,
//                hammers, shooting stars, long bodies) and injected 2- and
//                3-candle sequences, prices in cents, so every pattern fires
//                many times (including the +/-80 variants).
//   random_walk  3,000 bars of a geometric random walk at full double precision.
//   edge         300 bars with flat stretches, zero-range bars and repeated
//                prices (ties at every comparison).
'use strict';

const fs = require('fs');
const path = require('path');
const talib = require('talib');

const OUT_DIR = path.join(__dirname, '..', 'data', 'golden');

const FUNCTIONS = [
  'CDLDOJI', 'CDLHAMMER', 'CDLHANGINGMAN', 'CDLSHOOTINGSTAR', 'CDLENGULFING', 'CDLHARAMI',
  'CDLMORNINGSTAR', 'CDLEVENINGSTAR', 'CDL3WHITESOLDIERS', 'CDL3BLACKCROWS',
];

// ---- deterministic randomness -------------------------------------------------
// 32-bit xorshift state advanced with a Weyl sequence; uniform doubles in [0,1).
function makeRng(seed) {
  let x = seed >>> 0 || 1;
  let w = 0;
  const next32 = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    w = (w + 0x9e3779b9) >>> 0;
    return (x + w) >>> 0;
  };
  const uniform = () => next32() / 4294967296;
  const normal = () => {  // Box-Muller, one value per call
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const between = (a, b) => a + (b - a) * uniform();
  const pick = (items) => items[Math.floor(uniform() * items.length)];
  return { uniform, normal, between, pick };
}

// ---- formatting ---------------------------------------------------------------
// printf("%.17g") for the magnitudes used here: 17 significant digits, trailing
// zeros removed. Round-trips every double exactly.
function g17(x) {
  if (!Number.isFinite(x)) throw new Error('non-finite value ' + x);
  let s = x.toPrecision(17);
  if (s.includes('e')) throw new Error('unexpected magnitude ' + s);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

// Consecutive weekdays starting 2015-01-02.
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

// ---- the designed input -------------------------------------------------------
function designed(n) {
  const rng = makeRng(20150102);
  const bars = [];
  const cents = (x) => Math.round(x * 100) / 100;
  let price = 100;
  const unit = () => price * 0.01;  // a typical body size around the current price

  // Pushes a bar from raw values, rounding to cents and enforcing high/low bounds.
  const push = (o, h, l, c) => {
    o = cents(o); c = cents(c);
    h = Math.max(cents(h), o, c);
    l = Math.min(cents(l), o, c);
    bars.push({ o, h, l, c, v: Math.round(rng.between(2e5, 3e6)) });
    price = Math.max(5, c);
  };
  const prev = () => bars[bars.length - 1];
  const shadow = (k) => Math.abs(rng.normal()) * unit() * k;

  // A candle with the given signed body, starting near the previous close.
  const candle = (body, up = 0.4, down = 0.4) => {
    const o = price + rng.normal() * unit() * 0.2;
    const c = o + body;
    push(o, Math.max(o, c) + shadow(up), Math.min(o, c) - shadow(down), c);
  };
  const randomCandle = () => candle(rng.normal() * unit() * 1.2);
  const longBody = (sign) => candle(sign * unit() * rng.between(2.2, 3.5), 0.3, 0.3);

  const shapes = {
    doji() {
      const o = price + rng.normal() * unit() * 0.2;
      const c = o + rng.pick([0, 0, 0.01, -0.01, rng.normal() * unit() * 0.05]);
      push(o, Math.max(o, c) + shadow(1), Math.min(o, c) - shadow(1), c);
    },
    hammer() {  // a down move, then a hammer at the lows
      candle(-unit() * rng.between(1, 2));
      const p = prev();
      const top = p.l + rng.between(-0.5, 0.1) * unit();
      const body = unit() * rng.between(0.05, 0.4);
      const o = rng.uniform() < 0.5 ? top : top - body;
      const c = o === top ? top - body : top;
      push(o, top + rng.pick([0, 0, 0.01]), top - body - unit() * rng.between(1, 3), c);
    },
    hangingMan() {  // an up move, then the hammer shape at the highs
      candle(unit() * rng.between(1, 2));
      const p = prev();
      const bottom = p.h + rng.between(-0.1, 0.5) * unit();
      const body = unit() * rng.between(0.05, 0.4);
      const o = rng.uniform() < 0.5 ? bottom : bottom + body;
      const c = o === bottom ? bottom + body : bottom;
      push(o, bottom + body + rng.pick([0, 0, 0.01]), bottom - unit() * rng.between(1, 3), c);
    },
    shootingStar() {  // up move, then a small body gapping up with a long upper wick
      candle(unit() * rng.between(1, 2));
      const p = prev();
      const bottom = Math.max(p.o, p.c) + unit() * rng.between(0.05, 0.6);
      const body = unit() * rng.between(0.05, 0.4);
      const o = rng.uniform() < 0.5 ? bottom : bottom + body;
      const c = o === bottom ? bottom + body : bottom;
      push(o, bottom + body + unit() * rng.between(1, 3), bottom - rng.pick([0, 0, 0.01]), c);
    },
    engulfing() {
      const sign = rng.uniform() < 0.5 ? 1 : -1;  // direction of the engulfing candle
      candle(-sign * unit() * rng.between(0.3, 1.2));
      const p = prev();
      const variant = rng.uniform();
      // 100: strictly beyond both ends; 80: one end equal.
      const o = variant < 0.3 ? p.c : p.c - sign * unit() * rng.between(0.05, 0.5);
      const c = variant > 0.7 ? p.o : p.o + sign * unit() * rng.between(0.05, 0.8);
      push(o, Math.max(o, c) + shadow(0.3), Math.min(o, c) - shadow(0.3), c);
    },
    harami() {
      const sign = rng.uniform() < 0.5 ? 1 : -1;
      longBody(sign);
      const p = prev();
      const top = Math.max(p.o, p.c), bottom = Math.min(p.o, p.c);
      const body = Math.min(unit() * rng.between(0.05, 0.6), (top - bottom) * 0.5);
      const variant = rng.uniform();
      let lo;
      if (variant < 0.2) lo = bottom;               // bottom ends match (80)
      else if (variant < 0.4) lo = top - body;      // top ends match (80)
      else lo = bottom + (top - bottom - body) * rng.between(0.1, 0.9);
      const o = rng.uniform() < 0.5 ? lo : lo + body;
      const c = o === lo ? lo + body : lo;
      push(o, Math.max(o, c) + shadow(0.4), Math.min(o, c) - shadow(0.4), c);
    },
    morningStar() { star(1); },
    eveningStar() { star(-1); },
    threeWhiteSoldiers() {
      for (let k = 0; k < 3; k++) {
        const p = prev();
        const o = k === 0 ? price : p.c - unit() * rng.between(0.1, 0.9);
        const c = o + unit() * rng.between(1.4, 2.2);
        push(o, c + rng.pick([0, 0, 0.01, unit() * 0.02]), o - shadow(0.4), c);
      }
    },
    threeBlackCrows() {
      candle(unit() * rng.between(0.8, 1.6));
      for (let k = 0; k < 3; k++) {
        const p = prev();
        const o = k === 0 ? p.c + rng.between(-0.3, 0.1) * unit() : p.c + unit() * rng.between(0.1, 0.9);
        const c = o - unit() * rng.between(1.2, 2.2);
        push(o, o + shadow(0.4), c - rng.pick([0, 0, 0.01, unit() * 0.02]), c);
      }
    },
  };

  // sign +1: long black, small body gapping down, long white closing deep into
  // the first body (morning star); -1 mirrors it (evening star).
  function star(sign) {
    longBody(-sign);
    const first = prev();
    const firstBody = Math.abs(first.c - first.o);
    const edge = sign > 0 ? Math.min(first.o, first.c) : Math.max(first.o, first.c);
    const gap = unit() * rng.between(0.05, 0.8);
    const body = unit() * rng.between(0, 0.3);
    const o2 = edge - sign * gap;
    const c2 = o2 - sign * body * (rng.uniform() < 0.5 ? 1 : -1);
    push(o2, Math.max(o2, c2) + shadow(0.3), Math.min(o2, c2) - shadow(0.3), c2);
    const o3 = prev().c + sign * unit() * rng.between(0, 0.3);
    const c3 = first.c + sign * firstBody * rng.between(0.1, 0.9);
    push(o3, Math.max(o3, c3) + shadow(0.3), Math.min(o3, c3) - shadow(0.3), c3);
  }

  const names = Object.keys(shapes);
  while (bars.length < n) {
    const u = rng.uniform();
    if (u < 0.45 || bars.length < 15) randomCandle();
    else if (u < 0.55) longBody(rng.uniform() < 0.5 ? 1 : -1);
    else shapes[rng.pick(names)]();
    // Mean-revert gently so prices stay in a realistic band.
    if (price > 250) price *= 0.97;
    if (price < 40) price *= 1.03;
  }
  return bars.slice(0, n);
}

// ---- the random-walk input ----------------------------------------------------
function randomWalk(n) {
  const rng = makeRng(777);
  const bars = [];
  let close = 50;
  for (let i = 0; i < n; i++) {
    const o = close * Math.exp(rng.normal() * 0.006);
    const c = o * Math.exp(rng.normal() * 0.015);
    const h = Math.max(o, c) * Math.exp(Math.abs(rng.normal()) * 0.007);
    const l = Math.min(o, c) * Math.exp(-Math.abs(rng.normal()) * 0.007);
    bars.push({ o, h, l, c, v: Math.round(rng.between(1e5, 5e6)) });
    close = c;
  }
  return bars;
}

// ---- the edge-case input ------------------------------------------------------
function edge(n) {
  const rng = makeRng(4242);
  const bars = [];
  let p = 20;
  for (let i = 0; i < n; i++) {
    const phase = Math.floor(i / 25) % 4;
    if (phase === 0) {  // flat: every price equal
      bars.push({ o: p, h: p, l: p, c: p, v: 1000 });
    } else if (phase === 1) {  // quarter-point grid: many exact ties
      const q = (k) => Math.round(k * 4) / 4;
      const o = q(p + rng.between(-1, 1)), c = q(p + rng.between(-1, 1));
      const h = q(Math.max(o, c) + rng.pick([0, 0.25, 0.5]));
      const l = q(Math.min(o, c) - rng.pick([0, 0.25, 0.5]));
      bars.push({ o, h, l, c, v: 1000 + i });
      p = c;
    } else if (phase === 2) {  // zero-range bars at a drifting price
      p = Math.round((p + rng.pick([-0.5, 0, 0.5])) * 2) / 2;
      bars.push({ o: p, h: p, l: p, c: p, v: 500 });
    } else {  // repeated identical candle
      bars.push({ o: p, h: p + 1, l: p - 1, c: p + 0.5, v: 700 });
    }
  }
  return bars;
}

// ---- output -------------------------------------------------------------------
function writeInput(name, bars, dates) {
  const lines = ['date,open,high,low,close,volume'];
  bars.forEach((b, i) => lines.push([dates[i], g17(b.o), g17(b.h), g17(b.l), g17(b.c), g17(b.v)].join(',')));
  fs.writeFileSync(path.join(OUT_DIR, `candles_input_${name}.csv`), lines.join('\n') + '\n');
}

function writeGolden(name, bars, dates) {
  const n = bars.length;
  // Values go through %.17g text, so run TA-Lib on the parsed-back numbers.
  const col = (k) => bars.map((b) => Number(g17(b[k])));
  const input = { open: col('o'), high: col('h'), low: col('l'), close: col('c') };
  const summary = [];
  for (const fn of FUNCTIONS) {
    // The binding requires every option explicitly; 0.3 is TA-Lib's default penetration.
    const options = fn.endsWith('STAR') && fn !== 'CDLSHOOTINGSTAR' ? { optInPenetration: 0.3 } : {};
    const r = talib.execute({ name: fn, startIdx: 0, endIdx: n - 1, ...input, ...options });
    if (r.error) throw new Error(`${fn}: ${r.error}`);
    const out = r.result.outInteger;
    const lines = ['date,integer'];
    for (let i = 0; i < n; i++) {
      const k = i - r.begIndex;
      lines.push(`${dates[i]},${k >= 0 && k < r.nbElement ? out[k] : ''}`);
    }
    fs.writeFileSync(path.join(OUT_DIR, `candles_${name}__${fn}.csv`), lines.join('\n') + '\n');
    const counts = {};
    for (const v of out) if (v !== 0) counts[v] = (counts[v] || 0) + 1;
    summary.push(`  ${fn.padEnd(18)} begin=${r.begIndex} ${JSON.stringify(counts)}`);
  }
  console.log(`${name} (${n} bars)\n${summary.join('\n')}`);
}

fs.mkdirSync(OUT_DIR, { recursive: true });
for (const [name, bars] of [['designed', designed(3000)], ['random_walk', randomWalk(3000)], ['edge', edge(300)]]) {
  const dates = weekdays(bars.length);
  writeInput(name, bars, dates);
  writeGolden(name, bars, dates);
}
