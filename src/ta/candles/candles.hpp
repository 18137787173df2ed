#pragma once
// Candlestick pattern kernels with TA-Lib's definitions and its candle-settings
// table (BodyLong, BodyDoji, ShadowVeryShort, Near, Far, Equal, ...). Output is
// TA-Lib's convention: 0, +/-100 (and +/-80 for the weaker ENGULFING/HARAMI
// variants), written as doubles into an output column aligned with the input.
// Same batch contract as ta/function.hpp. `penetration` is TA-Lib's option for
// Morning/Evening Star (default 0.3).
#include <span>

namespace ts::ta::candles {

struct Ohlc {
  std::span<const double> open, high, low, close;
};
using Out = std::span<double>;

int doji_lookback();
int doji(const Ohlc& in, Out out);
int hammer_lookback();
int hammer(const Ohlc& in, Out out);
int hanging_man_lookback();
int hanging_man(const Ohlc& in, Out out);
int shooting_star_lookback();
int shooting_star(const Ohlc& in, Out out);
int engulfing_lookback();
int engulfing(const Ohlc& in, Out out);
int harami_lookback();
int harami(const Ohlc& in, Out out);
int morning_star_lookback(double penetration);
int morning_star(const Ohlc& in, double penetration, Out out);
int evening_star_lookback(double penetration);
int evening_star(const Ohlc& in, double penetration, Out out);
int three_white_soldiers_lookback();
int three_white_soldiers(const Ohlc& in, Out out);
int three_black_crows_lookback();
int three_black_crows(const Ohlc& in, Out out);

}  // namespace ts::ta::candles
