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
// Files by the number of candles a pattern spans: one_candle.cpp,
// two_candles.cpp, three_candles.cpp, multi_candles.cpp (4-5 candles, Hikkake).
#include <span>

namespace ts::ta::candles {

struct Ohlc {
  std::span<const double> open, high, low, close;
};
using Out = std::span<double>;

// ---- One candle ---------------------------------------------------------------
int doji_lookback();
int doji(const Ohlc& in, Out out);
int dragonfly_doji_lookback();
int dragonfly_doji(const Ohlc& in, Out out);
int gravestone_doji_lookback();
int gravestone_doji(const Ohlc& in, Out out);
int long_legged_doji_lookback();
int long_legged_doji(const Ohlc& in, Out out);
int rickshaw_man_lookback();
int rickshaw_man(const Ohlc& in, Out out);
int takuri_lookback();
int takuri(const Ohlc& in, Out out);
int hammer_lookback();
int hammer(const Ohlc& in, Out out);
int hanging_man_lookback();
int hanging_man(const Ohlc& in, Out out);
int inverted_hammer_lookback();
int inverted_hammer(const Ohlc& in, Out out);
int shooting_star_lookback();
int shooting_star(const Ohlc& in, Out out);
int marubozu_lookback();
int marubozu(const Ohlc& in, Out out);
int closing_marubozu_lookback();
int closing_marubozu(const Ohlc& in, Out out);
int belt_hold_lookback();
int belt_hold(const Ohlc& in, Out out);
int long_line_lookback();
int long_line(const Ohlc& in, Out out);
int short_line_lookback();
int short_line(const Ohlc& in, Out out);
int spinning_top_lookback();
int spinning_top(const Ohlc& in, Out out);
int high_wave_lookback();
int high_wave(const Ohlc& in, Out out);

// ---- Two candles --------------------------------------------------------------
int engulfing_lookback();
int engulfing(const Ohlc& in, Out out);
int harami_lookback();
int harami(const Ohlc& in, Out out);
int harami_cross_lookback();
int harami_cross(const Ohlc& in, Out out);
int doji_star_lookback();
int doji_star(const Ohlc& in, Out out);
int counterattack_lookback();
int counterattack(const Ohlc& in, Out out);
int dark_cloud_cover_lookback(double penetration);
int dark_cloud_cover(const Ohlc& in, double penetration, Out out);
int piercing_lookback();
int piercing(const Ohlc& in, Out out);
int in_neck_lookback();
int in_neck(const Ohlc& in, Out out);
int on_neck_lookback();
int on_neck(const Ohlc& in, Out out);
int thrusting_lookback();
int thrusting(const Ohlc& in, Out out);
int homing_pigeon_lookback();
int homing_pigeon(const Ohlc& in, Out out);
int kicking_lookback();
int kicking(const Ohlc& in, Out out);
int kicking_by_length_lookback();
int kicking_by_length(const Ohlc& in, Out out);
int matching_low_lookback();
int matching_low(const Ohlc& in, Out out);
int separating_lines_lookback();
int separating_lines(const Ohlc& in, Out out);

// ---- Three candles ------------------------------------------------------------
int morning_star_lookback(double penetration);
int morning_star(const Ohlc& in, double penetration, Out out);
int evening_star_lookback(double penetration);
int evening_star(const Ohlc& in, double penetration, Out out);
int morning_doji_star_lookback(double penetration);
int morning_doji_star(const Ohlc& in, double penetration, Out out);
int evening_doji_star_lookback(double penetration);
int evening_doji_star(const Ohlc& in, double penetration, Out out);
int abandoned_baby_lookback(double penetration);
int abandoned_baby(const Ohlc& in, double penetration, Out out);
int three_white_soldiers_lookback();
int three_white_soldiers(const Ohlc& in, Out out);
int three_black_crows_lookback();
int three_black_crows(const Ohlc& in, Out out);
int identical_three_crows_lookback();
int identical_three_crows(const Ohlc& in, Out out);
int two_crows_lookback();
int two_crows(const Ohlc& in, Out out);
int upside_gap_two_crows_lookback();
int upside_gap_two_crows(const Ohlc& in, Out out);
int three_inside_lookback();
int three_inside(const Ohlc& in, Out out);
int three_outside_lookback();
int three_outside(const Ohlc& in, Out out);
int three_stars_in_south_lookback();
int three_stars_in_south(const Ohlc& in, Out out);
int advance_block_lookback();
int advance_block(const Ohlc& in, Out out);
int stalled_pattern_lookback();
int stalled_pattern(const Ohlc& in, Out out);
int tristar_lookback();
int tristar(const Ohlc& in, Out out);
int unique_three_river_lookback();
int unique_three_river(const Ohlc& in, Out out);
int tasuki_gap_lookback();
int tasuki_gap(const Ohlc& in, Out out);
int gap_side_side_white_lookback();
int gap_side_side_white(const Ohlc& in, Out out);
int xside_gap_three_methods_lookback();
int xside_gap_three_methods(const Ohlc& in, Out out);
int stick_sandwich_lookback();
int stick_sandwich(const Ohlc& in, Out out);

// ---- Four and five candles, Hikkake -------------------------------------------
int three_line_strike_lookback();
int three_line_strike(const Ohlc& in, Out out);
int conceal_baby_swallow_lookback();
int conceal_baby_swallow(const Ohlc& in, Out out);
int breakaway_lookback();
int breakaway(const Ohlc& in, Out out);
int ladder_bottom_lookback();
int ladder_bottom(const Ohlc& in, Out out);
int mat_hold_lookback(double penetration);
int mat_hold(const Ohlc& in, double penetration, Out out);
int rise_fall_three_methods_lookback();
int rise_fall_three_methods(const Ohlc& in, Out out);
int hikkake_lookback();
int hikkake(const Ohlc& in, Out out);
int hikkake_mod_lookback();
int hikkake_mod(const Ohlc& in, Out out);

}  // namespace ts::ta::candles
