#pragma once
// Candlestick pattern kernels: all 61 of TA-Lib 0.6 (ta_func/ta_CDL*.c), with
// its candle-settings table (BodyLong, BodyDoji, ShadowVeryShort, Near, Far,
// Equal, ...). Output is TA-Lib's convention, written as doubles into an output
// column aligned with the input: 0 or +/-100 (bullish +, bearish -); +/-80 for
// the weaker ENGULFING/HARAMI/HARAMICROSS variants; +/-200 for a confirmed
// HIKKAKE/HIKKAKEMOD. Same batch contract as ta/function.hpp. `penetration` is
// TA-Lib's option for the star, abandoned-baby, dark-cloud and mat-hold
// families; the lookback does not depend on it.
//
// Each pattern also has a streaming form, X_stream(options), the registry's
// factory (ta/function.hpp streaming contract): O(1) per update, bit-identical
// to the batch kernel, state = the last 16 bars, one running total per
// setting average and the Hikkake memory. Both forms run the same definition.
//
// Files by the number of candles a pattern spans: one_candle.cpp,
// two_candles.cpp, three_candles.cpp, multi_candles.cpp (4-5 candles, Hikkake).
#include <memory>
#include <span>

#include "ta/function.hpp"

namespace ts::ta::candles {

struct Ohlc {
  std::span<const double> open, high, low, close;
};
using Out = std::span<double>;
/// A pattern's streaming form (registry factory; options = {penetration} or {}).
using StreamPtr = std::unique_ptr<Stream>;

// ---- One candle ---------------------------------------------------------------
int doji_lookback();
int doji(const Ohlc& in, Out out);
StreamPtr doji_stream(std::span<const double> options);
int dragonfly_doji_lookback();
int dragonfly_doji(const Ohlc& in, Out out);
StreamPtr dragonfly_doji_stream(std::span<const double> options);
int gravestone_doji_lookback();
int gravestone_doji(const Ohlc& in, Out out);
StreamPtr gravestone_doji_stream(std::span<const double> options);
int long_legged_doji_lookback();
int long_legged_doji(const Ohlc& in, Out out);
StreamPtr long_legged_doji_stream(std::span<const double> options);
int rickshaw_man_lookback();
int rickshaw_man(const Ohlc& in, Out out);
StreamPtr rickshaw_man_stream(std::span<const double> options);
int takuri_lookback();
int takuri(const Ohlc& in, Out out);
StreamPtr takuri_stream(std::span<const double> options);
int hammer_lookback();
int hammer(const Ohlc& in, Out out);
StreamPtr hammer_stream(std::span<const double> options);
int hanging_man_lookback();
int hanging_man(const Ohlc& in, Out out);
StreamPtr hanging_man_stream(std::span<const double> options);
int inverted_hammer_lookback();
int inverted_hammer(const Ohlc& in, Out out);
StreamPtr inverted_hammer_stream(std::span<const double> options);
int shooting_star_lookback();
int shooting_star(const Ohlc& in, Out out);
StreamPtr shooting_star_stream(std::span<const double> options);
int marubozu_lookback();
int marubozu(const Ohlc& in, Out out);
StreamPtr marubozu_stream(std::span<const double> options);
int closing_marubozu_lookback();
int closing_marubozu(const Ohlc& in, Out out);
StreamPtr closing_marubozu_stream(std::span<const double> options);
int belt_hold_lookback();
int belt_hold(const Ohlc& in, Out out);
StreamPtr belt_hold_stream(std::span<const double> options);
int long_line_lookback();
int long_line(const Ohlc& in, Out out);
StreamPtr long_line_stream(std::span<const double> options);
int short_line_lookback();
int short_line(const Ohlc& in, Out out);
StreamPtr short_line_stream(std::span<const double> options);
int spinning_top_lookback();
int spinning_top(const Ohlc& in, Out out);
StreamPtr spinning_top_stream(std::span<const double> options);
int high_wave_lookback();
int high_wave(const Ohlc& in, Out out);
StreamPtr high_wave_stream(std::span<const double> options);

// ---- Two candles --------------------------------------------------------------
int engulfing_lookback();
int engulfing(const Ohlc& in, Out out);
StreamPtr engulfing_stream(std::span<const double> options);
int harami_lookback();
int harami(const Ohlc& in, Out out);
StreamPtr harami_stream(std::span<const double> options);
int harami_cross_lookback();
int harami_cross(const Ohlc& in, Out out);
StreamPtr harami_cross_stream(std::span<const double> options);
int doji_star_lookback();
int doji_star(const Ohlc& in, Out out);
StreamPtr doji_star_stream(std::span<const double> options);
int counterattack_lookback();
int counterattack(const Ohlc& in, Out out);
StreamPtr counterattack_stream(std::span<const double> options);
int dark_cloud_cover_lookback(double penetration);
int dark_cloud_cover(const Ohlc& in, double penetration, Out out);
StreamPtr dark_cloud_cover_stream(std::span<const double> options);
int piercing_lookback();
int piercing(const Ohlc& in, Out out);
StreamPtr piercing_stream(std::span<const double> options);
int in_neck_lookback();
int in_neck(const Ohlc& in, Out out);
StreamPtr in_neck_stream(std::span<const double> options);
int on_neck_lookback();
int on_neck(const Ohlc& in, Out out);
StreamPtr on_neck_stream(std::span<const double> options);
int thrusting_lookback();
int thrusting(const Ohlc& in, Out out);
StreamPtr thrusting_stream(std::span<const double> options);
int homing_pigeon_lookback();
int homing_pigeon(const Ohlc& in, Out out);
StreamPtr homing_pigeon_stream(std::span<const double> options);
int kicking_lookback();
int kicking(const Ohlc& in, Out out);
StreamPtr kicking_stream(std::span<const double> options);
int kicking_by_length_lookback();
int kicking_by_length(const Ohlc& in, Out out);
StreamPtr kicking_by_length_stream(std::span<const double> options);
int matching_low_lookback();
int matching_low(const Ohlc& in, Out out);
StreamPtr matching_low_stream(std::span<const double> options);
int separating_lines_lookback();
int separating_lines(const Ohlc& in, Out out);
StreamPtr separating_lines_stream(std::span<const double> options);

// ---- Three candles ------------------------------------------------------------
int morning_star_lookback(double penetration);
int morning_star(const Ohlc& in, double penetration, Out out);
StreamPtr morning_star_stream(std::span<const double> options);
int evening_star_lookback(double penetration);
int evening_star(const Ohlc& in, double penetration, Out out);
StreamPtr evening_star_stream(std::span<const double> options);
int morning_doji_star_lookback(double penetration);
int morning_doji_star(const Ohlc& in, double penetration, Out out);
StreamPtr morning_doji_star_stream(std::span<const double> options);
int evening_doji_star_lookback(double penetration);
int evening_doji_star(const Ohlc& in, double penetration, Out out);
StreamPtr evening_doji_star_stream(std::span<const double> options);
int abandoned_baby_lookback(double penetration);
int abandoned_baby(const Ohlc& in, double penetration, Out out);
StreamPtr abandoned_baby_stream(std::span<const double> options);
int three_white_soldiers_lookback();
int three_white_soldiers(const Ohlc& in, Out out);
StreamPtr three_white_soldiers_stream(std::span<const double> options);
int three_black_crows_lookback();
int three_black_crows(const Ohlc& in, Out out);
StreamPtr three_black_crows_stream(std::span<const double> options);
int identical_three_crows_lookback();
int identical_three_crows(const Ohlc& in, Out out);
StreamPtr identical_three_crows_stream(std::span<const double> options);
int two_crows_lookback();
int two_crows(const Ohlc& in, Out out);
StreamPtr two_crows_stream(std::span<const double> options);
int upside_gap_two_crows_lookback();
int upside_gap_two_crows(const Ohlc& in, Out out);
StreamPtr upside_gap_two_crows_stream(std::span<const double> options);
int three_inside_lookback();
int three_inside(const Ohlc& in, Out out);
StreamPtr three_inside_stream(std::span<const double> options);
int three_outside_lookback();
int three_outside(const Ohlc& in, Out out);
StreamPtr three_outside_stream(std::span<const double> options);
int three_stars_in_south_lookback();
int three_stars_in_south(const Ohlc& in, Out out);
StreamPtr three_stars_in_south_stream(std::span<const double> options);
int advance_block_lookback();
int advance_block(const Ohlc& in, Out out);
StreamPtr advance_block_stream(std::span<const double> options);
int stalled_pattern_lookback();
int stalled_pattern(const Ohlc& in, Out out);
StreamPtr stalled_pattern_stream(std::span<const double> options);
int tristar_lookback();
int tristar(const Ohlc& in, Out out);
StreamPtr tristar_stream(std::span<const double> options);
int unique_three_river_lookback();
int unique_three_river(const Ohlc& in, Out out);
StreamPtr unique_three_river_stream(std::span<const double> options);
int tasuki_gap_lookback();
int tasuki_gap(const Ohlc& in, Out out);
StreamPtr tasuki_gap_stream(std::span<const double> options);
int gap_side_side_white_lookback();
int gap_side_side_white(const Ohlc& in, Out out);
StreamPtr gap_side_side_white_stream(std::span<const double> options);
int xside_gap_three_methods_lookback();
int xside_gap_three_methods(const Ohlc& in, Out out);
StreamPtr xside_gap_three_methods_stream(std::span<const double> options);
int stick_sandwich_lookback();
int stick_sandwich(const Ohlc& in, Out out);
StreamPtr stick_sandwich_stream(std::span<const double> options);

// ---- Four and five candles, Hikkake -------------------------------------------
int three_line_strike_lookback();
int three_line_strike(const Ohlc& in, Out out);
StreamPtr three_line_strike_stream(std::span<const double> options);
int conceal_baby_swallow_lookback();
int conceal_baby_swallow(const Ohlc& in, Out out);
StreamPtr conceal_baby_swallow_stream(std::span<const double> options);
int breakaway_lookback();
int breakaway(const Ohlc& in, Out out);
StreamPtr breakaway_stream(std::span<const double> options);
int ladder_bottom_lookback();
int ladder_bottom(const Ohlc& in, Out out);
StreamPtr ladder_bottom_stream(std::span<const double> options);
int mat_hold_lookback(double penetration);
int mat_hold(const Ohlc& in, double penetration, Out out);
StreamPtr mat_hold_stream(std::span<const double> options);
int rise_fall_three_methods_lookback();
int rise_fall_three_methods(const Ohlc& in, Out out);
StreamPtr rise_fall_three_methods_stream(std::span<const double> options);
int hikkake_lookback();
int hikkake(const Ohlc& in, Out out);
StreamPtr hikkake_stream(std::span<const double> options);
int hikkake_mod_lookback();
int hikkake_mod(const Ohlc& in, Out out);
StreamPtr hikkake_mod_stream(std::span<const double> options);

}  // namespace ts::ta::candles
