// Candlestick kernels: TA-Lib 0.6 definitions (ta_func/ta_CDL*.c), thresholds
// from the settings table. Each kernel states its rule, then judges every bar
// through detail::scan. See detail.hpp for the parity rules.
#include "ta/candles/candles.hpp"

#include <algorithm>

#include "ta/candles/detail.hpp"

namespace ts::ta::candles {

using detail::Bars;
using detail::RunningAverage;
using detail::scan;
using S = Setting;

namespace {

template <class... P>
constexpr int max_period(P... s) {
  return std::max({avg_period(s)...});
}

// Shared by hammer and hanging man: small body, long lower shadow, (almost) no
// upper shadow; `near_prior` places the body relative to the prior candle.
template <class NearPrior>
int small_body_long_lower_shadow(const Ohlc& in, Out out, int lookback, double value, NearPrior near_prior) {
  const Bars b(in);
  RunningAverage body(b, S::body_short, 0), shadow_long(b, S::shadow_long, 0),
      shadow_very_short(b, S::shadow_very_short, 0), near(b, S::near, 1);
  return scan(
      in, lookback, out,
      [&](int i) {
        return b.real_body(i) < body.at(i) && b.lower_shadow(i) > shadow_long.at(i) &&
                       b.upper_shadow(i) < shadow_very_short.at(i) && near_prior(b, i, near.at(i - 1))
                   ? value
                   : 0.0;
      },
      body, shadow_long, shadow_very_short, near);
}

// Shared by morning and evening star (`color` = +1 morning, -1 evening): a long
// candle of colour -color, a short body gapping away from it, then a candle of
// colour `color`, longer than short, closing at least `penetration` of the
// first body back inside it.
int star(const Ohlc& in, double penetration, Out out, int color) {
  const Bars b(in);
  RunningAverage body_long(b, S::body_long, 2), body_short(b, S::body_short, 1),
      body_short3(b, S::body_short, 0);
  return scan(
      in, max_period(S::body_short, S::body_long) + 2, out,
      [&](int i) {
        const bool gap = color > 0 ? b.body_gap_down(i - 1, i - 2) : b.body_gap_up(i - 1, i - 2);
        const bool pierces = color > 0 ? b.c[i] > b.c[i - 2] + b.real_body(i - 2) * penetration
                                       : b.c[i] < b.c[i - 2] - b.real_body(i - 2) * penetration;
        return b.real_body(i - 2) > body_long.at(i - 2) && b.color(i - 2) == -color &&
                       b.real_body(i - 1) <= body_short.at(i - 1) && gap &&
                       b.real_body(i) > body_short3.at(i) && b.color(i) == color && pierces
                   ? 100.0 * color
                   : 0.0;
      },
      body_long, body_short, body_short3);
}

}  // namespace

// CDLDOJI: real body <= BodyDoji (10% of the average high-low range).
int doji_lookback() { return avg_period(S::body_doji); }
int doji(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage doji_body(b, S::body_doji, 0);
  return scan(
      in, doji_lookback(), out, [&](int i) { return b.real_body(i) <= doji_body.at(i) ? 100.0 : 0.0; },
      doji_body);
}

// CDLHAMMER (+100): small body, long lower shadow, very short upper shadow, body
// bottom at or below the prior candle's low + Near.
int hammer_lookback() { return max_period(S::body_short, S::shadow_long, S::shadow_very_short, S::near) + 1; }
int hammer(const Ohlc& in, Out out) {
  return small_body_long_lower_shadow(
      in, out, hammer_lookback(), 100.0,
      [](const Bars& b, int i, double near) { return b.body_bottom(i) <= b.l[i - 1] + near; });
}

// CDLHANGINGMAN (-100): the hammer's shape with the body bottom at or above the
// prior candle's high - Near.
int hanging_man_lookback() {
  return max_period(S::body_short, S::shadow_long, S::shadow_very_short, S::near) + 1;
}
int hanging_man(const Ohlc& in, Out out) {
  return small_body_long_lower_shadow(
      in, out, hanging_man_lookback(), -100.0,
      [](const Bars& b, int i, double near) { return b.body_bottom(i) >= b.h[i - 1] - near; });
}

// CDLSHOOTINGSTAR (-100): small body, long upper shadow, very short lower shadow,
// real body gapping up from the prior candle's.
int shooting_star_lookback() { return max_period(S::body_short, S::shadow_long, S::shadow_very_short) + 1; }
int shooting_star(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage body(b, S::body_short, 0), shadow_long(b, S::shadow_long, 0),
      shadow_very_short(b, S::shadow_very_short, 0);
  return scan(
      in, shooting_star_lookback(), out,
      [&](int i) {
        return b.real_body(i) < body.at(i) && b.upper_shadow(i) > shadow_long.at(i) &&
                       b.lower_shadow(i) < shadow_very_short.at(i) && b.body_gap_up(i, i - 1)
                   ? -100.0
                   : 0.0;
      },
      body, shadow_long, shadow_very_short);
}

// CDLENGULFING: the real body engulfs the prior opposite-coloured one; +/-100
// when both ends are strictly beyond, +/-80 when one end matches exactly.
int engulfing_lookback() { return 2; }
int engulfing(const Ohlc& in, Out out) {
  const Bars b(in);
  return scan(in, engulfing_lookback(), out, [&](int i) {
    const double *o = b.o, *c = b.c;
    const bool white_engulfs =
        b.color(i) == 1 && b.color(i - 1) == -1 &&
        ((c[i] >= o[i - 1] && o[i] < c[i - 1]) || (c[i] > o[i - 1] && o[i] <= c[i - 1]));
    const bool black_engulfs =
        b.color(i) == -1 && b.color(i - 1) == 1 &&
        ((o[i] >= c[i - 1] && c[i] < o[i - 1]) || (o[i] > c[i - 1] && c[i] <= o[i - 1]));
    if (!white_engulfs && !black_engulfs) return 0.0;
    const bool strict = o[i] != c[i - 1] && c[i] != o[i - 1];
    return b.color(i) * (strict ? 100.0 : 80.0);
  });
}

// CDLHARAMI: a long body then a short body inside it; sign opposite to the first
// candle's colour; +/-100 strictly inside, +/-80 when one end matches.
int harami_lookback() { return max_period(S::body_short, S::body_long) + 1; }
int harami(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage body_long(b, S::body_long, 1), body_short(b, S::body_short, 0);
  return scan(
      in, harami_lookback(), out,
      [&](int i) {
        if (!(b.real_body(i - 1) > body_long.at(i - 1) && b.real_body(i) <= body_short.at(i))) return 0.0;
        const double top = b.body_top(i), bottom = b.body_bottom(i);
        const double outer_top = b.body_top(i - 1), outer_bottom = b.body_bottom(i - 1);
        if (top < outer_top && bottom > outer_bottom) return -b.color(i - 1) * 100.0;
        if (top <= outer_top && bottom >= outer_bottom) return -b.color(i - 1) * 80.0;
        return 0.0;
      },
      body_long, body_short);
}

int morning_star_lookback(double /*penetration*/) { return max_period(S::body_short, S::body_long) + 2; }
int morning_star(const Ohlc& in, double penetration, Out out) { return star(in, penetration, out, +1); }
int evening_star_lookback(double /*penetration*/) { return max_period(S::body_short, S::body_long) + 2; }
int evening_star(const Ohlc& in, double penetration, Out out) { return star(in, penetration, out, -1); }

// CDL3WHITESOLDIERS (+100): three white candles with very short upper shadows,
// rising closes, each opening above the prior open and at most Near above the
// prior close, no body Far shorter than the previous, the last not short.
int three_white_soldiers_lookback() {
  return max_period(S::shadow_very_short, S::body_short, S::far, S::near) + 2;
}
int three_white_soldiers(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage vshort2(b, S::shadow_very_short, 2), vshort1(b, S::shadow_very_short, 1),
      vshort0(b, S::shadow_very_short, 0), near2(b, S::near, 2), near1(b, S::near, 1), far2(b, S::far, 2),
      far1(b, S::far, 1), body_short(b, S::body_short, 0);
  return scan(
      in, three_white_soldiers_lookback(), out,
      [&](int i) {
        const double *o = b.o, *c = b.c;
        return b.color(i - 2) == 1 && b.upper_shadow(i - 2) < vshort2.at(i - 2) && b.color(i - 1) == 1 &&
                       b.upper_shadow(i - 1) < vshort1.at(i - 1) && b.color(i) == 1 &&
                       b.upper_shadow(i) < vshort0.at(i) && c[i] > c[i - 1] && c[i - 1] > c[i - 2] &&
                       o[i - 1] > o[i - 2] && o[i - 1] <= c[i - 2] + near2.at(i - 2) && o[i] > o[i - 1] &&
                       o[i] <= c[i - 1] + near1.at(i - 1) &&
                       b.real_body(i - 1) > b.real_body(i - 2) - far2.at(i - 2) &&
                       b.real_body(i) > b.real_body(i - 1) - far1.at(i - 1) &&
                       b.real_body(i) > body_short.at(i)
                   ? 100.0
                   : 0.0;
      },
      vshort2, vshort1, vshort0, near2, near1, far2, far1, body_short);
}

// CDL3BLACKCROWS (-100): a white candle, then three black candles with very
// short lower shadows, each opening inside the prior black body, closes
// declining, the first black closing under the white candle's high.
int three_black_crows_lookback() { return avg_period(S::shadow_very_short) + 3; }
int three_black_crows(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage vshort2(b, S::shadow_very_short, 2), vshort1(b, S::shadow_very_short, 1),
      vshort0(b, S::shadow_very_short, 0);
  return scan(
      in, three_black_crows_lookback(), out,
      [&](int i) {
        const double *o = b.o, *c = b.c;
        return b.color(i - 3) == 1 && b.color(i - 2) == -1 && b.lower_shadow(i - 2) < vshort2.at(i - 2) &&
                       b.color(i - 1) == -1 && b.lower_shadow(i - 1) < vshort1.at(i - 1) &&
                       b.color(i) == -1 && b.lower_shadow(i) < vshort0.at(i) && o[i - 1] < o[i - 2] &&
                       o[i - 1] > c[i - 2] && o[i] < o[i - 1] && o[i] > c[i - 1] && b.h[i - 3] > c[i - 2] &&
                       c[i - 2] > c[i - 1] && c[i - 1] > c[i]
                   ? -100.0
                   : 0.0;
      },
      vshort2, vshort1, vshort0);
}

}  // namespace ts::ta::candles
