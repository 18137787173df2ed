#pragma once
// Internal (not a public header): the Hilbert-transform state machines of the
// cycle indicators (Ehlers, as implemented by TA-Lib): HT_DCPERIOD,
// HT_DCPHASE, HT_PHASOR, HT_SINE, HT_TRENDLINE, HT_TRENDMODE and MAMA. Each
// indicator is one fixed-size state with push(x, out), fed bars from 0 in
// order; the batch kernels (cycle.cpp) loop over it and the streams (also
// cycle.cpp; MA's MAMA in overlap.cpp) keep one, so both run the same operations. TA-Lib starts the
// machine at bar 0 and emits from bar 32 (63 for the functions that need 50
// bars of smoothed prices). No allocation; a state is a few hundred doubles,
// so a stream peeks on a copy.
#include <cmath>
#include <cstddef>

namespace ts::ta::detail::ht {

using std::size_t;

constexpr double kA = 0.0962;
constexpr double kB = 0.5769;
constexpr size_t kSmoothSize = 50;

/// One Hilbert transform with TA-Lib's separate even/odd-bar histories: the
/// scalars here, the 3-slot history rings (one per parity) passed in.
struct Hilbert {
  double prev[2] = {0, 0};
  double prev_input[2] = {0, 0};
  double value = 0.0;

  template <class Ar>
  void persist(Ar& ar) {
    ar(prev, prev_input, value);
  }
  template <int kOdd>
  void step(double* ring, int slot, double input, double adjust) {
    const double t = kA * input;
    double v = -ring[slot];
    ring[slot] = t;
    v += t;
    v -= prev[kOdd];
    prev[kOdd] = kB * prev_input[kOdd];
    v += prev[kOdd];
    prev_input[kOdd] = input;
    value = v * adjust;
  }
};

/// The Hilbert rings of the four transforms: [transform][odd][slot].
using HilbertRings = double[4][2][3];

/// The shared core's per-bar scalars: the price WMA, the four transforms'
/// scalars, the homodyne discriminator and the period smoothing. A plain
/// struct without arrays indexed at run time, so the batch loop keeps a
/// local copy of it in registers (TA-Lib keeps these as locals).
struct HtRegs {
  double smoothed = 0.0;
  double q1 = 0.0;
  double i1 = 0.0;
  double period = 0.0;
  double smooth_period = 0.0;
  double wma_sub = 0.0;
  double wma_sum = 0.0;
  double trailing_value = 0.0;
  Hilbert detrender, q1h, ji, jq;
  int slot = 0;
  double prev_i2 = 0.0;
  double prev_q2 = 0.0;
  double re = 0.0;
  double im = 0.0;
  double i1_odd_prev3 = 0.0;
  double i1_even_prev3 = 0.0;
  double i1_odd_prev2 = 0.0;
  double i1_even_prev2 = 0.0;

  template <class Ar>
  void persist(Ar& ar) {
    ar(smoothed, q1, i1, period, smooth_period, wma_sub, wma_sum, trailing_value, detrender, q1h, ji, jq, slot,
       prev_i2, prev_q2, re, im, i1_odd_prev3, i1_even_prev3, i1_odd_prev2, i1_even_prev2);
  }
  static double rad2deg() { return 45.0 / std::atan(1.0); }

  // One full step for a bar of parity kOdd (TA-Lib's even/odd branches).
  template <int kOdd>
  void step(HilbertRings& rings, double v, double x_minus_3) {
    const double adjust = (0.075 * period) + 0.54;
    smoothed = price_wma(v, x_minus_3);
    detrender.step<kOdd>(rings[0][kOdd], slot, smoothed, adjust);
    q1h.step<kOdd>(rings[1][kOdd], slot, detrender.value, adjust);
    i1 = kOdd ? i1_odd_prev3 : i1_even_prev3;
    ji.step<kOdd>(rings[2][kOdd], slot, i1, adjust);
    jq.step<kOdd>(rings[3][kOdd], slot, q1h.value, adjust);
    if (!kOdd && ++slot == 3) slot = 0;
    const double q2 = (0.2 * (q1h.value + ji.value)) + (0.8 * prev_q2);
    const double i2 = (0.2 * (i1 - jq.value)) + (0.8 * prev_i2);
    if (kOdd) {
      i1_even_prev3 = i1_even_prev2;
      i1_even_prev2 = detrender.value;
    } else {
      i1_odd_prev3 = i1_odd_prev2;
      i1_odd_prev2 = detrender.value;
    }
    q1 = q1h.value;
    re = (0.2 * ((i2 * prev_i2) + (q2 * prev_q2))) + (0.8 * re);
    im = (0.2 * ((i2 * prev_q2) - (q2 * prev_i2))) + (0.8 * im);
    prev_q2 = q2;
    prev_i2 = i2;
    const double last = period;
    if (im != 0.0 && re != 0.0) period = 360.0 / (std::atan(im / re) * rad2deg());
    double bound = 1.5 * last;
    if (period > bound) period = bound;
    bound = 0.67 * last;
    if (period < bound) period = bound;
    if (period < 6)
      period = 6;
    else if (period > 50)
      period = 50;
    period = (0.2 * period) + (0.8 * last);
    smooth_period = (0.33 * period) + (0.67 * smooth_period);
  }
  // The price WMA: x[i-3] enters trailing_value one bar late, as TA-Lib's.
  double price_wma(double v, double x_minus_3) {
    wma_sub += v;
    wma_sub -= trailing_value;
    wma_sum += v * 4.0;
    trailing_value = x_minus_3;
    const double out = wma_sum * 0.1;
    wma_sum -= wma_sub;
    return out;
  }
};

/// The shared core: a 4-bar WMA of the price, Hilbert transforms kept
/// separately for even and odd bars (3-slot rings), the homodyne
/// discriminator and the period smoothing.
class HtCore {
 public:
  /// `warmup`: bars after the first three that only feed the price WMA.
  explicit HtCore(int warmup) : warmup_(static_cast<size_t>(warmup)) {}

  /// Feeds bar today(); true when the full step ran, regs() then describes
  /// this bar. Afterwards today() is the next bar.
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(warmup_);
    ar(today_, last3_, r_, rings_);
    ar.check(r_.slot >= 0 && r_.slot < 3, "Hilbert ring slot outside the ring");
  }
  bool push(double v) {
    const size_t i = today_;
    bool stepped = false;
    if (i == 0) {
      r_.wma_sub = v;
      r_.wma_sum = v;
    } else if (i < 3) {
      r_.wma_sub += v;
      r_.wma_sum += v * static_cast<double>(i + 1);
    } else if (i < 3 + warmup_) {
      r_.price_wma(v, last3_[i % 3]);
    } else {
      if (i % 2 == 0)
        r_.step<0>(rings_, v, last3_[i % 3]);
      else
        r_.step<1>(rings_, v, last3_[i % 3]);
      stepped = true;
    }
    last3_[i % 3] = v;
    ++today_;
    return stepped;
  }
  size_t today() const { return today_; }
  const HtRegs& regs() const { return r_; }

  /// The batch form of push() over x[0..n), from a fresh state: the same
  /// operations on every bar, but the full steps run on a local copy of the
  /// scalars (registers, not memory), without the per-bar phase tests, with
  /// the bar's parity fixed (two bars per turn) and x[i - 3] read from the
  /// input. Calls bar(i, regs) after the full step of each bar i. The state
  /// is spent afterwards (push() must not follow).
  template <class Bar>
  void run(const double* x, size_t n, Bar&& bar) {
    size_t i = today_;
    const size_t warm = n < 3 + warmup_ ? n : 3 + warmup_;
    for (; i < warm; ++i) push(x[i]);
    HtRegs r = r_;
    if (i < n && i % 2 == 1) {
      r.step<1>(rings_, x[i], x[i - 3]);
      bar(i, r);
      ++i;
    }
    for (; i + 1 < n; i += 2) {
      r.step<0>(rings_, x[i], x[i - 3]);
      bar(i, r);
      r.step<1>(rings_, x[i + 1], x[i - 2]);
      bar(i + 1, r);
    }
    if (i < n) {
      r.step<0>(rings_, x[i], x[i - 3]);
      bar(i, r);
      ++i;
    }
    r_ = r;
    today_ = i;
  }

 private:
  size_t warmup_;
  size_t today_ = 0;
  double last3_[3] = {0, 0, 0};  // x[i - 3] sits at slot i % 3 until bar i overwrites it
  HtRegs r_;
  HilbertRings rings_ = {};
};

/// sin and cos of the DC phase loop's angles, i * 2pi / n for 0 <= i < n, for
/// every loop length n in 1..kSmoothSize. Each entry is computed once with
/// the same libm call on the same argument as the loop, so it holds exactly
/// the value TA-Lib computes on every bar (those calls were 99% of
/// HT_DCPHASE, HT_SINE and HT_TRENDMODE). 20 KB, built on first use
/// (thread-safe: a function-local static).
class DftAngles {
 public:
  static double two_pi() { return std::atan(1.0) * 8.0; }  // TA-Lib's constDeg2RadBy360
  static double angle(int i, int n) { return (static_cast<double>(i) * two_pi()) / static_cast<double>(n); }
  static const DftAngles& get() {
    static const DftAngles table;
    return table;
  }
  /// The n entries of loop length n (1 <= n <= kSmoothSize).
  const double* sin_row(int n) const { return sin_ + row(n); }
  const double* cos_row(int n) const { return cos_ + row(n); }

 private:
  static constexpr size_t kEntries = kSmoothSize * (kSmoothSize + 1) / 2;
  static size_t row(int n) { return static_cast<size_t>(n - 1) * static_cast<size_t>(n) / 2; }
  DftAngles() {
    for (int n = 1; n <= static_cast<int>(kSmoothSize); ++n) {
      for (int i = 0; i < n; ++i) {
        sin_[row(n) + static_cast<size_t>(i)] = std::sin(angle(i, n));
        cos_[row(n) + static_cast<size_t>(i)] = std::cos(angle(i, n));
      }
    }
  }
  double sin_[kEntries];
  double cos_[kEntries];
};

/// The last 50 smoothed prices (TA-Lib's circular buffer) and the dominant
/// cycle phase computed from them.
/// TA-Lib's (int)(smooth_period + 0.5), defined for every input: the period
/// is clamped to [6, 50] before it is smoothed, so a value outside [1, 50]
/// comes only from NaN input or a corrupt restored state, and both read as 0
/// (TA-Lib's loops then add nothing; the plain cast would be undefined).
inline int rounded_period(double smooth_period) {
  const double r = smooth_period + 0.5;
  return r >= 1.0 && r < static_cast<double>(kSmoothSize) + 1.0 ? static_cast<int>(r) : 0;
}

class DcPhase {
 public:
  template <class Ar>
  void persist(Ar& ar) {
    ar(ring_, idx_, phase_);
    ar.check(idx_ < kSmoothSize, "DC phase ring position outside the ring");
  }
  void store(double smoothed) { ring_[idx_] = smoothed; }
  double current() const { return ring_[idx_]; }
  void next() { idx_ = idx_ + 1 == kSmoothSize ? 0 : idx_ + 1; }

  /// Updates and returns the DC phase for the current bar.
  double update(double smooth_period) {
    const int n = rounded_period(smooth_period);
    double real_part = 0.0;
    double imag_part = 0.0;
    size_t idx = idx_;
    // n is at most 50 (the period is clamped to [6, 50] before it is
    // smoothed); a NaN input makes it INT_MIN, and TA-Lib's loop then adds
    // nothing, as here.
    if (n >= 1 && n <= static_cast<int>(kSmoothSize)) {
      const double* sines = angles_->sin_row(n);
      const double* cosines = angles_->cos_row(n);
      for (int i = 0; i < n; ++i) {
        const double v = ring_[idx];
        real_part += sines[i] * v;
        imag_part += cosines[i] * v;
        idx = idx == 0 ? kSmoothSize - 1 : idx - 1;
      }
    }
    const double mag = std::fabs(imag_part);
    if (mag > 0.0) {
      phase_ = std::atan(real_part / imag_part) * HtRegs::rad2deg();
    } else if (mag <= 0.01) {
      if (real_part < 0.0)
        phase_ -= 90.0;
      else if (real_part > 0.0)
        phase_ += 90.0;
    }
    phase_ += 90.0;
    phase_ += 360.0 / smooth_period;
    if (imag_part < 0.0) phase_ += 180.0;
    if (phase_ > 315.0) phase_ -= 360.0;
    return phase_;
  }
  double phase() const { return phase_; }

 private:
  const DftAngles* angles_ = &DftAngles::get();
  double ring_[kSmoothSize] = {};
  size_t idx_ = 0;
  double phase_ = 0.0;
};

/// Mean of the last int(smooth_period + 0.5) inputs (at most 50, kept in a
/// ring), then TA-Lib's 4-3-2-1 weighting with the three previous means.
struct Trendline {
  static constexpr size_t kRing = 64;
  double xs[kRing] = {};
  double t1 = 0.0, t2 = 0.0, t3 = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(xs, t1, t2, t3);
  }
  void remember(size_t today, double x) { xs[today % kRing] = x; }
  /// The inputs come from src[j & mask]: the ring (mask kRing - 1) in a
  /// stream, the whole input (mask ~0) in a batch.
  double update(size_t today, double smooth_period, const double* src, size_t mask) {
    return line(mean(today, smooth_period, src, mask));
  }
  static double mean(size_t today, double smooth_period, const double* src, size_t mask) {
    const int n = rounded_period(smooth_period);
    double mean = 0.0;
    // TA-Lib reads x[today - n + 1 .. today]; n never exceeds today + 1 on
    // its own warm-up, but guard the start of the series anyway.
    for (int i = 0; i < n && static_cast<size_t>(i) <= today; ++i)
      mean += src[(today - static_cast<size_t>(i)) & mask];
    if (n > 0) mean = mean / static_cast<double>(n);
    return mean;
  }
  /// TA-Lib's 4-3-2-1 weighting of this mean with the three before it.
  double line(double mean) {
    const double line = (4.0 * mean + 3.0 * t1 + 2.0 * t2 + t3) / 10.0;
    t3 = t2;
    t2 = t1;
    t1 = mean;
    return line;
  }
};

inline constexpr size_t kShortLookback = 32;  // HT_DCPERIOD, HT_PHASOR, MAMA
inline constexpr size_t kLongLookback = 63;   // HT_DCPHASE, HT_SINE, HT_TRENDLINE, HT_TRENDMODE

/// HT_DCPERIOD (1 output) and HT_PHASOR (inphase, quadrature).
template <bool kPhasor>
struct DcPeriodState {
  HtCore core{9};
  bool push(double x, double* out) {
    const size_t i = core.today();
    return core.push(x) && emit(i, core.regs(), out);
  }
  /// Batch: out(i, values) for every bar from the lookback on (see HtCore::run).
  template <class Ar>
  void persist(Ar& ar) {
    ar(core);
  }
  template <class Out>
  void run(const double* x, size_t n, Out&& out) {
    double v[2];
    core.run(x, n, [&](size_t i, const HtRegs& r) {
      if (emit(i, r, v)) out(i, v);
    });
  }

 private:
  static bool emit(size_t i, const HtRegs& r, double* out) {
    if (i < kShortLookback) return false;
    if constexpr (kPhasor) {
      out[0] = r.i1;
      out[1] = r.q1;
    } else {
      out[0] = r.smooth_period;
    }
    return true;
  }
};

enum class PhaseOut : unsigned char { phase, sine, trendline, trendmode };

/// HT_DCPHASE, HT_SINE (sine, leadsine), HT_TRENDLINE and HT_TRENDMODE.
template <PhaseOut kOut>
struct PhaseState {
  HtCore core{34};
  DcPhase dc;
  Trendline trend;
  double sine = 0.0, lead = 0.0;
  int days_in_trend = 0;
  bool push(double x, double* out) {
    const size_t i = core.today();
    trend.remember(i, x);
    return core.push(x) && emit(i, core.regs(), trend.xs, Trendline::kRing - 1, out);
  }
  /// Batch: out(i, values) for every bar from the lookback on (see
  /// HtCore::run); the trendline reads the input itself.
  template <class Ar>
  void persist(Ar& ar) {
    ar(core, dc, trend, sine, lead, days_in_trend);
  }
  template <class Out>
  void run(const double* x, size_t n, Out&& out) {
    double v[2];
    if constexpr (kOut == PhaseOut::trendline) {
      // Each bar's mean (a loop of up to 50 adds) waits for that bar's period
      // at the end of the Hilbert chain. Collected per block and summed
      // afterwards, the means of consecutive bars overlap each other instead
      // of stalling the chain (same operations, same order).
      constexpr size_t kBlock = 256;
      size_t bars[kBlock];
      double periods[kBlock];
      size_t count = 0;
      auto flush = [&] {
        for (size_t k = 0; k < count; ++k) {
          v[0] = trend.line(Trendline::mean(bars[k], periods[k], x, ~size_t{0}));
          if (bars[k] >= kLongLookback) out(bars[k], v);
        }
        count = 0;
      };
      core.run(x, n, [&](size_t i, const HtRegs& r) {
        bars[count] = i;
        periods[count] = r.smooth_period;
        if (++count == kBlock) flush();
      });
      flush();
    } else {
      core.run(x, n, [&](size_t i, const HtRegs& r) {
        if (emit(i, r, x, ~size_t{0}, v)) out(i, v);
      });
    }
  }

 private:
  // The work after the full step of bar i; `src`/`mask` as Trendline::update.
  bool emit(size_t i, const HtRegs& r, const double* src, size_t mask, double* out) {
    const double deg2rad = 1.0 / HtRegs::rad2deg();
    const double sp = r.smooth_period;
    double value = 0.0, value2 = 0.0;
    if constexpr (kOut == PhaseOut::trendline) {
      value = trend.update(i, sp, src, mask);
    } else {
      dc.store(r.smoothed);
      const double prev_phase = dc.phase();
      const double phase = dc.update(sp);
      if constexpr (kOut == PhaseOut::phase) {
        value = phase;
      } else if constexpr (kOut == PhaseOut::sine) {
        value = std::sin(phase * deg2rad);
        value2 = std::sin((phase + 45) * deg2rad);
      } else {
        const double prev_sine = sine;
        const double prev_lead = lead;
        sine = std::sin(phase * deg2rad);
        lead = std::sin((phase + 45) * deg2rad);
        const double line = trend.update(i, sp, src, mask);
        int mode = 1;
        if ((sine > lead && prev_sine <= prev_lead) || (sine < lead && prev_sine >= prev_lead)) {
          days_in_trend = 0;
          mode = 0;
        }
        ++days_in_trend;
        if (days_in_trend < 0.5 * sp) mode = 0;
        const double dphase = phase - prev_phase;
        if (sp != 0.0 && dphase > (0.67 * 360.0 / sp) && dphase < (1.5 * 360.0 / sp)) mode = 0;
        const double price = dc.current();
        if (line != 0.0 && std::fabs((price - line) / line) >= 0.015) mode = 1;
        value = mode;
      }
      dc.next();
    }
    if (i < kLongLookback) return false;
    out[0] = value;
    if constexpr (kOut == PhaseOut::sine) out[1] = value2;
    return true;
  }
};

/// MAMA and FAMA: alpha = fastlimit / (phase change), bounded by slowlimit,
/// from the Hilbert phasor's phase; FAMA follows MAMA with alpha / 2.
struct MamaState {
  HtCore core{9};
  double fast_limit, slow_limit;
  double m = 0.0, f = 0.0, prev_phase = 0.0;
  MamaState(double fast, double slow) : fast_limit(fast), slow_limit(slow) {}
  bool push(double x, double* out) {
    const size_t i = core.today();
    return core.push(x) && emit(i, core.regs(), x, out);
  }
  /// Batch: out(i, values) for every bar from the lookback on (see HtCore::run).
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(fast_limit, slow_limit);
    ar(core, m, f, prev_phase);
  }
  template <class Out>
  void run(const double* x, size_t n, Out&& out) {
    double v[2];
    core.run(x, n, [&](size_t i, const HtRegs& r) {
      if (emit(i, r, x[i], v)) out(i, v);
    });
  }

 private:
  bool emit(size_t i, const HtRegs& r, double x, double* out) {
    const double phase = r.i1 != 0.0 ? std::atan(r.q1 / r.i1) * HtRegs::rad2deg() : 0.0;
    double alpha = prev_phase - phase;
    prev_phase = phase;
    if (alpha < 1.0) alpha = 1.0;
    if (alpha > 1.0) {
      alpha = fast_limit / alpha;
      if (alpha < slow_limit) alpha = slow_limit;
    } else {
      alpha = fast_limit;
    }
    m = (alpha * x) + ((1 - alpha) * m);
    alpha *= 0.5;
    f = (alpha * m) + ((1 - alpha) * f);
    if (i < kShortLookback) return false;
    out[0] = m;
    out[1] = f;
    return true;
  }
};

}  // namespace ts::ta::detail::ht
