#pragma once
// Typed batch kernels for direct use by the engine and the chart patterns.
// Same contract as function.hpp: outputs aligned with inputs, cells before the
// returned begin index untouched, no allocation, no I/O, thread-safe.
// Semantics follow TA-Lib (lookback, EMA seeded by the SMA of the first n
// values, Wilder smoothing for RSI/ATR/ADX, population stddev in BBANDS), with
// TA-Lib's operations in TA-Lib's order, except where docs/indicators.md lists
// a deliberate deviation (EMA, RSI and the ATR family reorder a contractive
// recurrence; results within the 1e-9 tolerance, a few ulps measured).
#include <span>

namespace ts::ta {

using In = std::span<const double>;
using Out = std::span<double>;

int sma_lookback(int period);
int sma(In real, int period, Out out);
int ema_lookback(int period);
/// The EMA function: TA-Lib's seed and smoothing factor, the recurrence taken
/// two bars at a time (detail::EmaTwoStep; within a few ulps of TA-Lib's).
/// ma(real, period, 1, out) is TA-Lib's INT_EMA to the last bit.
int ema(In real, int period, Out out);
int rsi_lookback(int period);
int rsi(In real, int period, Out out);
int macd_lookback(int fast, int slow, int signal);
int macd(In real, int fast, int slow, int signal, Out macd, Out signal_line, Out hist);
int bbands_lookback(int period);
/// matype 0 (SMA) middle band.
int bbands(In real, int period, double nbdevup, double nbdevdn, Out upper, Out middle, Out lower);
int atr_lookback(int period);
int atr(In high, In low, In close, int period, Out out);

// ---- Added with the registry (append-only; same contract as above) ---------
// Kernels that keep a window (STOCH, WILLR, CCI, MFI) hold it on the stack up
// to 512 bars; longer periods make one heap allocation per call.

/// TA_MA: 0 = SMA, 1 = EMA, 2 = WMA, 3 = DEMA, 4 = TEMA, 5 = TRIMA, 6 = KAMA,
/// 7 = MAMA (fast limit 0.5, slow limit 0.05, period ignored), 8 = T3
/// (vfactor 0.7). Period 1 copies the input (lookback 0), like TA-Lib.
inline constexpr int kMaxMaType = 8;
/// BBANDS's own running-sum stream covers matype 0 and 1; other types stream
/// their middle band through MA's stream.
inline constexpr int kMaxStreamMaType = 1;
int ma_lookback(int period, int matype);
int ma(In real, int period, int matype, Out out);
/// BBANDS with a choice of middle band (any matype of ma()). The deviation is
/// always the population stddev over the last `period` values, as in TA-Lib.
int bbands_ma(In real, int period, double nbdevup, double nbdevdn, int matype, Out upper, Out middle,
              Out lower);
int wma_lookback(int period);
int wma(In real, int period, Out out);
int dema_lookback(int period);
int dema(In real, int period, Out out);
int tema_lookback(int period);
int tema(In real, int period, Out out);
int trima_lookback(int period);
int trima(In real, int period, Out out);
int kama_lookback(int period);
int kama(In real, int period, Out out);
int trange_lookback();
int trange(In high, In low, In close, Out out);
int stoch_lookback(int fastk_period, int slowk_period, int slowk_matype, int slowd_period, int slowd_matype);
int stoch(In high, In low, In close, int fastk_period, int slowk_period, int slowk_matype, int slowd_period,
          int slowd_matype, Out slowk, Out slowd);
int adx_lookback(int period);
int adx(In high, In low, In close, int period, Out out);
int plus_di_lookback(int period);
int plus_di(In high, In low, In close, int period, Out out);
int minus_di_lookback(int period);
int minus_di(In high, In low, In close, int period, Out out);
int obv_lookback();
/// OBV over `real` (usually close) and volume; OBV[0] = volume[0].
int obv(In real, In volume, Out out);
int mfi_lookback(int period);
int mfi(In high, In low, In close, In volume, int period, Out out);
int willr_lookback(int period);
int willr(In high, In low, In close, int period, Out out);
int cci_lookback(int period);
int cci(In high, In low, In close, int period, Out out);

// TickStock extras (not in TA-Lib).
/// RELVOL[i] = volume[i] / mean(volume[i-period .. i-1]): today's volume
/// against the average of the `period` PRIOR bars (the current bar is not in
/// the average, so a spike is not damped by itself). 0 when that average is 0.
/// Lookback `period`.
int relvol_lookback(int period);
int relvol(In volume, int period, Out out);
/// Floor pivots from the PRIOR bar (H, L, C of bar i-1), lookback 1:
///   pp = (H + L + C) / 3, r1 = 2pp - L, s1 = 2pp - H, r2 = pp + (H - L),
///   s2 = pp - (H - L), r3 = H + 2(pp - L), s3 = L - 2(H - pp).
/// Fibonacci variant: same pp, r/s = pp +/- {0.382, 0.618, 1.0} * (H - L).
struct PivotOut {
  Out pp, r1, r2, r3, s1, s2, s3;
};
int pivots_lookback();
int pivots(In high, In low, In close, const PivotOut& out);
int pivots_fib(In high, In low, In close, const PivotOut& out);
/// Woodie pivots: pp = (H + L + 2C) / 4, then the floor formulas for r1..s3.
int pivots_woodie(In high, In low, In close, const PivotOut& out);
/// Camarilla pivots: r1..r4 = C + (H - L) * 1.1 / {12, 6, 4, 2}, s1..s4 = C - the
/// same; pp = (H + L + C) / 3. r4 and s4 go to their own columns.
int pivots_camarilla(In high, In low, In close, const PivotOut& out, Out r4, Out s4);
/// Donchian channel: upper = highest high, lower = lowest low over the last
/// `period` bars, middle = (upper + lower) / 2. Lookback period - 1. A NaN
/// high/low is skipped; a window with no valid value gives NaN.
int donchian_lookback(int period);
int donchian(In high, In low, int period, Out upper, Out middle, Out lower);
/// Keltner channel: middle = ema(close, period), upper/lower = middle +/-
/// multiplier * atr(atr_period), both bit for bit.
/// Lookback max(period - 1, atr_period).
int keltner_lookback(int period, int atr_period);
int keltner(In high, In low, In close, int period, int atr_period, double multiplier, Out upper, Out middle,
            Out lower);
/// Hull moving average: WMA(2 * WMA(real, floor(n/2)) - WMA(real, n), floor(sqrt(n)))
/// with TA-Lib's WMA arithmetic. Lookback (n - 1) + (floor(sqrt(n)) - 1).
int hma_lookback(int period);
int hma(In real, int period, Out out);
/// Chaikin Money Flow: sum(MFM * volume) / sum(volume) over the last `period`
/// bars, MFM = ((close - low) - (high - close)) / (high - low), 0 when
/// high == low; 0 when the window's volume is 0. Lookback period - 1.
int cmf_lookback(int period);
int cmf(In high, In low, In close, In volume, int period, Out out);
/// Heikin-Ashi candles (lookback 0): ha_close = (O+H+L+C)/4, ha_open =
/// (ha_open[i-1] + ha_close[i-1])/2 seeded with (O[0]+C[0])/2, ha_high =
/// max(H, ha_open, ha_close), ha_low = min(L, ha_open, ha_close).
int heikinashi_lookback();
int heikinashi(In open, In high, In low, In close, Out ha_open, Out ha_high, Out ha_low, Out ha_close);
/// SuperTrend over TA-Lib's ATR(atr_period): basic bands (H+L)/2 +/- multiplier
/// * ATR, final-band recursion, `trend` = the lower final band in an uptrend
/// and the upper one in a downtrend, `direction` = +1 up / -1 down. The first
/// valid bar (lookback atr_period) is a downtrend on the basic bands.
int supertrend_lookback(int atr_period);
int supertrend(In high, In low, In close, int atr_period, double multiplier, Out trend, Out direction);
/// VWAP anchored at the first bar of the input: sum(tp * volume) / sum(volume)
/// over bars 0..i, tp = (H+L+C)/3; the bar's tp while the cumulative volume is 0.
/// Lookback 0. Over one session's intraday bars this is the session VWAP.
int vwap_lookback();
int vwap(In high, In low, In close, In volume, Out out);

// ---- First slice of the remaining TA-Lib functions (issue 5) ---------------
// Price transforms (lookback 0).
int avgprice(In open, In high, In low, In close, Out out);
int medprice(In high, In low, Out out);
int typprice(In high, In low, In close, Out out);
int wclprice(In high, In low, In close, Out out);
/// Element-wise math transforms and operators (lookback 0).
/// Outside a function's domain the result is NaN (ACOS/ASIN of |x| > 1, LN of
/// x < 0, ...) and EXP/COSH/SINH overflow to infinity, as TA-Lib's C calls.
/// CEIL, FLOOR and SQRT give TA-Lib's values bit for bit; the others come
/// from glibc's vector math library, within kVectorMathUlps of the scalar libm
/// values TA-Lib computes (a value never depends on its neighbours).
enum class MathFn : unsigned char {
  acos,
  asin,
  atan,
  ceil,
  cos,
  cosh,
  exp,
  floor,
  ln,
  log10,
  sin,
  sinh,
  sqrt,
  tan,
  tanh
};
/// Most units in the last place between a vector-math transform and libm's.
inline constexpr int kVectorMathUlps = 4;
/// True for the transforms that equal TA-Lib's bit for bit (ceil, floor, sqrt).
bool math_transform_is_exact(MathFn fn);
int math_transform(MathFn fn, In real, Out out);
enum class MathOp : unsigned char { add, sub, mult, div };
int math_operator(MathOp op, In real0, In real1, Out out);
// Window statistics.
int sum_lookback(int period);
int sum(In real, int period, Out out);
/// Lookback of MAX, MIN, MAXINDEX, MININDEX, MINMAX, MINMAXINDEX, MIDPOINT, MIDPRICE.
int minmax_lookback(int period);
int max(In real, int period, Out out);
int min(In real, int period, Out out);
/// Index outputs hold the absolute bar index (as a double) of the extreme.
int maxindex(In real, int period, Out out);
int minindex(In real, int period, Out out);
int minmax(In real, int period, Out min_out, Out max_out);
int minmaxindex(In real, int period, Out min_idx, Out max_idx);
int midpoint(In real, int period, Out out);
int midprice(In high, In low, int period, Out out);
int var_lookback(int period);  // also STDDEV
/// Population variance from running sums (TA-Lib ignores VAR's nbdev).
int var(In real, int period, Out out);
int stddev(In real, int period, double nbdev, Out out);
enum class LinRegOut : unsigned char { value, slope, intercept, angle, forecast };
int linearreg_lookback(int period);  // also TSF and the _SLOPE/_INTERCEPT/_ANGLE forms
int linearreg(In real, int period, LinRegOut what, Out out);
int correl_lookback(int period);
int correl(In real0, In real1, int period, Out out);
int beta_lookback(int period);
int beta(In real0, In real1, int period, Out out);
// Momentum and volume.
enum class RocKind : unsigned char { mom, roc, rocp, rocr, rocr100 };
int roc_lookback(int period);  // the whole family
int roc_family(In real, int period, RocKind kind, Out out);
int cmo_lookback(int period);
int cmo(In real, int period, Out out);
int bop(In open, In high, In low, In close, Out out);
int aroon_lookback(int period);  // also AROONOSC
int aroon(In high, In low, int period, Out down, Out up);
int aroonosc(In high, In low, int period, Out out);
int ad(In high, In low, In close, In volume, Out out);
int adosc_lookback(int fast, int slow);
int adosc(In high, In low, In close, In volume, int fast, int slow, Out out);
int adxr_lookback(int period);
int adxr(In high, In low, In close, int period, Out out);
/// DX; bars whose TR or +DI + -DI is ~0 repeat the previous DX (0 at the start), as in TA-Lib.
int dx_lookback(int period);
int dx(In high, In low, In close, int period, Out out);
/// Wilder-smoothed directional movement; the first output is the plain sum of
/// period-1 moves. Period 1: each bar's raw move (lookback 1).
int plus_dm_lookback(int period);
int plus_dm(In high, In low, int period, Out out);
int minus_dm_lookback(int period);
int minus_dm(In high, In low, int period, Out out);
/// STOCHF: fast %K and its MA (any matype). STOCHRSI: STOCHF over RSI(period).
int stochf_lookback(int fastk_period, int fastd_period, int fastd_matype);
int stochf(In high, In low, In close, int fastk_period, int fastd_period, int fastd_matype, Out fastk,
           Out fastd);
int stochrsi_lookback(int period, int fastk_period, int fastd_period, int fastd_matype);
int stochrsi(In real, int period, int fastk_period, int fastd_period, int fastd_matype, Out fastk, Out fastd);
int macdfix_lookback(int signal);
/// MACD 12/26 with TA-Lib's fixed smoothing factors 0.15 and 0.075.
int macdfix(In real, int signal, Out macd, Out signal_line, Out hist);
int macdext_lookback(int fast, int fast_matype, int slow, int slow_matype, int signal, int signal_matype);
/// MACD with a choice of MA per line (any matype, streamed).
int macdext(In real, int fast, int fast_matype, int slow, int slow_matype, int signal, int signal_matype,
            Out macd, Out signal_line, Out hist);
int t3_lookback(int period);
int t3(In real, int period, double vfactor, Out out);
int accbands_lookback(int period);
int accbands(In high, In low, In close, int period, Out upper, Out middle, Out lower);
int avgdev_lookback(int period);
int avgdev(In real, int period, Out out);
int imi_lookback(int period);
/// Intraday Momentum Index; NaN when every bar of the window is a doji (0/0), as in TA-Lib.
int imi(In open, In close, int period, Out out);
int trix_lookback(int period);
int trix(In real, int period, Out out);
int ultosc_lookback(int period1, int period2, int period3);
int ultosc(In high, In low, In close, int period1, int period2, int period3, Out out);
/// APO = MA(fast) - MA(slow); PPO = (MA(fast) - MA(slow)) / MA(slow) * 100.
/// Any matype; the periods are swapped when slow < fast, as in TA-Lib.
int apo_lookback(int fast, int slow, int matype);  // also PPO
int apo(In real, int fast, int slow, int matype, Out out);
int ppo(In real, int fast, int slow, int matype, Out out);
int sar_lookback();
int sar(In high, In low, double acceleration, double maximum, Out out);
struct SarExtParams {
  double start_value = 0.0;  // 0: direction from bar 1's -DM; > 0 start long there; < 0 start short at |v|
  double offset_on_reverse = 0.0;
  double accel_init_long = 0.02, accel_long = 0.02, accel_max_long = 0.2;
  double accel_init_short = 0.02, accel_short = 0.02, accel_max_short = 0.2;
};
/// SAREXT (lookback 1, like SAR): short positions are negative values.
int sarext(In high, In low, const SarExtParams& params, Out out);
// Hilbert-transform cycle indicators (lookback 32 or 63, as in TA-Lib).
int ht_dcperiod_lookback();
int ht_dcperiod(In real, Out out);
int ht_phasor_lookback();
int ht_phasor(In real, Out inphase, Out quadrature);
int ht_dcphase_lookback();
int ht_dcphase(In real, Out out);
int ht_sine_lookback();
int ht_sine(In real, Out sine, Out leadsine);
int ht_trendline_lookback();
int ht_trendline(In real, Out out);
int ht_trendmode_lookback();
/// 1 in a trend, 0 in a cycle (integer output).
int ht_trendmode(In real, Out out);
int mama_lookback();
/// MAMA and FAMA; fama may be an empty span.
int mama(In real, double fast_limit, double slow_limit, Out mama, Out fama);
int natr_lookback(int period);
/// ATR / close * 100 (0 when close is ~0); period 1 returns TRANGE, as TA-Lib does.
int natr(In high, In low, In close, int period, Out out);

// ---- Extras of issue 5's second slice -------------------------------------
/// Ichimoku Kinko Hyo (Hosoda; the usual 9/26/52/26 settings). With
/// mid(p, j) = (highest high + lowest low) / 2 over the p bars ending at bar j
/// and d = displacement, every output at bar i uses bars <= i only:
///   tenkan[i]   = mid(tenkan, i)                 conversion line
///   kijun[i]    = mid(kijun, i)                  base line
///   senkou_a[i] = (mid(tenkan, i-d) + mid(kijun, i-d)) / 2
///   senkou_b[i] = mid(senkou, i-d)
///   chikou[i]   = close[i]
/// Charts draw the leading spans d bars AHEAD of the bar that computes them;
/// here each cloud value sits at the bar where it is drawn, i.e. the cloud
/// in force at bar i (computed d bars earlier). The lagging span is drawn d
/// bars BEHIND: its value at bar i is the close of bar i (drawn at i - d), never
/// a later close. Lookback max(tenkan, kijun, senkou) - 1 + d (one begin index
/// for all outputs).
struct IchimokuOut {
  Out tenkan, kijun, senkou_a, senkou_b, chikou;
};
int ichimoku_lookback(int tenkan, int kijun, int senkou, int displacement);
int ichimoku(In high, In low, In close, int tenkan, int kijun, int senkou, int displacement,
             const IchimokuOut& out);
/// ZigZag with a percent-deviation threshold, as confirmed pivots (no
/// repainting: a bar's outputs depend only on bars <= i). A leg's extreme is a
/// candidate pivot; it is confirmed when price reverses from it by `deviation`
/// percent (high >= low_extreme * (1 + deviation/100) after a down leg, low <=
/// high_extreme * (1 - deviation/100) after an up leg). On a bar that extends
/// the leg, no reversal is checked (the order of high and low inside a bar is
/// unknown). Before the first pivot, the highest high and lowest low since bar
/// 0 are both candidates; if one bar confirms both, the older one wins.
/// Outputs at bar i: pivot = the last confirmed pivot's price (bar 0's close
/// until one is confirmed), direction = +1 when that pivot is a low (an up leg
/// is in progress), -1 when it is a high, 0 before the first pivot;
/// pivot_index = its absolute bar index (0 before the first pivot). Lookback 0.
int zigzag(In high, In low, In close, double deviation, Out pivot, Out direction, Out pivot_index);
/// Anchored VWAP: VWAP (see vwap()) accumulated from bar `anchor` of the input
/// on; lookback `anchor`. AVWAP(anchor=0) equals VWAP.
int avwap_lookback(int anchor);
int avwap(In high, In low, In close, In volume, int anchor, Out out);

// ---- MAVP (issue 5) ---------------------------------------------------------
/// TA-Lib's MAVP: a moving average whose period changes bar by bar.
/// period(i) = (int)periods[i] clamped to [minperiod, maxperiod]; a NaN or a
/// value outside int's range reads as INT_MIN (what TA-Lib's C cast yields on
/// x86) and so becomes minperiod. The value at bar i is MA(period(i), matype)
/// as TA_MA computes it with startIdx = the lookback L = ma_lookback(maxperiod,
/// matype): that MA starts L - ma_lookback(period(i), matype) bars in, so each
/// period's running sums and seeds begin at a fixed bar, whatever the bars
/// before i chose. Requires minperiod <= maxperiod (parse_call checks it).
/// One scratch column of n values and one flag per period are allocated per
/// call (TA-Lib allocates the same); cost O(n) per distinct period used.
int mavp_period(double period, int minperiod, int maxperiod);
int mavp_lookback(int minperiod, int maxperiod, int matype);
int mavp(In real, In periods, int minperiod, int maxperiod, int matype, Out out);

}  // namespace ts::ta
