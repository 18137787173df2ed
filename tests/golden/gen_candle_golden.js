#!/usr/bin/env node
// Generates the candlestick golden files from TA-Lib (npm talib@1.1.6, TA-Lib
// 0.6.0-dev C source). Run from the repository root:
//
//   NODE_PATH=/path/to/node_modules node tests/golden/gen_candle_golden.js
//
// Writes, deterministically (seeded PRNG, no clock):
//   tests/data/golden/candles_input_<input>.csv  date,open,high,low,close,volume
//   tests/data/golden/candles_<input>.csv        date, then one column per call
//       (canonical call key as the header, e.g. CDLDOJI,
//       CDLMATHOLD(penetration=0.5)); empty inside the lookback
//   tests/data/golden/candles_short.csv          call,bars,begin,values: every
//       call over the first lookback-1 .. lookback+2 bars of `crafted`
//       (values space-separated, TA-Lib's begIndex)
// The outputs are committed, so the C++ tests never need npm. The script
// prints how often each pattern fires per input.
//
// Inputs:
//   designed     ~3,000 bars: random candles mixed with shaped ones (dojis,
//                hammers, shooting stars, long bodies) and injected 2- and
//                3-candle sequences, prices in cents, so the first ten
//                patterns fire many times (including the +/-80 variants).
//   crafted      ~4,000 bars built the same way from sequences shaped for the
//                other 51 patterns, so that each of them fires too.
//   random_walk  3,000 bars of a geometric random walk at full double precision.
//   edge         300 bars with flat stretches, zero-range bars and repeated
//                prices (ties at every comparison).
'use strict';

const fs = require('fs');
const path = require('path');
const talib = require('talib');

const OUT_DIR = path.join(__dirname, '..', 'data', 'golden');

// Every TA-Lib candlestick function; the value is its default penetration
// where it has that option (TA-Lib's abstract table), else null.
const FUNCTIONS = {
  CDL2CROWS: null, CDL3BLACKCROWS: null, CDL3INSIDE: null, CDL3LINESTRIKE: null, CDL3OUTSIDE: null,
  CDL3STARSINSOUTH: null, CDL3WHITESOLDIERS: null, CDLABANDONEDBABY: 0.3, CDLADVANCEBLOCK: null,
  CDLBELTHOLD: null, CDLBREAKAWAY: null, CDLCLOSINGMARUBOZU: null, CDLCONCEALBABYSWALL: null,
  CDLCOUNTERATTACK: null, CDLDARKCLOUDCOVER: 0.5, CDLDOJI: null, CDLDOJISTAR: null, CDLDRAGONFLYDOJI: null,
  CDLENGULFING: null, CDLEVENINGDOJISTAR: 0.3, CDLEVENINGSTAR: 0.3, CDLGAPSIDESIDEWHITE: null,
  CDLGRAVESTONEDOJI: null, CDLHAMMER: null, CDLHANGINGMAN: null, CDLHARAMI: null, CDLHARAMICROSS: null,
  CDLHIGHWAVE: null, CDLHIKKAKE: null, CDLHIKKAKEMOD: null, CDLHOMINGPIGEON: null, CDLIDENTICAL3CROWS: null,
  CDLINNECK: null, CDLINVERTEDHAMMER: null, CDLKICKING: null, CDLKICKINGBYLENGTH: null,
  CDLLADDERBOTTOM: null, CDLLONGLEGGEDDOJI: null, CDLLONGLINE: null, CDLMARUBOZU: null,
  CDLMATCHINGLOW: null, CDLMATHOLD: 0.5, CDLMORNINGDOJISTAR: 0.3, CDLMORNINGSTAR: 0.3, CDLONNECK: null,
  CDLPIERCING: null, CDLRICKSHAWMAN: null, CDLRISEFALL3METHODS: null, CDLSEPARATINGLINES: null,
  CDLSHOOTINGSTAR: null, CDLSHORTLINE: null, CDLSPINNINGTOP: null, CDLSTALLEDPATTERN: null,
  CDLSTICKSANDWICH: null, CDLTAKURI: null, CDLTASUKIGAP: null, CDLTHRUSTING: null, CDLTRISTAR: null,
  CDLUNIQUE3RIVER: null, CDLUPSIDEGAP2CROWS: null, CDLXSIDEGAP3METHODS: null,
};
// Penetrations checked besides the default.
const OTHER_PENETRATIONS = [0, 0.8];

// The calls: [key, name, options]. Keys are our canonical call keys.
const CALLS = [];
for (const [name, pen] of Object.entries(FUNCTIONS)) {
  if (pen === null) {
    CALLS.push([name, name, {}]);
    continue;
  }
  for (const p of [pen, ...OTHER_PENETRATIONS]) {
    CALLS.push([`${name}(penetration=${p})`, name, { optInPenetration: p }]);
  }
}

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

// ---- the candle builder shared by the shaped inputs ---------------------------
// Bars in cents around a current price; `unit` is a typical body size there.
function candleBuilder(rng) {
  const k = { bars: [], price: 100 };
  const cents = (x) => Math.round(x * 100) / 100;
  k.unit = () => k.price * 0.01;

  // Pushes a bar from raw values, rounding to cents and enforcing high/low bounds.
  k.push = (o, h, l, c) => {
    o = cents(o); c = cents(c);
    h = Math.max(cents(h), o, c);
    l = Math.min(cents(l), o, c);
    k.bars.push({ o, h, l, c, v: Math.round(rng.between(2e5, 3e6)) });
    k.price = Math.max(5, c);
  };
  k.prev = () => k.bars[k.bars.length - 1];
  k.shadow = (f) => Math.abs(rng.normal()) * k.unit() * f;

  // A candle with the given signed body, starting near the previous close.
  k.candle = (body, up = 0.4, down = 0.4) => {
    const o = k.price + rng.normal() * k.unit() * 0.2;
    const c = o + body;
    k.push(o, Math.max(o, c) + k.shadow(up), Math.min(o, c) - k.shadow(down), c);
  };
  k.randomCandle = () => k.candle(rng.normal() * k.unit() * 1.2);
  k.longBody = (sign) => k.candle(sign * k.unit() * rng.between(2.2, 3.5), 0.3, 0.3);
  // Keeps prices in a realistic band by reverting gently.
  k.revert = () => {
    if (k.price > 250) k.price *= 0.97;
    if (k.price < 40) k.price *= 1.03;
  };
  return k;
}

// ---- the designed input -------------------------------------------------------
function designed(n) {
  const rng = makeRng(20150102);
  const kit = candleBuilder(rng);
  const { bars, push, prev, shadow, candle, randomCandle, longBody, unit } = kit;

  const shapes = {
    doji() {
      const o = kit.price + rng.normal() * unit() * 0.2;
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
        const o = k === 0 ? kit.price : p.c - unit() * rng.between(0.1, 0.9);
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
    kit.revert();
  }
  return bars.slice(0, n);
}

// ---- the crafted input --------------------------------------------------------
// Random candles with, in turn, each of the sequences below: every one is
// shaped to meet one TA-Lib pattern's rule against the settings table's
// averages (bodies ~1 unit, ranges ~1.6 units), with some jitter so that
// near-misses occur too. Prices in cents.
function crafted(n) {
  const rng = makeRng(61);
  const kit = candleBuilder(rng);
  const { push, prev, randomCandle, unit } = kit;
  // A bar from open and close plus upper and lower shadow lengths.
  const bar = (o, c, up = 0, down = 0) => push(o, Math.max(o, c) + up, Math.min(o, c) - down, c);
  const jit = (x) => x * rng.between(0.85, 1.15);
  const sgn = () => (rng.uniform() < 0.5 ? 1 : -1);

  // Three white (s = 1) or black (-1) candles with small shadows stepping in their direction.
  const shapes = {
    longLegs() {  // long-legged doji / rickshaw man / high wave
      const p = kit.price, u = unit();
      bar(p, p + rng.pick([0, 0.01, -0.01]), jit(1.5 * u), jit(1.5 * u));
    },
    dragonfly() {
      const p = kit.price, u = unit();
      bar(p, p + rng.pick([0, 0.01]), 0, jit(2 * u));
    },
    gravestone() {
      const p = kit.price, u = unit();
      bar(p, p - rng.pick([0, 0.01]), jit(2 * u), 0);
    },
    marubozu() {  // marubozu, long line, belt hold, closing marubozu
      const p = kit.price, u = unit(), s = sgn();
      bar(p, p + s * jit(3 * u), rng.pick([0, 0, 0.02 * u]), rng.pick([0, 0, 0.02 * u]));
    },
    shortLine() {  // short line / spinning top
      const p = kit.price, u = unit();
      bar(p, p + sgn() * jit(0.3 * u), rng.pick([0.05, 0.5]) * u, rng.pick([0.05, 0.5]) * u);
    },
    invertedHammer() {
      kit.candle(-unit() * 1.5);
      const q = prev(), u = unit();
      const top = q.c - jit(0.4 * u);
      bar(top, top - jit(0.3 * u), jit(1.5 * u), 0);
    },
    dojiStar() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(3 * u), 0.1 * u, 0.1 * u);
      const e = prev().c + s * jit(0.5 * u);
      bar(e, e + rng.pick([0, 0.01]), 0.2 * u, 0.2 * u);
    },
    haramiCross() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(3 * u), 0.1 * u, 0.1 * u);
      const m = p + s * 1.5 * u;
      bar(m, m + rng.pick([0, 0.01]), 0.5 * u, 0.5 * u);
    },
    counterattack() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p - s * jit(3 * u), 0.1 * u, 0.1 * u);
      const c = prev().c;
      bar(c - s * jit(3 * u), c + rng.pick([0, 0, 0.01]), 0.1 * u, 0.1 * u);
    },
    darkCloudCover() {
      const p = kit.price, u = unit();
      bar(p, p + jit(3 * u), 0.2 * u, 0.1 * u);
      const q = prev();
      bar(q.h + jit(0.3 * u), q.o + jit(1 * u), 0.1 * u, 0.1 * u);
    },
    piercing() {
      const p = kit.price, u = unit();
      bar(p, p - jit(3 * u), 0.1 * u, 0.2 * u);
      const q = prev();
      bar(q.l - jit(0.3 * u), q.c + jit(0.7) * (q.o - q.c), 0.1 * u, 0.1 * u);
    },
    neck() {  // in-neck, on-neck, thrusting
      const p = kit.price, u = unit();
      bar(p, p - jit(3 * u), 0.1 * u, 0.3 * u);
      const q = prev();
      const close = rng.pick([q.c, q.c + 0.01, q.l, q.c + 0.3 * (q.o - q.c)]);
      bar(q.l - jit(1 * u), close, 0.1 * u, 0.1 * u);
    },
    homingPigeon() {
      const p = kit.price, u = unit();
      bar(p, p - jit(3 * u), 0.1 * u, 0.1 * u);
      bar(p - 1 * u, p - jit(1.6 * u), 0.2 * u, 0.2 * u);
    },
    kicking() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p - s * jit(3 * u), rng.pick([0, 0.02 * u]), 0);
      const q = prev();
      const o = s > 0 ? q.h + jit(0.5 * u) : q.l - jit(0.5 * u);
      bar(o, o + s * jit(3 * u), 0, rng.pick([0, 0.02 * u]));
    },
    matchingLow() {
      const p = kit.price, u = unit();
      bar(p, p - jit(2 * u), 0.2 * u, 0.2 * u);
      const c = prev().c;
      bar(c + jit(1 * u), c + rng.pick([0, 0, 0.01]), 0.2 * u, 0.2 * u);
    },
    separatingLines() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p - s * jit(1.2 * u), 0.2 * u, 0.2 * u);
      bar(p, p + s * jit(3 * u), s > 0 ? 0.2 * u : 0, s > 0 ? 0 : 0.2 * u);
    },
    star() {  // morning/evening (doji) star, abandoned baby
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p - s * jit(3 * u), 0.1 * u, 0.1 * u);
      const first = prev();
      const doji = rng.uniform() < 0.5;
      const edge = s > 0 ? first.l : first.h;
      const m = edge - s * jit(0.6 * u);
      bar(m, m + (doji ? 0 : -s * 0.3 * u), 0.2 * u, 0.2 * u);
      const mid = prev();
      const o3 = (s > 0 ? mid.h : mid.l) + s * jit(0.4 * u);
      bar(o3, first.c + s * jit(0.6) * Math.abs(first.o - first.c), 0.1 * u, 0.1 * u);
    },
    twoCrows() {  // two crows / upside gap two crows
      const p = kit.price, u = unit();
      bar(p, p + jit(3 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 + jit(1 * u), c1 + 0.6 * u, 0.1 * u, 0.1 * u);
      const q = prev();
      if (rng.uniform() < 0.5) bar(q.c + 0.2 * u, p + jit(1.5 * u), 0.1 * u, 0.1 * u);
      else bar(q.o + 0.2 * u, c1 + 0.2 * u, 0.1 * u, 0.1 * u);
    },
    threeInside() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(3 * u), 0.1 * u, 0.1 * u);
      bar(p + s * 1.2 * u, p + s * 1.8 * u, 0.2 * u, 0.2 * u);
      const c2 = prev().c;
      bar(c2, p - s * jit(0.4 * u), 0.1 * u, 0.1 * u);
    },
    threeOutside() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p - s * jit(0.6 * u), 0.1 * u, 0.1 * u);
      bar(p - s * 0.9 * u, p + s * jit(1.2 * u), 0.1 * u, 0.1 * u);
      const c2 = prev().c;
      bar(c2, c2 + s * jit(0.8 * u), 0.1 * u, 0.1 * u);
    },
    threeStarsInSouth() {
      const p = kit.price, u = unit();
      bar(p, p - jit(3 * u), 0.05 * u, jit(3.5 * u));
      const c1 = prev().c;
      bar(c1 + 1 * u, c1 - 0.5 * u, 0.1 * u, jit(1 * u));
      const c2 = prev().c;
      bar(c2 + 0.3 * u, c2, 0, 0);
    },
    advanceBlock() {
      const p = kit.price, u = unit();
      bar(p, p + jit(3 * u), 0.05 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 - 1 * u, c1 + 0.5 * u, jit(0.6 * u), 0.1 * u);
      const c2 = prev().c;
      bar(c2 - 0.5 * u, c2 + 0.5 * u, jit(0.8 * u), 0.1 * u);
    },
    stalled() {
      const p = kit.price, u = unit();
      bar(p, p + jit(3 * u), 0.2 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 - 0.5 * u, c1 + jit(2.5 * u), 0.01 * u, 0.1 * u);
      const c2 = prev().c;
      bar(c2 - 0.1 * u, c2 + jit(0.3 * u), 0.2 * u, 0.1 * u);
    },
    identicalCrows() {
      const p = kit.price, u = unit();
      bar(p, p - jit(2 * u), 0.2 * u, 0);
      for (let k = 0; k < 2; k++) {
        const c = prev().c;
        bar(c + rng.pick([0, 0.01]), c - jit(2 * u), 0.2 * u, rng.pick([0, 0.01]));
      }
    },
    tristar() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p, 0.5 * u, 0.5 * u);
      bar(p + s * u, p + s * u + rng.pick([0, 0.01]), 0.5 * u, 0.5 * u);
      bar(p + s * 0.5 * u, p + s * 0.5 * u, 0.5 * u, 0.5 * u);
    },
    unique3River() {
      const p = kit.price, u = unit();
      bar(p, p - jit(3 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c, l1 = prev().l;
      bar(p - 1 * u, c1 + 0.5 * u, 0.1 * u, c1 + 0.5 * u - (l1 - jit(0.5 * u)));
      const l2 = prev().l;
      bar(l2 + 0.5 * u, l2 + jit(0.8 * u), 0.1 * u, 0.1 * u);
    },
    tasuki() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(1 * u), 0.1 * u, 0.1 * u);
      const o2 = prev().c + s * jit(1 * u);
      bar(o2, o2 + s * 1 * u, 0.1 * u, 0.1 * u);
      bar(o2 + s * 0.6 * u, o2 - s * 0.4 * u, 0.1 * u, 0.1 * u);
    },
    gapSideBySide() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(1 * u), 0.1 * u, 0.1 * u);
      const edge = s > 0 ? prev().c : prev().c;
      const o = edge + s * jit(1 * u) + (s > 0 ? 0 : -1.5 * u);
      const size = jit(1 * u);
      bar(o, o + size, 0.1 * u, 0.1 * u);
      bar(o + rng.pick([0, 0.01]), o + size + rng.pick([0, 0.05 * u]), 0.1 * u, 0.1 * u);
    },
    xSideGap() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(1.5 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 + s * 0.5 * u, c1 + s * jit(2 * u), 0.1 * u, 0.1 * u);
      bar(c1 + s * 1 * u, c1 - s * 0.5 * u, 0.1 * u, 0.1 * u);
    },
    stickSandwich() {
      const p = kit.price, u = unit();
      bar(p, p - jit(1.5 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 + 0.3 * u, c1 + jit(1.5 * u), 0.1 * u, 0.1 * u);
      bar(prev().c + 0.2 * u, c1 + rng.pick([0, 0, 0.01]), 0.1 * u, 0.1 * u);
    },
    lineStrike() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(1.5 * u), 0.1 * u, 0.1 * u);
      for (let k = 0; k < 2; k++) {
        const q = prev();
        const o = (q.o + q.c) / 2;
        bar(o, q.c + s * jit(1 * u), 0.1 * u, 0.1 * u);
      }
      bar(prev().c + s * 0.3 * u, p - s * jit(0.3 * u), 0.1 * u, 0.1 * u);
    },
    concealBaby() {
      const p = kit.price, u = unit();
      bar(p, p - jit(2 * u), 0, 0);
      const c1 = prev().c;
      bar(c1 - 0.2 * u, c1 - jit(2.2 * u), 0, 0);
      const c2 = prev().c;
      bar(c2 - 0.5 * u, c2 - 1 * u, 1 * u, 0.1 * u);
      const q = prev();
      bar(q.h + 0.2 * u, q.l - jit(0.3 * u), 0, 0);
    },
    breakaway() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(3 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 + s * 0.5 * u, c1 + s * 1.3 * u, 0.1 * u, 0.1 * u);
      const c2 = prev().c;
      bar(c2 + s * 0.2 * u, c2 + s * 0.7 * u, 0.1 * u, 0.1 * u);
      const c3 = prev().c;
      bar(c3 + s * 0.1 * u, c3 + s * 0.7 * u, 0.1 * u, 0.1 * u);
      bar(prev().c - s * 0.1 * u, c1 + s * 0.25 * u, 0.1 * u, 0.1 * u);
    },
    ladderBottom() {
      const p = kit.price, u = unit();
      for (let k = 0; k < 3; k++) bar(p - k * u, p - k * u - jit(1.2 * u), 0.1 * u, 0.1 * u);
      const c3 = prev().c;
      bar(c3 + 0.1 * u, c3 - jit(0.6 * u), jit(0.8 * u), 0.1 * u);
      const q = prev();
      bar(q.o + 0.2 * u, q.h + jit(0.5 * u), 0.1 * u, 0.1 * u);
    },
    matHold() {
      const p = kit.price, u = unit();
      bar(p, p + jit(3 * u), 0.1 * u, 0.1 * u);
      const c1 = prev().c;
      bar(c1 + 1 * u, c1 + 0.6 * u, 0.1 * u, 0.1 * u);
      bar(c1 + 0.3 * u, c1 - 0.1 * u, 0.1 * u, 0.1 * u);
      bar(c1 + 0.1 * u, c1 - 0.3 * u, 0.1 * u, 0.1 * u);
      bar(c1 - 0.1 * u, c1 + jit(2.5 * u), 0.1 * u, 0.1 * u);
    },
    riseFall3() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + s * jit(3 * u), 0.2 * u, 0.2 * u);
      const c1 = prev().c;
      for (let k = 0; k < 3; k++) bar(c1 - s * k * 0.5 * u, c1 - s * (k * 0.5 + 0.4) * u, 0.1 * u, 0.1 * u);
      bar(prev().c + s * 0.1 * u, c1 + s * jit(0.8 * u), 0.1 * u, 0.1 * u);
    },
    hikkake() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + 0.2 * u, 1 * u, 1 * u);
      bar(p + 0.1 * u, p - 0.1 * u, 0.4 * u, 0.4 * u);
      bar(p - s * 0.3 * u, p - s * 0.5 * u, 0.3 * u, 0.3 * u);
      if (rng.uniform() < 0.7) bar(p, p + s * jit(1 * u), 0.1 * u, 0.1 * u);
    },
    hikkakeMod() {
      const s = sgn(), p = kit.price, u = unit();
      bar(p, p + 0.2 * u, 1.5 * u, 1.5 * u);
      bar(p + 0.5 * u, p - s * 0.4 * u, 0.2 * u, 0.2 * u);  // closes near its low (s = 1) / high
      const m = (prev().h + prev().l) / 2;
      bar(m, m - s * 0.05 * u, 0.1 * u, 0.1 * u);
      bar(m - s * 0.2 * u, m - s * 0.3 * u, 0.2 * u, 0.2 * u);
      if (rng.uniform() < 0.7) bar(p, p + s * jit(1.2 * u), 0.1 * u, 0.1 * u);
    },
  };

  const names = Object.keys(shapes);
  let next = 0;
  while (kit.bars.length < n) {
    const gap = kit.bars.length < 15 ? 15 : 2 + Math.floor(rng.uniform() * 4);
    for (let k = 0; k < gap; k++) randomCandle();
    shapes[names[next++ % names.length]]();
    kit.revert();
  }
  return kit.bars.slice(0, n);
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

// Runs one call over bars [0, n); returns { begin, values } (values aligned from begin).
function runCall(name, options, input, n) {
  const cut = (a) => a.slice(0, n);
  const r = talib.execute({
    name, startIdx: 0, endIdx: n - 1,
    open: cut(input.open), high: cut(input.high), low: cut(input.low), close: cut(input.close), ...options,
  });
  if (r.error) throw new Error(`${name}: ${r.error}`);
  return { begin: r.begIndex, values: r.result.outInteger.slice(0, r.nbElement) };
}

// Values go through %.17g text, so TA-Lib runs on the parsed-back numbers.
function parsedColumns(bars) {
  const col = (k) => bars.map((b) => Number(g17(b[k])));
  return { open: col('o'), high: col('h'), low: col('l'), close: col('c') };
}

function writeGolden(name, bars, dates) {
  const n = bars.length;
  const input = parsedColumns(bars);
  const columns = [];
  const summary = [];
  for (const [key, fn, options] of CALLS) {
    const { begin, values } = runCall(fn, options, input, n);
    const cells = [];
    for (let i = 0; i < n; i++) cells.push(i >= begin && i - begin < values.length ? String(values[i - begin]) : '');
    columns.push(cells);
    const counts = {};
    for (const v of values) if (v !== 0) counts[v] = (counts[v] || 0) + 1;
    summary.push(`  ${key.padEnd(34)} begin=${String(begin).padEnd(3)} ${JSON.stringify(counts)}`);
  }
  const lines = ['date,' + CALLS.map((c) => c[0]).join(',')];
  for (let i = 0; i < n; i++) lines.push([dates[i], ...columns.map((c) => c[i])].join(','));
  fs.writeFileSync(path.join(OUT_DIR, `candles_${name}.csv`), lines.join('\n') + '\n');
  console.log(`${name} (${n} bars)\n${summary.join('\n')}`);
}

// Short inputs: each call over the first lookback-1 .. lookback+2 bars.
function writeShort(bars) {
  const input = parsedColumns(bars);
  const lines = ['call,bars,begin,values'];
  for (const [key, fn, options] of CALLS) {
    const lookback = runCall(fn, options, input, bars.length).begin;
    for (let n = Math.max(1, lookback - 1); n <= lookback + 2; n++) {
      const { begin, values } = runCall(fn, options, input, n);
      lines.push(`${key},${n},${begin},${values.join(' ')}`);
    }
  }
  fs.writeFileSync(path.join(OUT_DIR, 'candles_short.csv'), lines.join('\n') + '\n');
}

fs.mkdirSync(OUT_DIR, { recursive: true });
const inputs = [
  ['designed', designed(3000)], ['crafted', crafted(4000)], ['random_walk', randomWalk(3000)], ['edge', edge(300)],
];
for (const [name, bars] of inputs) {
  const dates = weekdays(bars.length);
  writeInput(name, bars, dates);
  writeGolden(name, bars, dates);
}
writeShort(inputs[1][1]);
