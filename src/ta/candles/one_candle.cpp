// One-candle patterns: TA-Lib 0.6 definitions (ta_func/ta_CDL*.c), thresholds
// from the settings table. Each kernel states its rule, then judges every bar
// through detail::scan. See detail.hpp for the parity rules.
#include "ta/candles/candles.hpp"
#include "ta/candles/detail.hpp"

namespace ts::ta::candles {

using namespace detail;  // NOLINT(google-build-using-namespace): the kernels' own toolkit

namespace {

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

// Shared by shooting star and inverted hammer: small body, long upper shadow,
// very short lower shadow, the real body gapping away from the prior one.
template <class Gap>
int small_body_long_upper_shadow(const Ohlc& in, Out out, int lookback, double value, Gap gap) {
  const Bars b(in);
  RunningAverage body(b, S::body_short, 0), shadow_long(b, S::shadow_long, 0),
      shadow_very_short(b, S::shadow_very_short, 0);
  return scan(
      in, lookback, out,
      [&](int i) {
        return b.real_body(i) < body.at(i) && b.upper_shadow(i) > shadow_long.at(i) &&
                       b.lower_shadow(i) < shadow_very_short.at(i) && gap(b, i)
                   ? value
                   : 0.0;
      },
      body, shadow_long, shadow_very_short);
}

// Shared by marubozu, long line, short line and high wave: the real body
// compared with `body` (`BodyOk(body, threshold)`), both shadows with `shadow`;
// the sign is the candle's colour.
template <Setting body_setting, Setting shadow_setting, class BodyOk, class ShadowOk>
int body_and_shadows(const Ohlc& in, Out out, int lookback, BodyOk body_ok, ShadowOk shadow_ok) {
  const Bars b(in);
  RunningAverage body(b, body_setting, 0), shadow(b, shadow_setting, 0);
  return scan(
      in, lookback, out,
      [&](int i) {
        return body_ok(b.real_body(i), body.at(i)) && shadow_ok(b.upper_shadow(i), shadow.at(i)) &&
                       shadow_ok(b.lower_shadow(i), shadow.at(i))
                   ? b.color(i) * 100.0
                   : 0.0;
      },
      body, shadow);
}
constexpr auto longer = [](double x, double threshold) { return x > threshold; };
constexpr auto shorter = [](double x, double threshold) { return x < threshold; };

// Shared by belt hold and closing marubozu: a long body with a very short
// shadow at its opening end (`opening_end`) or at its closing end; sign = colour.
template <bool opening_end>
int long_body_bare_end(const Ohlc& in, Out out, int lookback) {
  const Bars b(in);
  RunningAverage body_long(b, S::body_long, 0), very_short(b, S::shadow_very_short, 0);
  return scan(
      in, lookback, out,
      [&](int i) {
        // White opens at the low end, black at the high end.
        const bool low_end = (b.color(i) == 1) == opening_end;
        const double shadow = low_end ? b.lower_shadow(i) : b.upper_shadow(i);
        return b.real_body(i) > body_long.at(i) && shadow < very_short.at(i) ? b.color(i) * 100.0 : 0.0;
      },
      body_long, very_short);
}

// Shared by dragonfly and gravestone doji: a doji with a very short shadow on
// one side (`dragonfly`: the upper) and a longer one on the other.
template <bool dragonfly>
int one_sided_doji(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage doji_body(b, S::body_doji, 0), very_short(b, S::shadow_very_short, 0);
  return scan(
      in, max_period(S::body_doji, S::shadow_very_short), out,
      [&](int i) {
        const double bare = dragonfly ? b.upper_shadow(i) : b.lower_shadow(i);
        const double shadow = dragonfly ? b.lower_shadow(i) : b.upper_shadow(i);
        return b.real_body(i) <= doji_body.at(i) && bare < very_short.at(i) && shadow > very_short.at(i)
                   ? 100.0
                   : 0.0;
      },
      doji_body, very_short);
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

// CDLDRAGONFLYDOJI (+100): doji, very short upper shadow, lower shadow not very short.
// CDLGRAVESTONEDOJI (+100): the mirror image (long upper, very short lower shadow).
int dragonfly_doji_lookback() { return max_period(S::body_doji, S::shadow_very_short); }
int gravestone_doji_lookback() { return max_period(S::body_doji, S::shadow_very_short); }
int dragonfly_doji(const Ohlc& in, Out out) { return one_sided_doji<true>(in, out); }
int gravestone_doji(const Ohlc& in, Out out) { return one_sided_doji<false>(in, out); }

// CDLLONGLEGGEDDOJI (+100): doji with one shadow longer than ShadowLong.
int long_legged_doji_lookback() { return max_period(S::body_doji, S::shadow_long); }
int long_legged_doji(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage doji_body(b, S::body_doji, 0), shadow_long(b, S::shadow_long, 0);
  return scan(
      in, long_legged_doji_lookback(), out,
      [&](int i) {
        return b.real_body(i) <= doji_body.at(i) &&
                       (b.lower_shadow(i) > shadow_long.at(i) || b.upper_shadow(i) > shadow_long.at(i))
                   ? 100.0
                   : 0.0;
      },
      doji_body, shadow_long);
}

// CDLRICKSHAWMAN (+100): doji with both shadows long and the body within Near
// of the middle of the high-low range.
int rickshaw_man_lookback() { return max_period(S::body_doji, S::shadow_long, S::near); }
int rickshaw_man(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage doji_body(b, S::body_doji, 0), shadow_long(b, S::shadow_long, 0), near(b, S::near, 0);
  return scan(
      in, rickshaw_man_lookback(), out,
      [&](int i) {
        const double mid = b.l[i] + b.high_low(i) / 2;
        return b.real_body(i) <= doji_body.at(i) && b.lower_shadow(i) > shadow_long.at(i) &&
                       b.upper_shadow(i) > shadow_long.at(i) && b.body_bottom(i) <= mid + near.at(i) &&
                       b.body_top(i) >= mid - near.at(i)
                   ? 100.0
                   : 0.0;
      },
      doji_body, shadow_long, near);
}

// CDLTAKURI (+100): doji, very short upper shadow, very long lower shadow.
int takuri_lookback() { return max_period(S::body_doji, S::shadow_very_short, S::shadow_very_long); }
int takuri(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage doji_body(b, S::body_doji, 0), very_short(b, S::shadow_very_short, 0),
      very_long(b, S::shadow_very_long, 0);
  return scan(
      in, takuri_lookback(), out,
      [&](int i) {
        return b.real_body(i) <= doji_body.at(i) && b.upper_shadow(i) < very_short.at(i) &&
                       b.lower_shadow(i) > very_long.at(i)
                   ? 100.0
                   : 0.0;
      },
      doji_body, very_short, very_long);
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
int hanging_man_lookback() { return hammer_lookback(); }
int hanging_man(const Ohlc& in, Out out) {
  return small_body_long_lower_shadow(
      in, out, hanging_man_lookback(), -100.0,
      [](const Bars& b, int i, double near) { return b.body_bottom(i) >= b.h[i - 1] - near; });
}

// CDLINVERTEDHAMMER (+100): small body, long upper shadow, very short lower
// shadow, real body gapping down from the prior candle's.
int inverted_hammer_lookback() { return max_period(S::body_short, S::shadow_long, S::shadow_very_short) + 1; }
int inverted_hammer(const Ohlc& in, Out out) {
  return small_body_long_upper_shadow(in, out, inverted_hammer_lookback(), 100.0,
                                      [](const Bars& b, int i) { return b.body_gap_down(i, i - 1); });
}

// CDLSHOOTINGSTAR (-100): the inverted hammer's shape gapping up instead.
int shooting_star_lookback() { return inverted_hammer_lookback(); }
int shooting_star(const Ohlc& in, Out out) {
  return small_body_long_upper_shadow(in, out, shooting_star_lookback(), -100.0,
                                      [](const Bars& b, int i) { return b.body_gap_up(i, i - 1); });
}

// CDLMARUBOZU: long body, both shadows very short.
int marubozu_lookback() { return max_period(S::body_long, S::shadow_very_short); }
int marubozu(const Ohlc& in, Out out) {
  return body_and_shadows<S::body_long, S::shadow_very_short>(in, out, marubozu_lookback(), longer, shorter);
}

// CDLCLOSINGMARUBOZU: long body, very short shadow at the closing end.
int closing_marubozu_lookback() { return max_period(S::body_long, S::shadow_very_short); }
int closing_marubozu(const Ohlc& in, Out out) {
  return long_body_bare_end<false>(in, out, closing_marubozu_lookback());
}

// CDLBELTHOLD: long body, very short shadow at the opening end.
int belt_hold_lookback() { return max_period(S::body_long, S::shadow_very_short); }
int belt_hold(const Ohlc& in, Out out) { return long_body_bare_end<true>(in, out, belt_hold_lookback()); }

// CDLLONGLINE: long body, both shadows short.
int long_line_lookback() { return max_period(S::body_long, S::shadow_short); }
int long_line(const Ohlc& in, Out out) {
  return body_and_shadows<S::body_long, S::shadow_short>(in, out, long_line_lookback(), longer, shorter);
}

// CDLSHORTLINE: short body, both shadows short.
int short_line_lookback() { return max_period(S::body_short, S::shadow_short); }
int short_line(const Ohlc& in, Out out) {
  return body_and_shadows<S::body_short, S::shadow_short>(in, out, short_line_lookback(), shorter, shorter);
}

// CDLHIGHWAVE: short body, both shadows very long.
int high_wave_lookback() { return max_period(S::body_short, S::shadow_very_long); }
int high_wave(const Ohlc& in, Out out) {
  return body_and_shadows<S::body_short, S::shadow_very_long>(in, out, high_wave_lookback(), shorter, longer);
}

// CDLSPINNINGTOP: short body, each shadow longer than the body.
int spinning_top_lookback() { return avg_period(S::body_short); }
int spinning_top(const Ohlc& in, Out out) {
  const Bars b(in);
  RunningAverage body(b, S::body_short, 0);
  return scan(
      in, spinning_top_lookback(), out,
      [&](int i) {
        const double rb = b.real_body(i);
        return rb < body.at(i) && b.upper_shadow(i) > rb && b.lower_shadow(i) > rb ? b.color(i) * 100.0 : 0.0;
      },
      body);
}

}  // namespace ts::ta::candles
