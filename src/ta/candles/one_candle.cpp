// One-candle patterns: TA-Lib 0.6 definitions (ta_func/ta_CDL*.c), thresholds
// from the settings table. Each pattern states its rule, then is defined once
// (k_<name>, a judge over a bar accessor plus its running averages); that one
// definition is both the batch kernel and the stream (detail::run_batch,
// detail::make_stream). See detail.hpp for the parity rules.
#include "ta/candles/candles.hpp"
#include "ta/candles/detail.hpp"
#include "ta/table.hpp"

// Most judges combine their conditions with & and | rather than && and ||:
// every operand is a pure comparison of valid bars, and evaluating them all
// costs less than the mispredicted branches of a short circuit on a random
// series. Judges whose thresholds (one division each) rarely need evaluating
// keep && where ta_bench measured it faster. Same outcomes either way.
#pragma GCC diagnostic ignored "-Wparentheses"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wbitwise-instead-of-logical"
#endif

namespace ts::ta::candles {

using namespace detail;  // NOLINT(google-build-using-namespace): the kernels' own toolkit

namespace {

// Shared by hammer and hanging man: small body, long lower shadow, (almost) no
// upper shadow; `near_prior` places the body relative to the prior candle.
template <class NearPrior, class D>
auto small_body_long_lower_shadow(D& d, int lookback, double value, NearPrior near_prior) {
  const auto& b = d.bars;
  RunningAverage body(b, S::body_short, 0), shadow_long(b, S::shadow_long, 0),
      shadow_very_short(b, S::shadow_very_short, 0), near(b, S::near, 1);
  return d.scan_pairs(
      lookback,
      [&](auto i) {
        return when(b.real_body(i) < body.at(i) & b.lower_shadow(i) > shadow_long.at(i) &
                        b.upper_shadow(i) < shadow_very_short.at(i) & near_prior(b, i, near.at(i - 1)),
                    value);
      },
      body, shadow_long, shadow_very_short, near);
}

// Shared by shooting star and inverted hammer: small body, long upper shadow,
// very short lower shadow, the real body gapping away from the prior one.
template <class Gap, class D>
auto small_body_long_upper_shadow(D& d, int lookback, double value, Gap gap) {
  const auto& b = d.bars;
  RunningAverage body(b, S::body_short, 0), shadow_long(b, S::shadow_long, 0),
      shadow_very_short(b, S::shadow_very_short, 0);
  return d.scan_pairs(
      lookback,
      [&](auto i) {
        return when(b.real_body(i) < body.at(i) & b.upper_shadow(i) > shadow_long.at(i) &
                        b.lower_shadow(i) < shadow_very_short.at(i) & gap(b, i),
                    value);
      },
      body, shadow_long, shadow_very_short);
}

// Shared by marubozu, long line, short line and high wave: the real body
// compared with `body` (`BodyOk(body, threshold)`), both shadows with `shadow`;
// the sign is the candle's colour.
template <Setting body_setting, Setting shadow_setting, class BodyOk, class ShadowOk, class D>
auto body_and_shadows(D& d, int lookback, BodyOk body_ok, ShadowOk shadow_ok) {
  const auto& b = d.bars;
  RunningAverage body(b, body_setting, 0), shadow(b, shadow_setting, 0);
  return d.scan_pairs(
      lookback,
      [&](auto i) {
        return when(body_ok(b.real_body(i), body.at(i)) & shadow_ok(b.upper_shadow(i), shadow.at(i)) &
                        shadow_ok(b.lower_shadow(i), shadow.at(i)),
                    b.color(i) * 100.0);
      },
      body, shadow);
}
constexpr auto longer = [](auto x, auto threshold) { return x > threshold; };
constexpr auto shorter = [](auto x, auto threshold) { return x < threshold; };

// Shared by belt hold and closing marubozu: a long body with a very short
// shadow at its opening end (`opening_end`) or at its closing end; sign = colour.
template <bool opening_end, class D>
auto long_body_bare_end(D& d, int lookback) {
  const auto& b = d.bars;
  RunningAverage body_long(b, S::body_long, 0), very_short(b, S::shadow_very_short, 0);
  return d.scan_pairs(
      lookback,
      [&](auto i) {
        // White opens at the low end, black at the high end.
        const auto low_end = b.color(i) == (opening_end ? 1 : -1);
        const auto shadow = pick(low_end, b.lower_shadow(i), b.upper_shadow(i));
        return when(b.real_body(i) > body_long.at(i) & shadow < very_short.at(i), b.color(i) * 100.0);
      },
      body_long, very_short);
}

// Shared by dragonfly and gravestone doji: a doji with a very short shadow on
// one side (`dragonfly`: the upper) and a longer one on the other.
template <bool dragonfly, class D>
auto one_sided_doji(D& d) {
  const auto& b = d.bars;
  static_assert(shares_total(S::body_doji, S::shadow_very_short));
  RunningAverage doji_body(b, S::body_doji, 0);
  return d.scan_pairs(
      max_period(S::body_doji, S::shadow_very_short),
      [&](auto i) {
        const auto bare = dragonfly ? b.upper_shadow(i) : b.lower_shadow(i);
        const auto shadow = dragonfly ? b.lower_shadow(i) : b.upper_shadow(i);
        const auto very_short = doji_body.at_as(S::shadow_very_short, i);
        return when((b.real_body(i) <= doji_body.at(i)) & (bare < very_short) & (shadow > very_short), 100.0);
      },
      doji_body);
}

}  // namespace

// CDLDOJI: real body <= BodyDoji (10% of the average high-low range).
int doji_lookback() { return avg_period(S::body_doji); }
constexpr auto k_doji = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage doji_body(b, S::body_doji, 0);
  return d.scan_pairs(
      doji_lookback(), [&](auto i) { return when(b.real_body(i) <= doji_body.at(i), 100.0); }, doji_body);
};
int doji(const Ohlc& in, Out out) { return run_batch(in, out, k_doji); }
StreamPtr doji_stream(Opts o) { return make_stream(k_doji, o); }

// CDLDRAGONFLYDOJI (+100): doji, very short upper shadow, lower shadow not very short.
// CDLGRAVESTONEDOJI (+100): the mirror image (long upper, very short lower shadow).
int dragonfly_doji_lookback() { return max_period(S::body_doji, S::shadow_very_short); }
int gravestone_doji_lookback() { return max_period(S::body_doji, S::shadow_very_short); }
constexpr auto k_dragonfly_doji = [](auto& d) { return one_sided_doji<true>(d); };
int dragonfly_doji(const Ohlc& in, Out out) { return run_batch(in, out, k_dragonfly_doji); }
StreamPtr dragonfly_doji_stream(Opts o) { return make_stream(k_dragonfly_doji, o); }
constexpr auto k_gravestone_doji = [](auto& d) { return one_sided_doji<false>(d); };
int gravestone_doji(const Ohlc& in, Out out) { return run_batch(in, out, k_gravestone_doji); }
StreamPtr gravestone_doji_stream(Opts o) { return make_stream(k_gravestone_doji, o); }

// CDLLONGLEGGEDDOJI (+100): doji with one shadow longer than ShadowLong.
int long_legged_doji_lookback() { return max_period(S::body_doji, S::shadow_long); }
constexpr auto k_long_legged_doji = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage doji_body(b, S::body_doji, 0), shadow_long(b, S::shadow_long, 0);
  return d.scan_pairs(
      long_legged_doji_lookback(),
      [&](auto i) {
        return when(b.real_body(i) <= doji_body.at(i) &
                        (b.lower_shadow(i) > shadow_long.at(i) | b.upper_shadow(i) > shadow_long.at(i)),
                    100.0);
      },
      doji_body, shadow_long);
};
int long_legged_doji(const Ohlc& in, Out out) { return run_batch(in, out, k_long_legged_doji); }
StreamPtr long_legged_doji_stream(Opts o) { return make_stream(k_long_legged_doji, o); }

// CDLRICKSHAWMAN (+100): doji with both shadows long and the body within Near
// of the middle of the high-low range.
int rickshaw_man_lookback() { return max_period(S::body_doji, S::shadow_long, S::near); }
constexpr auto k_rickshaw_man = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage doji_body(b, S::body_doji, 0), shadow_long(b, S::shadow_long, 0), near(b, S::near, 0);
  return d.scan_pairs(
      rickshaw_man_lookback(),
      [&](auto i) {
        // TA-Lib's (high - low) / 2, as the exact * 0.5 (a pair's / is a divpd).
        const auto mid = b.l[i] + b.high_low(i) * 0.5;
        return when(b.real_body(i) <= doji_body.at(i) & b.lower_shadow(i) > shadow_long.at(i) &
                        b.upper_shadow(i) > shadow_long.at(i) & b.body_bottom(i) <= mid + near.at(i) &
                        b.body_top(i) >= mid - near.at(i),
                    100.0);
      },
      doji_body, shadow_long, near);
};
int rickshaw_man(const Ohlc& in, Out out) { return run_batch(in, out, k_rickshaw_man); }
StreamPtr rickshaw_man_stream(Opts o) { return make_stream(k_rickshaw_man, o); }

// CDLTAKURI (+100): doji, very short upper shadow, very long lower shadow.
int takuri_lookback() { return max_period(S::body_doji, S::shadow_very_short, S::shadow_very_long); }
constexpr auto k_takuri = [](auto& d) {
  const auto& b = d.bars;
  static_assert(shares_total(S::body_doji, S::shadow_very_short));
  RunningAverage doji_body(b, S::body_doji, 0), very_long(b, S::shadow_very_long, 0);
  return d.scan_pairs(
      takuri_lookback(),
      [&](auto i) {
        return when(b.real_body(i) <= doji_body.at(i) &
                        b.upper_shadow(i) < doji_body.at_as(S::shadow_very_short, i) &
                        b.lower_shadow(i) > very_long.at(i),
                    100.0);
      },
      doji_body, very_long);
};
int takuri(const Ohlc& in, Out out) { return run_batch(in, out, k_takuri); }
StreamPtr takuri_stream(Opts o) { return make_stream(k_takuri, o); }

// CDLHAMMER (+100): small body, long lower shadow, very short upper shadow, body
// bottom at or below the prior candle's low + Near.
int hammer_lookback() { return max_period(S::body_short, S::shadow_long, S::shadow_very_short, S::near) + 1; }
constexpr auto k_hammer = [](auto& d) {
  return small_body_long_lower_shadow(d, hammer_lookback(), 100.0, [](const auto& b, auto i, auto near) {
    return b.body_bottom(i) <= b.l[i - 1] + near;
  });
};
int hammer(const Ohlc& in, Out out) { return run_batch(in, out, k_hammer); }
StreamPtr hammer_stream(Opts o) { return make_stream(k_hammer, o); }

// CDLHANGINGMAN (-100): the hammer's shape with the body bottom at or above the
// prior candle's high - Near.
int hanging_man_lookback() { return hammer_lookback(); }
constexpr auto k_hanging_man = [](auto& d) {
  return small_body_long_lower_shadow(
      d, hanging_man_lookback(), -100.0,
      [](const auto& b, auto i, auto near) { return b.body_bottom(i) >= b.h[i - 1] - near; });
};
int hanging_man(const Ohlc& in, Out out) { return run_batch(in, out, k_hanging_man); }
StreamPtr hanging_man_stream(Opts o) { return make_stream(k_hanging_man, o); }

// CDLINVERTEDHAMMER (+100): small body, long upper shadow, very short lower
// shadow, real body gapping down from the prior candle's.
int inverted_hammer_lookback() { return max_period(S::body_short, S::shadow_long, S::shadow_very_short) + 1; }
constexpr auto k_inverted_hammer = [](auto& d) {
  return small_body_long_upper_shadow(d, inverted_hammer_lookback(), 100.0,
                                      [](const auto& b, auto i) { return b.body_gap_down(i, i - 1); });
};
int inverted_hammer(const Ohlc& in, Out out) { return run_batch(in, out, k_inverted_hammer); }
StreamPtr inverted_hammer_stream(Opts o) { return make_stream(k_inverted_hammer, o); }

// CDLSHOOTINGSTAR (-100): the inverted hammer's shape gapping up instead.
int shooting_star_lookback() { return inverted_hammer_lookback(); }
constexpr auto k_shooting_star = [](auto& d) {
  return small_body_long_upper_shadow(d, shooting_star_lookback(), -100.0,
                                      [](const auto& b, auto i) { return b.body_gap_up(i, i - 1); });
};
int shooting_star(const Ohlc& in, Out out) { return run_batch(in, out, k_shooting_star); }
StreamPtr shooting_star_stream(Opts o) { return make_stream(k_shooting_star, o); }

// CDLMARUBOZU: long body, both shadows very short.
int marubozu_lookback() { return max_period(S::body_long, S::shadow_very_short); }
constexpr auto k_marubozu = [](auto& d) {
  return body_and_shadows<S::body_long, S::shadow_very_short>(d, marubozu_lookback(), longer, shorter);
};
int marubozu(const Ohlc& in, Out out) { return run_batch(in, out, k_marubozu); }
StreamPtr marubozu_stream(Opts o) { return make_stream(k_marubozu, o); }

// CDLCLOSINGMARUBOZU: long body, very short shadow at the closing end.
int closing_marubozu_lookback() { return max_period(S::body_long, S::shadow_very_short); }
constexpr auto k_closing_marubozu = [](auto& d) {
  return long_body_bare_end<false>(d, closing_marubozu_lookback());
};
int closing_marubozu(const Ohlc& in, Out out) { return run_batch(in, out, k_closing_marubozu); }
StreamPtr closing_marubozu_stream(Opts o) { return make_stream(k_closing_marubozu, o); }

// CDLBELTHOLD: long body, very short shadow at the opening end.
int belt_hold_lookback() { return max_period(S::body_long, S::shadow_very_short); }
constexpr auto k_belt_hold = [](auto& d) { return long_body_bare_end<true>(d, belt_hold_lookback()); };
int belt_hold(const Ohlc& in, Out out) { return run_batch(in, out, k_belt_hold); }
StreamPtr belt_hold_stream(Opts o) { return make_stream(k_belt_hold, o); }

// CDLLONGLINE: long body, both shadows short.
int long_line_lookback() { return max_period(S::body_long, S::shadow_short); }
constexpr auto k_long_line = [](auto& d) {
  return body_and_shadows<S::body_long, S::shadow_short>(d, long_line_lookback(), longer, shorter);
};
int long_line(const Ohlc& in, Out out) { return run_batch(in, out, k_long_line); }
StreamPtr long_line_stream(Opts o) { return make_stream(k_long_line, o); }

// CDLSHORTLINE: short body, both shadows short.
int short_line_lookback() { return max_period(S::body_short, S::shadow_short); }
constexpr auto k_short_line = [](auto& d) {
  return body_and_shadows<S::body_short, S::shadow_short>(d, short_line_lookback(), shorter, shorter);
};
int short_line(const Ohlc& in, Out out) { return run_batch(in, out, k_short_line); }
StreamPtr short_line_stream(Opts o) { return make_stream(k_short_line, o); }

// CDLHIGHWAVE: short body, both shadows very long.
int high_wave_lookback() { return max_period(S::body_short, S::shadow_very_long); }
constexpr auto k_high_wave = [](auto& d) {
  return body_and_shadows<S::body_short, S::shadow_very_long>(d, high_wave_lookback(), shorter, longer);
};
int high_wave(const Ohlc& in, Out out) { return run_batch(in, out, k_high_wave); }
StreamPtr high_wave_stream(Opts o) { return make_stream(k_high_wave, o); }

// CDLSPINNINGTOP: short body, each shadow longer than the body.
int spinning_top_lookback() { return avg_period(S::body_short); }
constexpr auto k_spinning_top = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage body(b, S::body_short, 0);
  return d.scan_pairs(
      spinning_top_lookback(),
      [&](auto i) {
        const auto rb = b.real_body(i);
        return when(rb<body.at(i) & b.upper_shadow(i)> rb & b.lower_shadow(i) > rb, b.color(i) * 100.0);
      },
      body);
};
int spinning_top(const Ohlc& in, Out out) { return run_batch(in, out, k_spinning_top); }
StreamPtr spinning_top_stream(Opts o) { return make_stream(k_spinning_top, o); }

}  // namespace ts::ta::candles

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"CDLBELTHOLD", kPatterns, "Belt-hold", kOhlc, {}, kOutInteger,
     candle_lb<candles::belt_hold_lookback>, candle_run<candles::belt_hold>, candles::belt_hold_stream},
    {"CDLCLOSINGMARUBOZU", kPatterns, "Closing Marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::closing_marubozu_lookback>, candle_run<candles::closing_marubozu>, candles::closing_marubozu_stream},
    {"CDLDOJI", kPatterns, "Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::doji_lookback>, candle_run<candles::doji>, candles::doji_stream},
    {"CDLDRAGONFLYDOJI", kPatterns, "Dragonfly Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::dragonfly_doji_lookback>, candle_run<candles::dragonfly_doji>, candles::dragonfly_doji_stream},
    {"CDLGRAVESTONEDOJI", kPatterns, "Gravestone Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::gravestone_doji_lookback>, candle_run<candles::gravestone_doji>, candles::gravestone_doji_stream},
    {"CDLHAMMER", kPatterns, "Hammer", kOhlc, {}, kOutInteger,
     candle_lb<candles::hammer_lookback>, candle_run<candles::hammer>, candles::hammer_stream},
    {"CDLHANGINGMAN", kPatterns, "Hanging Man", kOhlc, {}, kOutInteger,
     candle_lb<candles::hanging_man_lookback>, candle_run<candles::hanging_man>, candles::hanging_man_stream},
    {"CDLHIGHWAVE", kPatterns, "High-Wave Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::high_wave_lookback>, candle_run<candles::high_wave>, candles::high_wave_stream},
    {"CDLINVERTEDHAMMER", kPatterns, "Inverted Hammer", kOhlc, {}, kOutInteger,
     candle_lb<candles::inverted_hammer_lookback>, candle_run<candles::inverted_hammer>, candles::inverted_hammer_stream},
    {"CDLLONGLEGGEDDOJI", kPatterns, "Long Legged Doji", kOhlc, {}, kOutInteger,
     candle_lb<candles::long_legged_doji_lookback>, candle_run<candles::long_legged_doji>, candles::long_legged_doji_stream},
    {"CDLLONGLINE", kPatterns, "Long Line Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::long_line_lookback>, candle_run<candles::long_line>, candles::long_line_stream},
    {"CDLMARUBOZU", kPatterns, "Marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::marubozu_lookback>, candle_run<candles::marubozu>, candles::marubozu_stream},
    {"CDLRICKSHAWMAN", kPatterns, "Rickshaw Man", kOhlc, {}, kOutInteger,
     candle_lb<candles::rickshaw_man_lookback>, candle_run<candles::rickshaw_man>, candles::rickshaw_man_stream},
    {"CDLSHOOTINGSTAR", kPatterns, "Shooting Star", kOhlc, {}, kOutInteger,
     candle_lb<candles::shooting_star_lookback>, candle_run<candles::shooting_star>, candles::shooting_star_stream},
    {"CDLSHORTLINE", kPatterns, "Short Line Candle", kOhlc, {}, kOutInteger,
     candle_lb<candles::short_line_lookback>, candle_run<candles::short_line>, candles::short_line_stream},
    {"CDLSPINNINGTOP", kPatterns, "Spinning Top", kOhlc, {}, kOutInteger,
     candle_lb<candles::spinning_top_lookback>, candle_run<candles::spinning_top>, candles::spinning_top_stream},
    {"CDLTAKURI", kPatterns, "Takuri (Dragonfly Doji with very long lower shadow)", kOhlc, {}, kOutInteger,
     candle_lb<candles::takuri_lookback>, candle_run<candles::takuri>, candles::takuri_stream},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> one_candle_functions() { return kRows; }

}  // namespace ts::ta
