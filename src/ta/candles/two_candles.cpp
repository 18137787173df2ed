// Two-candle patterns: TA-Lib 0.6 definitions (ta_func/ta_CDL*.c), thresholds
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

// Shared by harami (`inner` = BodyShort) and harami cross (BodyDoji): a long
// body, then a body no longer than `inner` inside it; sign opposite to the first
// candle's colour; +/-100 strictly inside, +/-80 when one end matches.
template <Setting inner_setting, class D>
auto harami_like(D& d) {
  const auto& b = d.bars;
  RunningAverage body_long(b, S::body_long, 1), inner(b, inner_setting, 0);
  return d.scan_pairs(
      max_period(inner_setting, S::body_long) + 1,
      [&](auto i) {
        const auto shapes = b.real_body(i - 1) > body_long.at(i - 1) & b.real_body(i) <= inner.at(i);
        const auto top = b.body_top(i), bottom = b.body_bottom(i);
        const auto outer_top = b.body_top(i - 1), outer_bottom = b.body_bottom(i - 1);
        const auto inside = top<outer_top & bottom> outer_bottom,
                   touching = top <= outer_top & bottom >= outer_bottom;
        return when(shapes & touching, -b.color(i - 1) * (80.0 + when(inside, 20.0)));
      },
      body_long, inner);
}

// Shared by in-neck, on-neck and thrusting (-100): a long black candle, then a
// white one opening below its low; `closes` places the white close (given the
// Equal threshold of the first candle).
template <class Closes, class D>
auto neck(D& d, Closes closes) {
  const auto& b = d.bars;
  RunningAverage equal(b, S::equal, 1), body_long(b, S::body_long, 1);
  return d.scan_pairs(
      max_period(S::equal, S::body_long) + 1,
      [&](auto i) {
        return when(b.color(i - 1) == -1 & b.real_body(i - 1) > body_long.at(i - 1) & b.color(i) == 1 &
                        b.o[i] < b.l[i - 1] & closes(b, i, equal.at(i - 1)),
                    -100.0);
      },
      equal, body_long);
}

// Shared by kicking and kicking by length: two opposite marubozu (long body,
// very short shadows) with a gap between their ranges in the direction of the
// second. The sign is the second candle's colour, or with `by_length` the
// colour of the longer body.
template <bool by_length, class D>
auto kicking_like(D& d) {
  const auto& b = d.bars;
  RunningAverage body_long1(b, S::body_long, 1), body_long0(b, S::body_long, 0),
      very_short1(b, S::shadow_very_short, 1), very_short0(b, S::shadow_very_short, 0);
  const auto two_long = [&](auto i) {  // rare: most bodies are not long
    return b.real_body(i - 1) > body_long1.at(i - 1) & b.real_body(i) > body_long0.at(i);
  };
  return d.scan_sparse(
      max_period(S::shadow_very_short, S::body_long) + 1, two_long,
      [&](int i) {
        if (!two_long(i)) return 0.0;
        const bool match =
            b.color(i - 1) == -b.color(i) & b.real_body(i - 1) > body_long1.at(i - 1) &
            b.upper_shadow(
                 i -
                 1)<very_short1.at(i - 1) & b.lower_shadow(i - 1) < very_short1.at(i - 1) & b.real_body(i)>
                body_long0.at(i) &
            b.upper_shadow(i) < very_short0.at(i) & b.lower_shadow(i) < very_short0.at(i) &
            ((b.color(i - 1) == -1 & b.candle_gap_up(i, i - 1)) |
             (b.color(i - 1) == 1 & b.candle_gap_down(i, i - 1)));
        if (!match) return 0.0;
        const int sign_bar = by_length & !(b.real_body(i) > b.real_body(i - 1)) ? i - 1 : i;
        return b.color(sign_bar) * 100.0;
      },
      body_long1, body_long0, very_short1, very_short0);
}

}  // namespace

// CDLENGULFING: the real body engulfs the prior opposite-coloured one; +/-100
// when both ends are strictly beyond, +/-80 when one end matches exactly.
int engulfing_lookback() { return 2; }
constexpr auto k_engulfing = [](auto& d) {
  const auto& b = d.bars;
  return d.scan(engulfing_lookback(), [&](int i) {
    const auto &o = b.o, &c = b.c;
    const bool white_engulfs = b.color(i) == 1 & b.color(i - 1) == -1 &
                               ((c[i] >= o[i - 1] & o[i] < c[i - 1]) | (c[i] > o[i - 1] & o[i] <= c[i - 1]));
    const bool black_engulfs = b.color(i) == -1 & b.color(i - 1) == 1 &
                               ((o[i] >= c[i - 1] & c[i] < o[i - 1]) | (o[i] > c[i - 1] & c[i] <= o[i - 1]));
    if (!white_engulfs & !black_engulfs) return 0.0;
    const bool strict = o[i] != c[i - 1] & c[i] != o[i - 1];
    return b.color(i) * (strict ? 100.0 : 80.0);
  });
};
int engulfing(const Ohlc& in, Out out) { return run_batch<true, true>(in, out, k_engulfing); }
StreamPtr engulfing_stream(Opts o) { return make_stream(k_engulfing, o); }

// CDLHARAMI: long body, then a short body inside it (see harami_like).
int harami_lookback() { return max_period(S::body_short, S::body_long) + 1; }
constexpr auto k_harami = [](auto& d) { return harami_like<S::body_short>(d); };
int harami(const Ohlc& in, Out out) { return run_batch(in, out, k_harami); }
StreamPtr harami_stream(Opts o) { return make_stream(k_harami, o); }

// CDLHARAMICROSS: long body, then a doji inside it (see harami_like).
int harami_cross_lookback() { return max_period(S::body_doji, S::body_long) + 1; }
constexpr auto k_harami_cross = [](auto& d) { return harami_like<S::body_doji>(d); };
int harami_cross(const Ohlc& in, Out out) { return run_batch(in, out, k_harami_cross); }
StreamPtr harami_cross_stream(Opts o) { return make_stream(k_harami_cross, o); }

// CDLDOJISTAR: a long candle, then a doji whose body gaps away in the direction
// of the first; sign opposite to the first candle's colour.
int doji_star_lookback() { return max_period(S::body_doji, S::body_long) + 1; }
constexpr auto k_doji_star = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage body_long(b, S::body_long, 1), doji_body(b, S::body_doji, 0);
  return d.scan_pairs(
      doji_star_lookback(),
      [&](auto i) {
        return when(b.real_body(i - 1) > body_long.at(i - 1) & b.real_body(i) <= doji_body.at(i) &
                        ((b.color(i - 1) == 1 & b.body_gap_up(i, i - 1)) |
                         (b.color(i - 1) == -1 & b.body_gap_down(i, i - 1))),
                    -b.color(i - 1) * 100.0);
      },
      body_long, doji_body);
};
int doji_star(const Ohlc& in, Out out) { return run_batch(in, out, k_doji_star); }
StreamPtr doji_star_stream(Opts o) { return make_stream(k_doji_star, o); }

// CDLCOUNTERATTACK: two long candles of opposite colours closing within Equal
// of each other; sign = second candle's colour.
int counterattack_lookback() { return max_period(S::equal, S::body_long) + 1; }
constexpr auto k_counterattack = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage equal(b, S::equal, 1), body_long1(b, S::body_long, 1), body_long0(b, S::body_long, 0);
  return d.scan_pairs(
      counterattack_lookback(),
      [&](auto i) {
        const auto& c = b.c;
        return when(b.color(i - 1) == -b.color(i) & b.real_body(i - 1) > body_long1.at(i - 1) &
                        b.real_body(i) > body_long0.at(i) & c[i] <= c[i - 1] + equal.at(i - 1) &
                        c[i] >= c[i - 1] - equal.at(i - 1),
                    b.color(i) * 100.0);
      },
      equal, body_long1, body_long0);
};
int counterattack(const Ohlc& in, Out out) { return run_batch(in, out, k_counterattack); }
StreamPtr counterattack_stream(Opts o) { return make_stream(k_counterattack, o); }

// CDLDARKCLOUDCOVER (-100): a long white candle, then a black one opening above
// its high and closing inside its body, more than `penetration` of it down.
int dark_cloud_cover_lookback(double /*penetration*/) { return avg_period(S::body_long) + 1; }
constexpr auto k_dark_cloud_cover = [](auto& d) {
  const auto& b = d.bars;
  const auto penetration = d.penetration;
  RunningAverage body_long(b, S::body_long, 1);
  return d.scan_pairs(
      dark_cloud_cover_lookback(penetration),
      [&](auto i) {
        const auto &o = b.o, &c = b.c;
        return when(b.color(i - 1) == 1 & b.real_body(i - 1) > body_long.at(i - 1) & b.color(i) == -1 &
                        o[i] > b.h[i - 1] & c[i] > o[i - 1] &
                        c[i] < c[i - 1] - b.real_body(i - 1) * penetration,
                    -100.0);
      },
      body_long);
};
int dark_cloud_cover(const Ohlc& in, double penetration, Out out) {
  return run_batch(in, out, k_dark_cloud_cover, penetration);
}
StreamPtr dark_cloud_cover_stream(Opts o) { return make_stream(k_dark_cloud_cover, o); }

// CDLPIERCING (+100): a long black candle, then a long white one opening below
// its low and closing inside its body, above the body's midpoint.
int piercing_lookback() { return avg_period(S::body_long) + 1; }
constexpr auto k_piercing = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage body_long1(b, S::body_long, 1), body_long0(b, S::body_long, 0);
  return d.scan_pairs(
      piercing_lookback(),
      [&](auto i) {
        const auto &o = b.o, &c = b.c;
        return when(b.color(i - 1) == -1 & b.real_body(i - 1) > body_long1.at(i - 1) & b.color(i) == 1 &
                        b.real_body(i) > body_long0.at(i) & o[i] < b.l[i - 1] &
                        c[i]<o[i - 1] & c[i]> c[i - 1] + b.real_body(i - 1) * 0.5,
                    100.0);
      },
      body_long1, body_long0);
};
int piercing(const Ohlc& in, Out out) { return run_batch(in, out, k_piercing); }
StreamPtr piercing_stream(Opts o) { return make_stream(k_piercing, o); }

// CDLINNECK (-100): see neck(); the white close is at most Equal above the black close.
int in_neck_lookback() { return max_period(S::equal, S::body_long) + 1; }
constexpr auto k_in_neck = [](auto& d) {
  return neck(d, [](const auto& b, auto i, auto equal) {
    return b.c[i] <= b.c[i - 1] + equal & b.c[i] >= b.c[i - 1];
  });
};
int in_neck(const Ohlc& in, Out out) { return run_batch(in, out, k_in_neck); }
StreamPtr in_neck_stream(Opts o) { return make_stream(k_in_neck, o); }

// CDLONNECK (-100): see neck(); the white close is within Equal of the black low.
int on_neck_lookback() { return max_period(S::equal, S::body_long) + 1; }
constexpr auto k_on_neck = [](auto& d) {
  return neck(d, [](const auto& b, auto i, auto equal) {
    return b.c[i] <= b.l[i - 1] + equal & b.c[i] >= b.l[i - 1] - equal;
  });
};
int on_neck(const Ohlc& in, Out out) { return run_batch(in, out, k_on_neck); }
StreamPtr on_neck_stream(Opts o) { return make_stream(k_on_neck, o); }

// CDLTHRUSTING (-100): see neck(); the white close is more than Equal into the
// black body but not above its midpoint.
int thrusting_lookback() { return max_period(S::equal, S::body_long) + 1; }
constexpr auto k_thrusting = [](auto& d) {
  return neck(d, [](const auto& b, auto i, auto equal) {
    return b.c[i] > b.c[i - 1] + equal & b.c[i] <= b.c[i - 1] + b.real_body(i - 1) * 0.5;
  });
};
int thrusting(const Ohlc& in, Out out) { return run_batch(in, out, k_thrusting); }
StreamPtr thrusting_stream(Opts o) { return make_stream(k_thrusting, o); }

// CDLHOMINGPIGEON (+100): a long black candle, then a short black one inside its body.
int homing_pigeon_lookback() { return max_period(S::body_short, S::body_long) + 1; }
constexpr auto k_homing_pigeon = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage body_long(b, S::body_long, 1), body_short(b, S::body_short, 0);
  return d.scan_pairs(
      homing_pigeon_lookback(),
      [&](auto i) {
        return when(b.color(i - 1) == -1 & b.color(i) == -1 & b.real_body(i - 1) > body_long.at(i - 1) &
                        b.real_body(i) <= body_short.at(i) & b.o[i]<b.o[i - 1] & b.c[i]> b.c[i - 1],
                    100.0);
      },
      body_long, body_short);
};
int homing_pigeon(const Ohlc& in, Out out) { return run_batch(in, out, k_homing_pigeon); }
StreamPtr homing_pigeon_stream(Opts o) { return make_stream(k_homing_pigeon, o); }

// CDLKICKING: see kicking_like; sign = second candle's colour.
int kicking_lookback() { return max_period(S::shadow_very_short, S::body_long) + 1; }
constexpr auto k_kicking = [](auto& d) { return kicking_like<false>(d); };
int kicking(const Ohlc& in, Out out) { return run_batch(in, out, k_kicking); }
StreamPtr kicking_stream(Opts o) { return make_stream(k_kicking, o); }

// CDLKICKINGBYLENGTH: see kicking_like; sign = colour of the longer marubozu.
int kicking_by_length_lookback() { return kicking_lookback(); }
constexpr auto k_kicking_by_length = [](auto& d) { return kicking_like<true>(d); };
int kicking_by_length(const Ohlc& in, Out out) { return run_batch(in, out, k_kicking_by_length); }
StreamPtr kicking_by_length_stream(Opts o) { return make_stream(k_kicking_by_length, o); }

// CDLMATCHINGLOW (+100): two black candles closing within Equal of each other.
int matching_low_lookback() { return avg_period(S::equal) + 1; }
constexpr auto k_matching_low = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage equal(b, S::equal, 1);
  return d.scan_pairs(
      matching_low_lookback(),
      [&](auto i) {
        const auto& c = b.c;
        return when(b.color(i - 1) == -1 & b.color(i) == -1 & c[i] <= c[i - 1] + equal.at(i - 1) &
                        c[i] >= c[i - 1] - equal.at(i - 1),
                    100.0);
      },
      equal);
};
int matching_low(const Ohlc& in, Out out) { return run_batch(in, out, k_matching_low); }
StreamPtr matching_low_stream(Opts o) { return make_stream(k_matching_low, o); }

// CDLSEPARATINGLINES: opposite colours opening within Equal of each other, the
// second a belt hold (long body, very short shadow at its opening end); sign =
// second candle's colour.
int separating_lines_lookback() { return max_period(S::shadow_very_short, S::body_long, S::equal) + 1; }
constexpr auto k_separating_lines = [](auto& d) {
  const auto& b = d.bars;
  RunningAverage very_short(b, S::shadow_very_short, 0), body_long(b, S::body_long, 0), equal(b, S::equal, 1);
  return d.scan_pairs(
      separating_lines_lookback(),
      [&](auto i) {
        const auto& o = b.o;
        return when(b.color(i - 1) == -b.color(i) & o[i] <= o[i - 1] + equal.at(i - 1) &
                        o[i] >= o[i - 1] - equal.at(i - 1) & b.real_body(i) > body_long.at(i) &
                        ((b.color(i) == 1 & b.lower_shadow(i) < very_short.at(i)) |
                         (b.color(i) == -1 & b.upper_shadow(i) < very_short.at(i))),
                    b.color(i) * 100.0);
      },
      very_short, body_long, equal);
};
int separating_lines(const Ohlc& in, Out out) { return run_batch(in, out, k_separating_lines); }
StreamPtr separating_lines_stream(Opts o) { return make_stream(k_separating_lines, o); }

}  // namespace ts::ta::candles

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"CDLCOUNTERATTACK", kPatterns, "Counterattack", kOhlc, {}, kOutInteger,
     candle_lb<candles::counterattack_lookback>, candle_run<candles::counterattack>, candles::counterattack_stream},
    {"CDLDARKCLOUDCOVER", kPatterns, "Dark Cloud Cover", kOhlc, kPenetration50, kOutInteger,
     penetration_lb<candles::dark_cloud_cover_lookback>, penetration_run<candles::dark_cloud_cover>, candles::dark_cloud_cover_stream},
    {"CDLDOJISTAR", kPatterns, "Doji Star", kOhlc, {}, kOutInteger,
     candle_lb<candles::doji_star_lookback>, candle_run<candles::doji_star>, candles::doji_star_stream},
    {"CDLENGULFING", kPatterns, "Engulfing Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::engulfing_lookback>, candle_run<candles::engulfing>, candles::engulfing_stream},
    {"CDLHARAMI", kPatterns, "Harami Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::harami_lookback>, candle_run<candles::harami>, candles::harami_stream},
    {"CDLHARAMICROSS", kPatterns, "Harami Cross Pattern (+/-80 when one end of the bodies matches)", kOhlc, {}, kOutInteger,
     candle_lb<candles::harami_cross_lookback>, candle_run<candles::harami_cross>, candles::harami_cross_stream},
    {"CDLHOMINGPIGEON", kPatterns, "Homing Pigeon", kOhlc, {}, kOutInteger,
     candle_lb<candles::homing_pigeon_lookback>, candle_run<candles::homing_pigeon>, candles::homing_pigeon_stream},
    {"CDLINNECK", kPatterns, "In-Neck Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::in_neck_lookback>, candle_run<candles::in_neck>, candles::in_neck_stream},
    {"CDLKICKING", kPatterns, "Kicking", kOhlc, {}, kOutInteger,
     candle_lb<candles::kicking_lookback>, candle_run<candles::kicking>, candles::kicking_stream},
    {"CDLKICKINGBYLENGTH", kPatterns, "Kicking - bull/bear determined by the longer marubozu", kOhlc, {}, kOutInteger,
     candle_lb<candles::kicking_by_length_lookback>, candle_run<candles::kicking_by_length>, candles::kicking_by_length_stream},
    {"CDLMATCHINGLOW", kPatterns, "Matching Low", kOhlc, {}, kOutInteger,
     candle_lb<candles::matching_low_lookback>, candle_run<candles::matching_low>, candles::matching_low_stream},
    {"CDLONNECK", kPatterns, "On-Neck Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::on_neck_lookback>, candle_run<candles::on_neck>, candles::on_neck_stream},
    {"CDLPIERCING", kPatterns, "Piercing Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::piercing_lookback>, candle_run<candles::piercing>, candles::piercing_stream},
    {"CDLSEPARATINGLINES", kPatterns, "Separating Lines", kOhlc, {}, kOutInteger,
     candle_lb<candles::separating_lines_lookback>, candle_run<candles::separating_lines>, candles::separating_lines_stream},
    {"CDLTHRUSTING", kPatterns, "Thrusting Pattern", kOhlc, {}, kOutInteger,
     candle_lb<candles::thrusting_lookback>, candle_run<candles::thrusting>, candles::thrusting_stream},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> two_candles_functions() { return kRows; }

}  // namespace ts::ta
