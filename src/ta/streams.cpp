// Streaming forms. Each stream replays its batch kernel's floating-point
// operations in the same order (same seeds, same running sums, same Wilder
// updates), which is what makes its outputs bit-identical to the batch ones;
// the comment on each stream names the kernel it mirrors. State that changes
// per bar is computed into locals first and stored only when `commit` is set,
// so peek() is the same code path as update() minus the final stores.
#include "ta/streams.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "ta/cycle_state.hpp"
#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_state.hpp"

namespace ts::ta::streams {
namespace {

using detail::is_zero;
using std::size_t;

int as_int(double v) { return static_cast<int>(v); }

/// The last n values pushed; oldest() is the value pushed n pushes ago.
/// Allocated once (n doubles).
class Lag {
 public:
  explicit Lag(size_t n) : buf_(n == 0 ? 1 : n, 0.0) {}
  double oldest() const { return buf_[pos_]; }
  /// The value pushed k pushes ago, 1 <= k <= n.
  double ago(size_t k) const { return buf_[pos_ >= k ? pos_ - k : pos_ + buf_.size() - k]; }
  void push(double x) {
    buf_[pos_] = x;
    pos_ = pos_ + 1 == buf_.size() ? 0 : pos_ + 1;
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar(buf_, pos_);
    ar.check(pos_ < buf_.size(), "ring position outside the ring");
  }

 private:
  std::vector<double> buf_;
  size_t pos_ = 0;
};

/// TA-Lib's INT_SMA / SUM running total (sma_impl, sum, StreamMa's SMA): add
/// the newest value, use the total, then subtract the oldest value.
class WindowSum {
 public:
  WindowSum(int period, bool divide) : lb_(period - 1), p_(period), divide_(divide), lag_(lb_) {}
  bool step(double x, double& out, bool commit) {
    double total = total_ + x;
    if (count_ < lb_) {
      if (commit) {
        total_ = total;
        lag_.push(x);
        ++count_;
      }
      return false;
    }
    out = divide_ ? total / p_ : total;
    total -= lag_.oldest();
    if (commit) {
      total_ = total;
      lag_.push(x);
    }
    return true;
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb_, p_, divide_);
    ar(lag_, count_, total_);
  }

 private:
  int lb_;
  double p_;
  bool divide_;
  Lag lag_;
  int count_ = 0;
  double total_ = 0.0;
};

using detail::EmaCore;

/// detail::StreamMa with a commit flag: copy (period <= 1), SMA, EMA, or for
/// matype 2-8 MA's own stream over the values (peek when not committing).
class MaCore {
 public:
  MaCore(int period, int matype)
      : copy_(period <= 1),
        ema_(matype == 1),
        sma_(std::max(period, 2), true),
        e_(std::max(period, 1), detail::per_to_k(period)),
        other_(period > 1 && matype > 1 ? other(period, matype) : nullptr) {}
  bool step(double x, double& out, bool commit) {
    if (copy_) {
      out = x;
      return true;
    }
    if (other_ != nullptr) {
      StreamBar bar;
      bar.real0 = x;
      const std::span<double> one(&out, 1);
      return commit ? other_->update(bar, one) : other_->peek(bar, one);
    }
    return ema_ ? e_.step(x, out, commit) : sma_.step(x, out, commit);
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(copy_, ema_);
    ar(sma_, e_, other_);
  }

 private:
  static std::unique_ptr<Stream> other(int period, int matype) {
    const double options[] = {static_cast<double>(period), static_cast<double>(matype)};
    return ma(options);
  }
  bool copy_;
  bool ema_;
  WindowSum sma_;
  EmaCore e_;
  std::unique_ptr<Stream> other_;
};

/// Sliding-window extreme by a monotonic deque: O(1) amortised per bar, one
/// allocation of `period` entries. The extreme VALUE equals what the batch
/// kernels' scans find for NaN-free windows (a max/min does not depend on the
/// scan order); NaN inputs are outside this equality (the batch kernels then
/// reproduce TA-Lib's index-tracking scan, whose NaN results depend on it).
template <bool kMax>
class MonoDeque {
 public:
  explicit MonoDeque(int period) : p_(static_cast<size_t>(period)), val_(p_), idx_(p_) {}
  /// The extreme of the window ending at bar i, whose value is x.
  double extreme(double x, std::uint64_t i) const {
    size_t k = (size_ > 0 && expired(idx_[head_], i)) ? 1 : 0;
    if (k >= size_) return x;
    const double f = val_[wrap(head_ + k)];
    return better(x, f) ? x : f;
  }
  /// The bar index of that extreme; a tie goes to the LATEST bar (the deque
  /// keeps only the latest of equal values, and a new equal value wins).
  std::uint64_t extreme_index(double x, std::uint64_t i) const {
    size_t k = (size_ > 0 && expired(idx_[head_], i)) ? 1 : 0;
    if (k >= size_) return i;
    const size_t at = wrap(head_ + k);
    return better(val_[at], x) ? idx_[at] : i;
  }
  void push(double x, std::uint64_t i) {
    if (size_ > 0 && expired(idx_[head_], i)) {
      head_ = wrap(head_ + 1);
      --size_;
    }
    while (size_ > 0 && !better(val_[wrap(head_ + size_ - 1)], x)) --size_;
    if (size_ == p_) {
      // Never taken for a deque built by push(): its indices are distinct and
      // newer than i - p, so at most p - 1 remain. A restored deque with
      // corrupt indices can be full here; dropping its head keeps the ring
      // in bounds (its values are then wrong, never out of memory).
      head_ = wrap(head_ + 1);
      --size_;
    }
    const size_t at = wrap(head_ + size_);
    val_[at] = x;
    idx_[at] = i;
    ++size_;
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p_);
    ar(val_, idx_, head_, size_);
    ar.check(p_ == val_.size() && head_ < p_ && size_ <= p_, "deque position outside the ring");
  }

 private:
  static bool better(double a, double b) { return kMax ? a > b : a < b; }
  bool expired(std::uint64_t j, std::uint64_t i) const { return j + p_ <= i; }
  size_t wrap(size_t k) const { return k >= p_ ? k - p_ : k; }

  size_t p_;
  std::vector<double> val_;
  std::vector<std::uint64_t> idx_;
  size_t head_ = 0;
  size_t size_ = 0;
};

/// Highest high and lowest low over the last `period` bars (valid from bar period-1).
class HighLow {
 public:
  explicit HighLow(int period) : lb_(static_cast<std::uint64_t>(period - 1)), hi_(period), lo_(period) {}
  bool step(double high, double low, double& highest, double& lowest, bool commit) {
    highest = hi_.extreme(high, i_);
    lowest = lo_.extreme(low, i_);
    const bool valid = i_ >= lb_;
    if (commit) {
      hi_.push(high, i_);
      lo_.push(low, i_);
      ++i_;
    }
    return valid;
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb_);
    ar(i_, hi_, lo_);
  }

 private:
  std::uint64_t lb_;
  std::uint64_t i_ = 0;
  MonoDeque<true> hi_;
  MonoDeque<false> lo_;
};

/// A Stream whose state is one core object: step forwards to Fn.
template <class Core>
class CoreStream final : public Stream {
 public:
  explicit CoreStream(Core core) : core_(std::move(core)) {}

 protected:
  bool step(const StreamBar& bar, double* out, bool commit) override { return core_.step(bar, out, commit); }
  // Every core lists its fields in persist() (stream_state.hpp); a core
  // without one does not compile here.
  bool save_fields(detail::StateWriter& w) const override {
    const_cast<Core&>(core_).persist(w);  // persist() serves both directions; the writer only reads
    return true;
  }
  bool restore_fields(detail::StateReader& r) override {
    core_.persist(r);
    return true;
  }

 private:
  Core core_;
};

template <class Core, class... Args>
std::unique_ptr<Stream> make(Args&&... args) {
  return std::make_unique<CoreStream<Core>>(Core{std::forward<Args>(args)...});
}

// ---- Generic small-window re-run -------------------------------------------

class WindowRerun final : public Stream {
 public:
  WindowRerun(BatchFn batch, int window, size_t outputs, Opts options)
      : batch_(batch),
        w_(static_cast<size_t>(window)),
        outputs_(outputs),
        options_(options.begin(), options.end()),
        past_(w_ > 1 ? w_ - 1 : 1),
        cols_(7 * w_),
        res_(outputs * w_),
        outs_(outputs) {
    for (size_t k = 0; k < outputs_; ++k) outs_[k] = std::span<double>(res_.data() + k * w_, w_);
  }

 protected:
  bool step(const StreamBar& bar, double* out, bool commit) override {
    const size_t have = std::min(count_, w_ - 1);
    bool valid = false;
    if (have + 1 == w_) {
      // Oldest first: past_ is a ring whose oldest entry sits at head_.
      for (size_t k = 0; k < have; ++k) fill(k, past_[(head_ + k) % past_.size()]);
      fill(have, bar);
      auto col = [&](size_t c) { return std::span<const double>(cols_.data() + c * w_, w_); };
      const Inputs in{col(0), col(1), col(2), col(3), col(4), col(5), col(6), w_};
      const int begin = batch_(in, options_, outs_);
      valid = static_cast<size_t>(begin) < w_;
      if (valid)
        for (size_t k = 0; k < outputs_; ++k) out[k] = res_[k * w_ + w_ - 1];
    }
    if (commit && w_ > 1) {
      if (count_ < w_ - 1) {
        past_[count_++] = bar;
      } else {
        past_[head_] = bar;
        head_ = head_ + 1 == past_.size() ? 0 : head_ + 1;
      }
    }
    return valid;
  }
  bool save_fields(detail::StateWriter& w) const override {
    w(const_cast<std::vector<StreamBar>&>(past_), const_cast<size_t&>(head_), const_cast<size_t&>(count_));
    return true;
  }
  bool restore_fields(detail::StateReader& r) override {
    r(past_, head_, count_);
    r.check(head_ < past_.size() && count_ <= past_.size(), "ring position outside the ring");
    return true;
  }

 private:
  void fill(size_t k, const StreamBar& b) {
    const double v[7] = {b.open, b.high, b.low, b.close, b.volume, b.real0, b.real1};
    for (size_t c = 0; c < 7; ++c) cols_[c * w_ + k] = v[c];
  }

  BatchFn batch_;
  size_t w_;
  size_t outputs_;
  std::vector<double> options_;
  std::vector<StreamBar> past_;  // the last w_-1 bars
  size_t head_ = 0;
  size_t count_ = 0;  // bars kept, up to w_-1
  // Scratch for the re-run (allocated once; not thread-safe, like every Stream).
  std::vector<double> cols_, res_;
  std::vector<std::span<double>> outs_;
};

// ---- Moving averages ---------------------------------------------------------

/// SMA (period >= 2) or SUM over real0.
struct SumCore {
  WindowSum s;
  template <class Ar>
  void persist(Ar& ar) {
    ar(s);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return s.step(b.real0, out[0], commit); }
};
/// EMA / MA over real0.
struct MaStreamCore {
  MaCore m;
  template <class Ar>
  void persist(Ar& ar) {
    ar(m);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return m.step(b.real0, out[0], commit); }
};

/// ema(): TA-Lib's seed, then detail::EmaTwoStep (e[i] from e[i-2]).
struct EmaTwoStepCore {
  int period;
  detail::EmaTwoStep w;
  int count = 0;  // values seen, capped at period + 1
  double sum = 0.0;
  double e1 = 0.0, e2 = 0.0;  // e[i-1], e[i-2]
  double x1 = 0.0;            // x[i-1]
  explicit EmaTwoStepCore(int n) : period(n), w(n) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period);
    ar(w, count, sum, e1, e2, x1);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return step_value(b.real0, out[0], commit); }
  bool step_value(double x, double& out, bool commit) {
    double e;
    if (count < period) {
      const double s = sum + x;
      if (count + 1 < period) {
        if (commit) {
          sum = s;
          ++count;
        }
        return false;
      }
      e = s / period;
      if (commit) sum = s;
    } else {
      e = count == period ? w.first(e1, x) : w.next(e2, x, x1);
    }
    out = e;
    if (commit) {
      e2 = e1;
      e1 = e;
      x1 = x;
      count = std::min(count + 1, period + 1);
    }
    return true;
  }
};

/// bbands_ma() with matype 0/1: x and x^2 running sums (added, used, then the
/// oldest subtracted), mean of squares minus squared mean, EMA or SMA middle.
struct BbandsCore {
  int lb;
  double p;
  double up_k, dn_k;
  bool use_ema;
  EmaCore ema;
  Lag lag;
  int count = 0;
  double total1 = 0.0, total2 = 0.0;
  BbandsCore(int period, double up, double dn, int matype)
      : lb(period - 1),
        p(period),
        up_k(up),
        dn_k(dn),
        use_ema(matype == 1),
        ema(period, detail::per_to_k(period)),
        lag(static_cast<size_t>(period - 1)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, p, up_k, dn_k, use_ema);
    ar(ema, lag, count, total1, total2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.real0;
    double t1 = total1 + v;
    double t2 = total2 + v * v;
    double m = 0.0;
    const bool has_ema = use_ema && ema.step(v, m, commit);
    (void)has_ema;
    if (count < lb) {
      if (commit) {
        total1 = t1;
        total2 = t2;
        lag.push(v);
        ++count;
      }
      return false;
    }
    const double mean1 = t1 / p;
    double mean2 = t2 / p;
    const double old = lag.oldest();
    t1 -= old;
    t2 -= old * old;
    mean2 -= mean1 * mean1;
    const double sd = detail::is_zero_or_neg(mean2) ? 0.0 : std::sqrt(mean2);
    if (!use_ema) m = mean1;
    out[0] = m + sd * up_k;
    out[1] = m;
    out[2] = m - sd * dn_k;
    if (commit) {
      total1 = t1;
      total2 = t2;
      lag.push(v);
    }
    return true;
  }
};

// ---- Momentum ------------------------------------------------------------------

/// Wilder averages of gains and losses seeded by the plain mean of the first
/// `period` changes. rsi(): detail::WilderSmoothing; cmo() and stochrsi():
/// TA-Lib's avg = (avg * (n-1) + x) / n (their outputs amplify last-bit
/// differences: CMO's gain - loss, STOCHRSI's range of near-equal RSIs).
struct RsiCore {
  enum class Form : unsigned char { rsi, stochrsi, cmo };
  int period;
  Form form;
  double p, pm1;
  detail::WilderSmoothing wilder;
  int count = 0;  // bars seen, capped at period + 1
  double prev = 0.0, gain = 0.0, loss = 0.0;
  RsiCore(int n, Form f) : period(n), form(f), p(n), pm1(n - 1), wilder(n) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, form, p, pm1);
    ar(wilder, count, prev, gain, loss);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0;
    if (count == 0) {
      if (commit) {
        prev = x;
        count = 1;
      }
      return false;
    }
    bool valid = true;
    double g = gain, l = loss;
    if (period == 1 && form != Form::cmo) {
      out[0] = x;
    } else {
      const double d = x - prev;
      const bool neg = d < 0;
      if (count > period && form == Form::rsi) {
        l = wilder.next(l, detail::keep_if(neg, -d));
        g = wilder.next(g, detail::keep_if(!neg, d));
      } else {
        if (count > period) {
          l *= pm1;
          g *= pm1;
        }
        l -= neg ? d : 0.0;
        g += neg ? 0.0 : d;
        if (count >= period) {
          l /= p;
          g /= p;
        }
      }
      if (count >= period) {
        const double s = g + l;
        out[0] = is_zero(s) ? 0.0 : 100.0 * ((form == Form::cmo ? g - l : g) / s);
      } else {
        valid = false;
      }
    }
    if (commit) {
      prev = x;
      gain = g;
      loss = l;
      count = std::min(count + 1, period + 1);
    }
    return valid;
  }
};

/// macd_impl(): slow EMA from bar 0, fast EMA from bar slow - fast (both seeded
/// at bar slow - 1), signal EMA over the MACD line (signal 1: the line itself).
struct MacdCore {
  int fast_start;
  bool plain_signal;
  int count = 0;  // bars seen, capped at fast_start
  EmaCore slow, fast, signal;
  MacdCore(int f, int s, int sig, double kf, double ks)
      : fast_start(s - f),
        plain_signal(sig <= 1),
        slow(s, ks),
        fast(f, kf),
        signal(std::max(sig, 1), detail::per_to_k(sig)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(fast_start, plain_signal);
    ar(count, slow, fast, signal);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0;
    double es = 0.0, ef = 0.0;
    const bool have_slow = slow.step(x, es, commit);
    const bool have_fast = count >= fast_start && fast.step(x, ef, commit);
    if (commit && count < fast_start) ++count;
    if (!have_slow || !have_fast) return false;
    const double m = ef - es;
    double sig = m;
    if (!plain_signal && !signal.step(m, sig, commit)) return false;
    out[0] = m;
    out[1] = sig;
    out[2] = m - sig;
    return true;
  }
};

/// The high/low window oscillators: fast %K (STOCH, STOCHF) or Williams %R.
struct WillrCore {
  HighLow hl;
  template <class Ar>
  void persist(Ar& ar) {
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double hi, lo;
    if (!hl.step(b.high, b.low, hi, lo, commit)) return false;
    out[0] = detail::williams_r(hi, lo, b.close);
    return true;
  }
};

/// stoch() / stochf(): fast %K, then one (STOCHF) or two (STOCH) streamed MAs.
struct StochCore {
  HighLow hl;
  bool slow;
  MaCore k_ma, d_ma;
  StochCore(int fastk, bool slow_form, int k_period, int k_type, int d_period, int d_type)
      : hl(fastk), slow(slow_form), k_ma(k_period, k_type), d_ma(d_period, d_type) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(slow);
    ar(hl, k_ma, d_ma);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double hi, lo;
    if (!hl.step(b.high, b.low, hi, lo, commit)) return false;
    const double fk = detail::fast_k(hi, lo, b.close);
    double sk = fk, sd;
    if (slow && !k_ma.step(fk, sk, commit)) return false;
    if (!d_ma.step(sk, sd, commit)) return false;
    out[0] = sk;
    out[1] = sd;
    return true;
  }
};

/// cci(): typical prices in a ring indexed by bar % period, summed in SLOT
/// order for the mean and the mean deviation. O(period) per bar, like the
/// batch kernel and TA-Lib (the mean absolute deviation has no running form
/// with the same rounding).
struct CciCore {
  std::vector<double> buf;
  size_t slot = 0;
  size_t count = 0;  // capped at period
  explicit CciCore(int period) : buf(static_cast<size_t>(period), 0.0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(buf, slot, count);
    ar.check(slot < buf.size() && count <= buf.size(), "ring position outside the ring");
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double last = (b.high + b.low + b.close) / 3;
    const size_t p = buf.size();
    const bool valid = count + 1 >= p;
    if (valid) {
      const double pd = static_cast<double>(p);
      double avg = 0;
      for (size_t j = 0; j < p; ++j) avg += j == slot ? last : buf[j];
      avg /= pd;
      double dev = 0;
      for (size_t j = 0; j < p; ++j) dev += std::fabs((j == slot ? last : buf[j]) - avg);
      const double t = last - avg;
      out[0] = (t != 0.0 && dev != 0.0) ? t / (0.015 * (dev / pd)) : 0.0;
    }
    if (commit) {
      buf[slot] = last;
      slot = slot + 1 == p ? 0 : slot + 1;
      count = std::min(count + 1, p);
    }
    return valid;
  }
};

/// mfi(): positive/negative money flows in a ring; the oldest flow leaves the
/// sums before the new one enters.
struct MfiCore {
  size_t lb;
  std::vector<double> rp, rn;
  size_t slot = 0;
  size_t count = 0;  // bars seen, capped at lb + 1
  double prev = 0.0, pos = 0.0, neg = 0.0;
  explicit MfiCore(int period) : lb(static_cast<size_t>(period)), rp(lb, 0.0), rn(lb, 0.0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb);
    ar(rp, rn, slot, count, prev, pos, neg);
    ar.check(lb == rp.size() && slot < lb && count <= lb + 1, "ring position outside the ring");
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double tp = (b.high + b.low + b.close) / 3.0;
    if (count == 0) {
      if (commit) {
        prev = tp;
        count = 1;
      }
      return false;
    }
    double ps = pos, ns = neg;
    if (count > lb) {
      ps -= rp[slot];
      ns -= rn[slot];
    }
    const double d = tp - prev;
    const double mf = tp * b.volume;
    const double pv = d > 0 ? mf : 0.0;
    const double nv = d < 0 ? mf : 0.0;
    ps += pv;
    ns += nv;
    const bool valid = count >= lb;
    if (valid) {
      const double s = ps + ns;
      out[0] = s < 1.0 ? 0.0 : 100.0 * (ps / s);
    }
    if (commit) {
      rp[slot] = pv;
      rn[slot] = nv;
      slot = slot + 1 == lb ? 0 : slot + 1;
      pos = ps;
      neg = ns;
      prev = tp;
      count = std::min(count + 1, lb + 1);
    }
    return valid;
  }
};

/// roc_family(): the value `period` bars back from a ring.
template <int Kind>
struct RocCore {
  int period;
  int count = 0;  // capped at period
  Lag lag;
  explicit RocCore(int n) : period(n), lag(static_cast<size_t>(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period);
    ar(count, lag);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.real0;
    const bool valid = count >= period;
    if (valid) {
      const double prev = lag.oldest();
      constexpr auto kind = static_cast<RocKind>(Kind);
      if constexpr (kind == RocKind::mom) {
        out[0] = v - prev;
      } else if constexpr (kind == RocKind::roc) {
        out[0] = prev != 0.0 ? ((v / prev) - 1.0) * 100.0 : 0.0;
      } else if constexpr (kind == RocKind::rocp) {
        out[0] = prev != 0.0 ? (v - prev) / prev : 0.0;
      } else if constexpr (kind == RocKind::rocr) {
        out[0] = prev != 0.0 ? (v / prev) : 0.0;
      } else {
        out[0] = prev != 0.0 ? (v / prev) * 100.0 : 0.0;
      }
    }
    if (commit) {
      lag.push(v);
      count = std::min(count + 1, period);
    }
    return valid;
  }
};

// ---- Volatility and volume --------------------------------------------------

/// atr() / natr(): TR from bar 1, seeded by the mean of TR[1..period], then
/// detail::WilderSmoothing; period 1 is TRANGE. `normalise`: NATR's / close * 100.
struct AtrCore {
  int period;
  bool normalise;
  double p;
  detail::WilderSmoothing wilder;
  int count = 0;  // bars seen, capped at period + 1
  double prev_close = 0.0, sum = 0.0, prev = 0.0;
  AtrCore(int n, bool natr) : period(n), normalise(natr), p(n), wilder(n) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, normalise, p);
    ar(wilder, count, prev_close, sum, prev);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        prev_close = b.close;
        count = 1;
      }
      return false;
    }
    const double tr = detail::true_range(b.high, b.low, prev_close);
    double s = sum, v = prev;
    bool valid = true;
    if (period <= 1) {
      v = tr;
    } else if (count < period) {
      s += tr;
      valid = false;
    } else if (count == period) {
      s += tr;
      v = s / p;
    } else {
      v = wilder.next(v, tr);
    }
    if (valid) out[0] = normalise && period > 1 ? (is_zero(b.close) ? 0.0 : (v / b.close) * 100.0) : v;
    if (commit) {
      prev_close = b.close;
      sum = s;
      prev = v;
      count = std::min(count + 1, period + 1);
    }
    return valid;
  }
};

/// obv(): OBV[0] = volume[0], then the signed volume steps.
struct ObvCore {
  bool started = false;
  double acc = 0.0, prev = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(started, acc, prev);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double a = started ? acc + detail::obv_step(prev, b.real0, b.volume) : b.volume;
    out[0] = a;
    if (commit) {
      acc = a;
      prev = b.real0;
      started = true;
    }
    return true;
  }
};

/// ad() and adosc(): the A/D line, and for ADOSC its two EMAs in k x + (1-k) e
/// form seeded with the first bar's A/D value.
struct AdCore {
  bool osc;
  double fk, sk, fk1, sk1;
  std::uint64_t begin;
  std::uint64_t i = 0;
  double acc = 0.0, fast = 0.0, slow = 0.0;
  AdCore(bool oscillator, int f, int s)
      : osc(oscillator),
        fk(detail::per_to_k(f)),
        sk(detail::per_to_k(s)),
        fk1(1.0 - fk),
        sk1(1.0 - sk),
        begin(oscillator ? static_cast<std::uint64_t>(ema_lookback(std::max(f, s))) : 0) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(osc, fk, sk, fk1, sk1, begin);
    ar(i, acc, fast, slow);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double a = acc;
    if (b.high - b.low > 0.0) a += detail::ad_step(b.high, b.low, b.close, b.volume);
    double fe = a, se = a;
    if (i > 0) {
      fe = (fk * a) + (fk1 * fast);
      se = (sk * a) + (sk1 * slow);
    }
    const bool valid = i >= begin;
    if (valid) out[0] = osc ? fe - se : a;
    if (commit) {
      acc = a;
      fast = fe;
      slow = se;
      ++i;
    }
    return valid;
  }
};

// ---- Directional movement ------------------------------------------------------

/// The DmState of directional.cpp: this bar's +DM, -DM and TR, and their
/// plain sums over bars 1..period-1 followed by Wilder smoothing
/// detail::wilder_by_reciprocal(x, 1 / n, new) (the batch's two-lane vector
/// form rounds identically).
struct DmState {
  double prev_high = 0.0, prev_low = 0.0, prev_close = 0.0;
  double plus = 0.0, minus = 0.0, tr = 0.0;  // smoothed
  int count = 0;                             // bars seen, capped
  double cur_plus = 0.0, cur_minus = 0.0, cur_range = 0.0;

  template <class Ar>
  void persist(Ar& ar) {
    ar(prev_high, prev_low, prev_close, plus, minus, tr, count, cur_plus, cur_minus, cur_range);
  }
  /// Advances a copy; returns the bar index (count before the bar). r = 1.0 / period.
  int advance(const StreamBar& b, double r, int period, int cap) {
    const int i = count;
    if (i == 0) {
      prev_high = b.high;
      prev_low = b.low;
      prev_close = b.close;
      count = 1;
      return 0;
    }
    const double diff_p = b.high - prev_high;
    const double diff_m = prev_low - b.low;
    cur_minus = detail::directional_move<false>(diff_p, diff_m);
    cur_plus = detail::directional_move<true>(diff_p, diff_m);
    cur_range = detail::true_range(b.high, b.low, prev_close);
    prev_high = b.high;
    prev_low = b.low;
    prev_close = b.close;
    if (i < period) {
      minus += cur_minus;
      plus += cur_plus;
      tr += cur_range;
    } else {
      minus = detail::wilder_by_reciprocal(minus, r, cur_minus);
      plus = detail::wilder_by_reciprocal(plus, r, cur_plus);
      tr = detail::wilder_by_reciprocal(tr, r, cur_range);
    }
    count = std::min(i + 1, cap);
    return i;
  }
};

/// DX of a smoothed state; false when TR or +DI + -DI is ~0.
bool dx_of(const DmState& d, double& dx) {
  if (is_zero(d.tr)) return false;
  const double minus_di = 100.0 * (d.minus / d.tr);
  const double plus_di = 100.0 * (d.plus / d.tr);
  const double s = minus_di + plus_di;
  if (is_zero(s)) return false;
  dx = 100.0 * (std::fabs(minus_di - plus_di) / s);
  return true;
}

enum class DirOut : unsigned char { plus_di, minus_di, dx };

/// PLUS_DI, MINUS_DI (period 1: the bar's DM / TR) and DX (repeats the last DX).
struct DiCore {
  int period;
  double r;
  DirOut what;
  DmState dm;
  double last_dx = 0.0;
  DiCore(int n, DirOut w) : period(n), r(1.0 / n), what(w) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, r, what);
    ar(dm, last_dx);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    DmState d = dm;
    const int i = d.advance(b, r, std::max(period, 1), std::max(period, 1) + 1);
    double last = last_dx;
    bool valid = i >= std::max(period, 1);
    if (valid) {
      if (period <= 1) {
        const double x = what == DirOut::plus_di ? d.cur_plus : d.cur_minus;
        out[0] = (x == 0.0 || is_zero(d.cur_range)) ? 0.0 : x / d.cur_range;
      } else if (what == DirOut::dx) {
        double v;
        if (dx_of(d, v)) last = v;
        out[0] = last;
      } else {
        const double x = what == DirOut::plus_di ? d.plus : d.minus;
        out[0] = is_zero(d.tr) ? 0.0 : 100.0 * (x / d.tr);
      }
    }
    if (commit) {
      dm = d;
      last_dx = last;
    }
    return valid;
  }
};

/// adx_impl() (ADX) and adxr(): DX summed over bars period..2*period-1 and
/// averaged, then Wilder smoothing wilder_by_reciprocal(adx, r, dx * r) (the
/// batch masks a skipped bar's r and dx * r to 0, which leaves the same adx);
/// ADXR averages with the ADX period-1 bars back.
struct AdxCore {
  int period;
  double p, r;
  bool rating;
  DmState dm;
  double sum_dx = 0.0, adx = 0.0;
  int adx_count = 0;  // ADX values produced, capped at period
  Lag lag;
  AdxCore(int n, bool adxr) : period(n), p(n), r(1.0 / n), rating(adxr), lag(static_cast<size_t>(n - 1)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, p, r, rating);
    ar(dm, sum_dx, adx, adx_count, lag);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    DmState d = dm;
    const int i = d.advance(b, r, period, 2 * period);
    double s = sum_dx, a = adx;
    bool have = false;
    if (i >= period) {
      double v;
      const bool ok = dx_of(d, v);
      if (i < 2 * period - 1 || adx_count == 0) {
        if (ok) s += v;
        if (i == 2 * period - 1) {
          a = s / p;
          have = true;
        }
      } else {
        if (ok) a = detail::wilder_by_reciprocal(a, r, v * r);
        have = true;
      }
    }
    // i saturates at 2 * period - 1; adx_count tells the seed bar from later ones.
    bool valid = have;
    if (have && rating) {
      valid = adx_count >= period - 1;
      if (valid) out[0] = (a + lag.oldest()) * 0.5;
    } else if (have) {
      out[0] = a;
    }
    if (commit) {
      dm = d;
      sum_dx = s;
      adx = a;
      if (have) {
        if (rating) lag.push(a);
        adx_count = std::min(adx_count + 1, period);
      }
    }
    return valid;
  }
};

/// directional_movement(): PLUS_DM / MINUS_DM, the plain sum of the first
/// period-1 moves, then wilder_by_reciprocal(acc, 1 / n, move).
struct DmCore {
  int period;
  double r;
  bool plus_side;
  int count = 0;  // bars seen, capped at period
  double prev_high = 0.0, prev_low = 0.0, acc = 0.0;
  DmCore(int n, bool plus) : period(n), r(1.0 / n), plus_side(plus) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, r, plus_side);
    ar(count, prev_high, prev_low, acc);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        prev_high = b.high;
        prev_low = b.low;
        count = 1;
      }
      return false;
    }
    const double diff_p = b.high - prev_high;
    const double diff_m = prev_low - b.low;
    const double m = plus_side ? detail::directional_move<true>(diff_p, diff_m)
                               : detail::directional_move<false>(diff_p, diff_m);
    double a = acc;
    bool valid = true;
    if (period <= 1) {
      a = m;
    } else if (count < period) {
      a += m;
      valid = count == period - 1;
    } else {
      a = detail::wilder_by_reciprocal(a, r, m);
    }
    if (valid) out[0] = a;
    if (commit) {
      prev_high = b.high;
      prev_low = b.low;
      acc = a;
      count = std::min(count + 1, std::max(period, 1));
    }
    return valid;
  }
};

// ---- Window extremes ---------------------------------------------------------

enum class ExtOut : unsigned char { max, min, minmax, midpoint, midprice };

/// MAX, MIN, MINMAX, MIDPOINT (over real0) and MIDPRICE (high/low).
struct ExtremeCore {
  ExtOut what;
  HighLow hl;
  ExtremeCore(int period, ExtOut w) : what(w), hl(period) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(what);
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool price = what == ExtOut::midprice;
    double hi, lo;
    if (!hl.step(price ? b.high : b.real0, price ? b.low : b.real0, hi, lo, commit)) return false;
    switch (what) {
      case ExtOut::max:
        out[0] = hi;
        break;
      case ExtOut::min:
        out[0] = lo;
        break;
      case ExtOut::minmax:
        out[0] = lo;
        out[1] = hi;
        break;
      case ExtOut::midpoint:
      case ExtOut::midprice:
        out[0] = (hi + lo) / 2.0;
        break;
    }
    return true;
  }
};

/// wma(): TA-Lib's running numerator `sum` and plain window sum `sub`; the
/// value leaving the window is subtracted one bar late (`trailing`).
struct WmaCore {
  size_t lb;
  double period, divider;
  Lag lag;
  size_t count = 0;  // capped at lb
  double sum = 0.0, sub = 0.0, trailing = 0.0;
  explicit WmaCore(int n)
      : lb(static_cast<size_t>(n - 1)),
        period(n),
        divider(static_cast<double>((static_cast<long long>(n) * (n + 1)) >> 1)),
        lag(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, period, divider);
    ar(lag, count, sum, sub, trailing);
  }
  bool step(double x, double& out, bool commit) {
    if (lb == 0) {  // TA-Lib's WMA (and HMA's inner one) copies the input for period 1
      out = x;
      return true;
    }
    double sm = sum, sb = sub + x, tr = trailing;
    const bool valid = count >= lb;
    if (!valid) {
      sm += x * static_cast<double>(count + 1);
    } else {
      sb -= tr;
      sm += x * period;
      tr = lag.oldest();
      out = sm / divider;
      sm -= sb;
    }
    if (commit) {
      sum = sm;
      sub = sb;
      trailing = tr;
      lag.push(x);
      if (count < lb) ++count;
    }
    return valid;
  }
};

/// dema() / tema(): chained EMAs, each seeded with the mean of its first inputs.
struct MultiEmaCore {
  int depth;
  EmaCore e1, e2, e3;
  MultiEmaCore(int n, int d)
      : depth(d), e1(n, detail::per_to_k(n)), e2(n, detail::per_to_k(n)), e3(n, detail::per_to_k(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(depth);
    ar(e1, e2, e3);
  }
  bool step(double x, double& out, bool commit) {
    double v1, v2, v3;
    if (!e1.step(x, v1, commit) || !e2.step(v1, v2, commit)) return false;
    if (depth == 2) {
      out = (2.0 * v1) - v2;
      return true;
    }
    if (!e3.step(v2, v3, commit)) return false;
    double t = v3;
    t += (3.0 * v1) - (3.0 * v2);
    out = t;
    return true;
  }
};

/// kama(): the efficiency-ratio denominator as a running sum of |x[i-1] - x[i]|
/// (seeded in bar order, then one out and one in per bar), x[i - period] from a ring.
struct KamaCore {
  size_t p;
  Lag lag;
  size_t count = 0;  // capped at p + 1
  double last = 0.0, sum_roc = 0.0, prev = 0.0, trailing_value = 0.0;
  explicit KamaCore(int n) : p(static_cast<size_t>(n)), lag(p) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p);
    ar(lag, count, last, sum_roc, prev, trailing_value);
  }
  bool step(double x, double& out, bool commit) {
    double sr = sum_roc, pv = prev, tv = trailing_value;
    const bool valid = count >= p;
    if (count == 0) {
      // the first bar only seeds `last`
    } else if (count < p) {
      sr += std::fabs(last - x);
    } else {
      const double old = lag.oldest();
      if (count == p) {
        sr += std::fabs(last - x);
        pv = last;
      } else {
        sr -= std::fabs(tv - old);
        sr += std::fabs(x - last);
      }
      tv = old;
      pv = ((x - pv) * detail::kama_smoothing(sr, x - old)) + pv;
      out = pv;
    }
    if (commit) {
      sum_roc = sr;
      prev = pv;
      trailing_value = tv;
      last = x;
      lag.push(x);
      count = std::min(count + 1, p + 1);
    }
    return valid;
  }
};

/// t3(): six EMAs in k x + (1-k) e form, each seeded with the mean of its
/// first `period` inputs (the sum starts AT the first input, as TA-Lib's).
struct T3Core {
  struct Stage {
    int count = 0;
    double sum = 0.0, e = 0.0;
    template <class Ar>
    void persist(Ar& ar) {
      ar(count, sum, e);
    }
  };
  int period;
  double k, k1;
  detail::T3Weights w;
  std::array<Stage, 6> st{};
  T3Core(int n, double vfactor) : period(n), k(2.0 / (n + 1.0)), k1(1.0 - k), w(vfactor) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, k, k1);
    ar(w, st);
  }
  bool step(double x, double& out, bool commit) {
    std::array<Stage, 6> s = st;
    double in = x;
    bool all = true;
    for (auto& g : s) {
      if (g.count < period) {
        g.sum = g.count == 0 ? in : g.sum + in;
        if (++g.count < period) {
          all = false;
          break;
        }
        g.e = g.sum / period;
      } else {
        g.e = (k * in) + (k1 * g.e);
      }
      in = g.e;
    }
    if (all) out = w.c1 * s[5].e + w.c2 * s[4].e + w.c3 * s[3].e + w.c4 * s[2].e;
    if (commit) st = s;
    return all;
  }
};

/// A real0 stream around one value core (WMA, DEMA, TEMA, KAMA, T3).
template <class C>
struct RealCore {
  C c;
  template <class Ar>
  void persist(Ar& ar) {
    ar(c);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return c.step(b.real0, out[0], commit); }
};

/// price_oscillator(): APO / PPO from two MAs of the whole series (SMA running
/// sums or EMAs from bar 0; matype 2-8: MA's streams).
struct PoCore {
  bool percent;
  MaCore fast, slow;
  PoCore(int f, int s, int matype, bool ppo) : percent(ppo), fast(f, matype), slow(s, matype) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(percent);
    ar(fast, slow);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double f = 0.0, s = 0.0;
    const bool hf = fast.step(b.real0, f, commit);
    const bool hs = slow.step(b.real0, s, commit);
    if (!hf || !hs) return false;
    out[0] = percent ? (is_zero(s) ? 0.0 : ((f - s) / s) * 100.0) : f - s;
    return true;
  }
};

/// trix(): 1-bar rate of change of a triple EMA.
struct TrixCore {
  EmaCore e1, e2, e3;
  bool have_prev = false;
  double prev = 0.0;
  explicit TrixCore(int n)
      : e1(n, detail::per_to_k(n)), e2(n, detail::per_to_k(n)), e3(n, detail::per_to_k(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(e1, e2, e3, have_prev, prev);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double v1, v2, v3;
    if (!e1.step(b.real0, v1, commit) || !e2.step(v1, v2, commit) || !e3.step(v2, v3, commit)) return false;
    const bool valid = have_prev;
    if (valid) out[0] = prev != 0.0 ? ((v3 / prev) - 1.0) * 100.0 : 0.0;
    if (commit) {
      prev = v3;
      have_prev = true;
    }
    return valid;
  }
};

/// variance(): running sums of x and x^2 from bar 0 (VAR; STDDEV = sqrt * nbdev).
struct VarCore {
  int period;
  size_t lb;
  bool stddev;
  double nbdev;
  Lag lag;
  size_t count = 0;  // capped at lb
  double s1 = 0.0, s2 = 0.0;
  VarCore(int n, bool sd, double nb)
      : period(n), lb(static_cast<size_t>(n - 1)), stddev(sd), nbdev(nb), lag(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, lb, stddev, nbdev);
    ar(lag, count, s1, s2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0;
    double a = s1 + x, q = s2 + x * x;
    const bool valid = count >= lb;
    if (valid) {
      const double m1 = a / period;
      const double m2 = q / period;
      const double t = lb == 0 ? x : lag.oldest();
      a -= t;
      q -= t * t;
      const double v = m2 - m1 * m1;
      out[0] = stddev ? (detail::is_zero_or_neg(v) ? 0.0 : std::sqrt(v) * nbdev) : v;
    }
    if (commit) {
      s1 = a;
      s2 = q;
      if (lb > 0) lag.push(x);
      if (count < lb) ++count;
    }
    return valid;
  }
};

/// relvol(): volume over the mean of the `period` prior volumes.
struct RelvolCore {
  size_t p;
  double pd;
  Lag lag;
  size_t count = 0;  // capped at p
  double total = 0.0;
  explicit RelvolCore(int n) : p(static_cast<size_t>(n)), pd(n), lag(p) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p, pd);
    ar(lag, count, total);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double v = b.volume;
    double t = total;
    const bool valid = count >= p;
    if (valid) {
      const double avg = t / pd;
      out[0] = avg != 0.0 ? v / avg : 0.0;
      t += v;
      t -= lag.oldest();
    } else {
      t += v;
    }
    if (commit) {
      total = t;
      lag.push(v);
      if (count < p) ++count;
    }
    return valid;
  }
};

/// vwap(): cumulative price*volume over cumulative volume.
struct VwapCore {
  double pv = 0.0, vol = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(pv, vol);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double tp = ((b.high + b.low) + b.close) / 3.0;
    const double a = pv + tp * b.volume;
    const double v = vol + b.volume;
    out[0] = v != 0.0 ? a / v : tp;
    if (commit) {
      pv = a;
      vol = v;
    }
    return true;
  }
};

/// heikinashi(): each candle's open from the previous HA open and close.
struct HeikinAshiCore {
  bool started = false;
  double prev_open = 0.0, prev_close = 0.0;
  template <class Ar>
  void persist(Ar& ar) {
    ar(started, prev_open, prev_close);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double hc = (((b.open + b.high) + b.low) + b.close) / 4.0;
    const double ho = started ? (prev_open + prev_close) / 2.0 : (b.open + b.close) / 2.0;
    out[0] = ho;
    out[1] = std::max(b.high, std::max(ho, hc));
    out[2] = std::min(b.low, std::min(ho, hc));
    out[3] = hc;
    if (commit) {
      started = true;
      prev_open = ho;
      prev_close = hc;
    }
    return true;
  }
};

/// aroon_scan(): bars since the highest high / lowest low over period+1 bars,
/// the LATEST bar winning ties, as the batch scan (exact for NaN-free input).
struct AroonCore {
  int period;
  bool osc;
  double factor;
  std::uint64_t i = 0;
  MonoDeque<true> hi;
  MonoDeque<false> lo;
  AroonCore(int n, bool oscillator)
      : period(n), osc(oscillator), factor(100.0 / static_cast<double>(n)), hi(n + 1), lo(n + 1) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, osc, factor);
    ar(i, hi, lo);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool valid = i >= static_cast<std::uint64_t>(period);
    if (valid) {
      const auto hi_idx = static_cast<std::ptrdiff_t>(hi.extreme_index(b.high, i));
      const auto lo_idx = static_cast<std::ptrdiff_t>(lo.extreme_index(b.low, i));
      const auto today = static_cast<std::ptrdiff_t>(i);
      if (osc) {
        out[0] = factor * static_cast<double>(hi_idx - lo_idx);
      } else {
        out[0] = factor * static_cast<double>(period - (today - lo_idx));
        out[1] = factor * static_cast<double>(period - (today - hi_idx));
      }
    }
    if (commit) {
      hi.push(b.high, i);
      lo.push(b.low, i);
      ++i;
    }
    return valid;
  }
};

/// ichimoku(): three window midpoints per bar (monotonic deques: the values of
/// the batch's van Herk windows on NaN-free input); the cloud lines wait
/// `displacement` bars in two delay rings. O(1) amortised per bar.
struct IchimokuCore {
  std::uint64_t lb;
  std::uint64_t i = 0;
  size_t d;
  HighLow t, k, s;
  Lag a_lag, b_lag;
  IchimokuCore(int tenkan, int kijun, int senkou, int displacement)
      : lb(static_cast<std::uint64_t>(ichimoku_lookback(tenkan, kijun, senkou, displacement))),
        d(static_cast<size_t>(displacement)),
        t(tenkan),
        k(kijun),
        s(senkou),
        a_lag(d),
        b_lag(d) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, d);
    ar(i, t, k, s, a_lag, b_lag);
  }
  bool step(const StreamBar& bar, double* out, bool commit) {
    double hi, lo;
    t.step(bar.high, bar.low, hi, lo, commit);
    const double tm = (hi + lo) / 2.0;
    k.step(bar.high, bar.low, hi, lo, commit);
    const double km = (hi + lo) / 2.0;
    s.step(bar.high, bar.low, hi, lo, commit);
    const double sm = (hi + lo) / 2.0;
    const double a = (tm + km) / 2.0;
    const bool valid = i >= lb;
    if (valid) {
      out[0] = tm;
      out[1] = km;
      out[2] = d == 0 ? a : a_lag.oldest();
      out[3] = d == 0 ? sm : b_lag.oldest();
      out[4] = bar.close;
    }
    if (commit) {
      a_lag.push(a);
      b_lag.push(sm);
      ++i;
    }
    return valid;
  }
};

/// macdext(): both MAs start at the longer lookback's bar minus their own
/// lookback; the signal MA runs over the MACD line.
struct MacdExtCore {
  std::uint64_t fast_from, slow_from;
  std::uint64_t i = 0;
  MaCore fast, slow, signal;
  MacdExtCore(int f, int ft, int s, int st, int g, int gt)
      : fast_from(0), slow_from(0), fast(f, ft), slow(s, st), signal(g, gt) {
    const int largest = std::max(ma_lookback(f, ft), ma_lookback(s, st));
    fast_from = static_cast<std::uint64_t>(largest - ma_lookback(f, ft));
    slow_from = static_cast<std::uint64_t>(largest - ma_lookback(s, st));
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(fast_from, slow_from);
    ar(i, fast, slow, signal);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double f = 0.0, s = 0.0, g = 0.0;
    const bool fr = i >= fast_from && fast.step(b.real0, f, commit);
    const bool sr = i >= slow_from && slow.step(b.real0, s, commit);
    if (commit) ++i;
    if (!fr || !sr) return false;
    const double m = f - s;
    if (!signal.step(m, g, commit)) return false;
    out[0] = m;
    out[1] = g;
    out[2] = m - g;
    return true;
  }
};

/// keltner(): EMA(close) middle, +/- multiplier * ATR (atr()'s operations).
struct KeltnerCore {
  double multiplier;
  EmaTwoStepCore ema;
  AtrCore atr;
  KeltnerCore(int period, int atr_period, double mult) : multiplier(mult), ema(period), atr(atr_period, false) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(multiplier);
    ar(ema, atr);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double e = 0.0, a = 0.0;
    const bool he = ema.step_value(b.close, e, commit);
    const bool ha = atr.step(b, &a, commit);
    if (!he || !ha) return false;
    const double width = multiplier * a;
    out[0] = e + width;
    out[1] = e;
    out[2] = e - width;
    return true;
  }
};

/// supertrend(): final-band recursion over atr()'s ATR, direction as state.
struct SuperTrendCore {
  double multiplier;
  AtrCore atr;
  bool started = false;
  double fu = 0.0, fl = 0.0, prev_close = 0.0;
  int dir = -1;
  SuperTrendCore(int atr_period, double mult) : multiplier(mult), atr(atr_period, false) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(multiplier);
    ar(atr, started, fu, fl, prev_close, dir);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double a = 0.0;
    const bool valid = atr.step(b, &a, commit);
    double u = fu, l = fl;
    int d = dir;
    if (valid) {
      const double hl2 = (b.high + b.low) / 2.0;
      const double width = multiplier * a;
      const double bu = hl2 + width;
      const double bl = hl2 - width;
      if (!started) {
        u = bu;
        l = bl;
      } else {
        u = (bu < u || prev_close > u) ? bu : u;
        l = (bl > l || prev_close < l) ? bl : l;
        d = d < 0 ? (b.close > u ? 1 : -1) : (b.close < l ? -1 : 1);
      }
      out[0] = d > 0 ? l : u;
      out[1] = d;
    }
    if (commit) {
      if (valid) {
        started = true;
        fu = u;
        fl = l;
        dir = d;
      }
      prev_close = b.close;
    }
    return valid;
  }
};

/// cmf(): compensated running sums of money-flow volume and volume; the
/// leaving bar's terms come from rings (the same bits the batch recomputes).
struct CmfCore {
  size_t lb;
  Lag flows, vols;
  size_t count = 0;  // capped at lb
  detail::CompensatedSum flow, vol;
  explicit CmfCore(int period) : lb(static_cast<size_t>(period - 1)), flows(lb), vols(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb);
    ar(flows, vols, count, flow, vol);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double range = b.high - b.low;
    const double mfm = range != 0.0 ? ((b.close - b.low) - (b.high - b.close)) / range : 0.0;
    const double mfv = mfm * b.volume;
    detail::CompensatedSum f = flow, v = vol;
    f.add(mfv);
    v.add(b.volume);
    const bool valid = count >= lb;
    if (valid) {
      const double total = v.value();
      out[0] = total != 0.0 ? f.value() / total : 0.0;
      f.add(-(lb == 0 ? mfv : flows.oldest()));
      v.add(-(lb == 0 ? b.volume : vols.oldest()));
    }
    if (commit) {
      flow = f;
      vol = v;
      if (lb > 0) {
        flows.push(mfv);
        vols.push(b.volume);
      }
      if (count < lb) ++count;
    }
    return valid;
  }
};

int isqrt(int n) {
  int s = static_cast<int>(std::sqrt(static_cast<double>(n)));
  while (s > 0 && s * s > n) --s;
  while ((s + 1) * (s + 1) <= n) ++s;
  return s;
}

/// hma(): WMA(half) and WMA(n) of the input, WMA(floor(sqrt n)) of 2 half - full.
struct HmaCore {
  WmaCore half, full, hull;
  explicit HmaCore(int n) : half(n / 2), full(n), hull(isqrt(n)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(half, full, hull);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double wh = 0.0, wf = 0.0;
    half.step(b.real0, wh, commit);
    if (!full.step(b.real0, wf, commit)) return false;
    return hull.step((2.0 * wh) - wf, out[0], commit);
  }
};

/// donchian(): van Herk extremes where a NaN never wins and an all-NaN window
/// gives NaN; here a NaN enters the deques as -inf (highs) / +inf (lows).
struct DonchianCore {
  HighLow hl;
  explicit DonchianCore(int period) : hl(period) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(hl);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double hi, lo;
    const double h = std::isnan(b.high) ? -kInf : b.high;
    const double l = std::isnan(b.low) ? kInf : b.low;
    if (!hl.step(h, l, hi, lo, commit)) return false;
    hi = hi == -kInf ? kNaN : hi;
    lo = lo == kInf ? kNaN : lo;
    out[0] = hi;
    out[1] = (hi + lo) / 2.0;
    out[2] = lo;
    return true;
  }
};

/// accbands(): three SMA running sums (band values, close) from bar 0.
struct AccbandsCore {
  WindowSum up, mid, lo;
  explicit AccbandsCore(int period) : up(period, true), mid(period, true), lo(period, true) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(up, mid, lo);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double u = b.high, l = b.low;
    const double s = b.high + b.low;
    if (!is_zero(s)) {
      const double t = 4 * (b.high - b.low) / s;
      u = b.high * (1 + t);
      l = b.low * (1 - t);
    }
    const bool a = up.step(u, out[0], commit);
    mid.step(b.close, out[1], commit);
    lo.step(l, out[2], commit);
    return a;
  }
};

/// ultosc(): three window sums of buying pressure and true range, each begun
/// `period_k` - 1 bars before the first output (not at bar 0), as the batch.
struct UltoscCore {
  std::array<int, 3> p;
  std::uint64_t start;
  std::uint64_t i = 0;
  double prev_close = 0.0;
  Lag cm, trs;  // the terms of the last max(p) - 1 bars
  std::array<double, 3> a{}, bsum{};
  UltoscCore(int p1, int p2, int p3)
      : p{p1, p2, p3},
        start(static_cast<std::uint64_t>(ultosc_lookback(p1, p2, p3))),
        cm(static_cast<size_t>(std::max({p1, p2, p3}))),
        trs(cm) {
    std::sort(p.begin(), p.end());
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(p, start);
    ar(i, prev_close, cm, trs, a, bsum);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (i == 0) {
      if (commit) {
        prev_close = b.close;
        i = 1;
      }
      return false;
    }
    const double cy = prev_close;
    const double true_low = b.low < cy ? b.low : cy;
    const double cmtl = b.close - true_low;
    double tr = b.high - b.low;
    double t = std::fabs(cy - b.high);
    if (t > tr) tr = t;
    t = std::fabs(cy - b.low);
    if (t > tr) tr = t;
    std::array<double, 3> x = a, y = bsum;
    const bool valid = i >= start;
    for (size_t k = 0; k < 3; ++k) {
      if (i + static_cast<std::uint64_t>(p[k]) < start + 1) continue;  // this window has not begun
      x[k] += cmtl;
      y[k] += tr;
    }
    if (valid) {
      double output = 0.0;
      if (!is_zero(y[0])) output += 4.0 * (x[0] / y[0]);
      if (!is_zero(y[1])) output += 2.0 * (x[1] / y[1]);
      if (!is_zero(y[2])) output += x[2] / y[2];
      for (size_t k = 0; k < 3; ++k) {
        const auto back = static_cast<size_t>(p[k] - 1);
        x[k] -= back == 0 ? cmtl : cm.ago(back);
        y[k] -= back == 0 ? tr : trs.ago(back);
      }
      out[0] = 100.0 * (output / 7.0);
    }
    if (commit) {
      a = x;
      bsum = y;
      cm.push(cmtl);
      trs.push(tr);
      prev_close = b.close;
      ++i;
    }
    return valid;
  }
};

/// extreme_index() / window_extremes(): detail::TrackedExtreme over a ring of
/// the last `period` values: O(1) except when the extreme leaves the window (an
/// O(period) rescan, the batch kernel's cost profile); exact also with NaN.
template <bool kMax>
using Tracked = detail::TrackedExtreme<kMax>;

enum class IndexOut : unsigned char { max, min, both };

/// MAXINDEX, MININDEX, MINMAXINDEX (absolute bar indexes).
struct IndexCore {
  IndexOut what;
  std::ptrdiff_t lb;
  std::ptrdiff_t i = 0;
  Lag hist;
  Tracked<true> mx;
  Tracked<false> mn;
  IndexCore(int period, IndexOut w) : what(w), lb(period - 1), hist(static_cast<size_t>(period)) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(what, lb);
    ar(i, hist, mx, mn);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const bool valid = i >= lb;
    Tracked<true> a = mx;
    Tracked<false> c = mn;
    if (valid) {
      // Bar j of the window: today's value, or a ring entry i - j bars back.
      const double x = b.real0;
      auto at = [&](std::ptrdiff_t j) { return j == i ? x : hist.ago(static_cast<size_t>(i - j)); };
      if (what != IndexOut::min) a.update(at, i - lb, i);
      if (what != IndexOut::max) c.update(at, i - lb, i);
      switch (what) {
        case IndexOut::max:
          out[0] = static_cast<double>(a.idx);
          break;
        case IndexOut::min:
          out[0] = static_cast<double>(c.idx);
          break;
        case IndexOut::both:
          out[0] = static_cast<double>(c.idx);
          out[1] = static_cast<double>(a.idx);
          break;
      }
    }
    if (commit) {
      mx = a;
      mn = c;
      hist.push(b.real0);
      ++i;
    }
    return valid;
  }
};

/// correl(): five running sums, seeded over the first window; from then on
/// the value `period` bars back leaves BEFORE the new one enters.
struct CorrelCore {
  size_t lb;
  double p;
  Lag xs, ys;
  size_t count = 0;  // capped at lb + 1
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  explicit CorrelCore(int period)
      : lb(static_cast<size_t>(period - 1)), p(period), xs(static_cast<size_t>(period)), ys(xs) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, p);
    ar(xs, ys, count, sx, sy, sxx, syy, sxy);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    const double x = b.real0, y = b.real1;
    double a = sx, c = sy, aa = sxx, cc = syy, ac = sxy;
    if (count > lb) {
      const double tx = xs.oldest(), ty = ys.oldest();
      a -= tx;
      aa -= tx * tx;
      ac -= tx * ty;
      c -= ty;
      cc -= ty * ty;
    }
    a += x;
    aa += x * x;
    ac += x * y;
    c += y;
    cc += y * y;
    const bool valid = count >= lb;
    if (valid) {
      const double t = (aa - ((a * a) / p)) * (cc - ((c * c) / p));
      out[0] = detail::is_zero_or_neg(t) ? 0.0 : (ac - ((a * c) / p)) / std::sqrt(t);
    }
    if (commit) {
      sx = a, sy = c, sxx = aa, syy = cc, sxy = ac;
      xs.push(x);
      ys.push(y);
      count = std::min(count + 1, lb + 1);
    }
    return valid;
  }
};

/// beta(): running sums of the two series' returns over the last `period` returns.
struct BetaCore {
  int period;
  double p;
  Lag rx, ry;     // the last period-1 returns
  int count = 0;  // bars seen, capped at period
  double px = 0, py = 0, sxx = 0, sxy = 0, sx = 0, sy = 0;
  explicit BetaCore(int n) : period(n), p(n), rx(static_cast<size_t>(std::max(n - 1, 1))), ry(rx) {}
  static double ret(double now, double prev) { return is_zero(prev) ? 0.0 : (now - prev) / prev; }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(period, p);
    ar(rx, ry, count, px, py, sxx, sxy, sx, sy);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        px = b.real0;
        py = b.real1;
        count = 1;
      }
      return false;
    }
    const double x = ret(b.real0, px), y = ret(b.real1, py);
    double aa = sxx + x * x, ab = sxy + x * y, a = sx + x, c = sy + y;
    const bool valid = count >= period;
    if (valid) {
      const double ox = period == 1 ? x : rx.ago(static_cast<size_t>(period - 1));
      const double oy = period == 1 ? y : ry.ago(static_cast<size_t>(period - 1));
      const double d = (p * aa) - (a * a);
      out[0] = is_zero(d) ? 0.0 : ((p * ab) - (a * c)) / d;
      aa -= ox * ox;
      ab -= ox * oy;
      a -= ox;
      c -= oy;
    }
    if (commit) {
      sxx = aa, sxy = ab, sx = a, sy = c;
      rx.push(x);
      ry.push(y);
      px = b.real0;
      py = b.real1;
      count = std::min(count + 1, period);
    }
    return valid;
  }
};

/// stochrsi(): rsi()'s RSI, its window extremes over fastk_period RSI values
/// (values equal the batch's tracked scan: the RSI is never NaN), fast %K of
/// the RSI and its streamed MA.
struct StochRsiCore {
  RsiCore rsi;
  StochCore stochf;  // STOCHF with high = low = close = RSI, as TA-Lib runs it
  StochRsiCore(int period, int fastk, int fastd, int fastd_type)
      : rsi(period, RsiCore::Form::stochrsi), stochf(fastk, false, 1, 0, fastd, fastd_type) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(rsi, stochf);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double v;
    if (!rsi.step(b, &v, commit)) return false;
    StreamBar r;
    r.high = r.low = r.close = v;
    return stochf.step(r, out, commit);
  }
};

/// bbands_other_ma(): the middle band from MA's stream (WMA, DEMA, TEMA, KAMA,
/// T3) and TA_STDDEV's running sums, which begin at the first output's window
/// (bar lookback - period + 1), not at bar 0.
struct BbandsOtherCore {
  std::unique_ptr<Stream> mid;
  std::uint64_t start;
  size_t lb;
  double p, up_k, dn_k;
  Lag lag;
  std::uint64_t i = 0;
  size_t seen = 0;  // bars summed, capped at lb
  double t1 = 0.0, t2 = 0.0;
  BbandsOtherCore(std::unique_ptr<Stream> middle, int period, int lookback, double up, double dn)
      : mid(std::move(middle)),
        start(static_cast<std::uint64_t>(lookback - (period - 1))),
        lb(static_cast<size_t>(period - 1)),
        p(period),
        up_k(up),
        dn_k(dn),
        lag(lb) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(start, lb, p, up_k, dn_k);
    ar(mid, lag, i, seen, t1, t2);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double m = 0.0;
    const std::span<double> ms(&m, 1);
    const bool hm = commit ? mid->update(b, ms) : mid->peek(b, ms);
    const bool summing = i >= start;
    const double v = b.real0;
    double a = t1 + v, q = t2 + v * v;
    const bool valid = hm && summing && seen >= lb;
    if (valid) {
      const double mean1 = a / p;
      double mean2 = q / p;
      const double old = lag.oldest();
      a -= old;
      q -= old * old;
      mean2 -= mean1 * mean1;
      const double sd = detail::is_zero_or_neg(mean2) ? 0.0 : std::sqrt(mean2);
      out[0] = m + sd * up_k;
      out[1] = m;
      out[2] = m - sd * dn_k;
    }
    if (commit) {
      ++i;
      if (summing) {
        t1 = a;
        t2 = q;
        lag.push(v);
        if (seen < lb) ++seen;
      }
    }
    return valid;
  }
};

/// trima(): TA-Lib's numerator of triangular weights moved by the running sums
/// of the window's two halves; seeded over the first window, then three values
/// (the one leaving, the middle one, the new one) update it per bar.
struct TrimaCore {
  size_t lb, k_mid;
  bool odd;
  double factor;
  Lag hist;          // the last `period` values
  size_t count = 0;  // capped at lb + 1
  double numerator = 0.0, num_sub = 0.0, num_add = 0.0;
  explicit TrimaCore(int period)
      : lb(static_cast<size_t>(period - 1)),
        k_mid(0),
        odd(period % 2 == 1),
        factor(0.0),
        hist(static_cast<size_t>(period)) {
    const auto half = static_cast<size_t>(period >> 1);
    factor = odd ? 1.0 / static_cast<double>((half + 1) * (half + 1))
                 : 1.0 / static_cast<double>(half * (half + 1));
    k_mid = lb - (odd ? half : half - 1);  // the middle value is this many bars back
  }
  template <class Ar>
  void persist(Ar& ar) {
    ar.same(lb, k_mid, odd, factor);
    ar(hist, count, numerator, num_sub, num_add);
  }
  bool step(double x, double& out, bool commit) {
    double num = numerator, sub = num_sub, add = num_add;
    const bool valid = count >= lb;
    if (count == lb) {  // the first window x[0..lb]; x[j] is lb - j bars back
      const size_t mid0 = lb - k_mid;
      num = sub = add = 0.0;
      for (size_t j = mid0 + 1; j-- > 0;) {
        sub += hist.ago(lb - j);
        num += sub;
      }
      for (size_t j = mid0 + 1; j <= lb; ++j) {
        add += j == lb ? x : hist.ago(lb - j);
        num += add;
      }
    } else if (valid) {
      // hist.oldest() is x[today - lb - 1], the value leaving the first half.
      detail::trima_roll(num, sub, add, hist.oldest(), hist.ago(k_mid), x, odd);
    }
    if (valid) out = num * factor;
    if (commit) {
      numerator = num;
      num_sub = sub;
      num_add = add;
      hist.push(x);
      if (count <= lb) ++count;
    }
    return valid;
  }
};

/// sar_core(): detail::Sar begun with bars 0 and 1, stepped from bar 1 on.
struct SarCore {
  detail::Sar sar;
  int count = 0;  // bars seen, capped at 2
  double h0 = 0.0, l0 = 0.0;
  explicit SarCore(const detail::Sar& s) : sar(s) {}
  template <class Ar>
  void persist(Ar& ar) {
    ar(sar, count, h0, l0);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (count == 0) {
      if (commit) {
        h0 = b.high;
        l0 = b.low;
        count = 1;
      }
      return false;
    }
    detail::Sar next = sar;
    if (count == 1) next.begin(h0, l0, b.high, b.low);
    out[0] = next.step(b.high, b.low);
    if (commit) {
      sar = next;
      count = 2;
    }
    return true;
  }
};

/// The Hilbert-transform indicators and MAMA: their fixed-size per-bar states
/// (cycle_state.hpp, the batch kernels' own). peek() runs on a copy (a few
/// hundred doubles, no allocation); DC phase and trendline sum at most 50 bars.
template <class State>
struct CopyCore {
  State state;
  template <class Ar>
  void persist(Ar& ar) {
    ar(state);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    if (commit) return state.push(b.real0, out);
    State copy = state;
    return copy.push(b.real0, out);
  }
};

/// MA with matype 7 is MAMA's first output alone, but MamaState writes both
/// (MAMA, FAMA): it gets a two-slot scratch, and the caller only MAMA.
struct MamaOnlyCore {
  detail::ht::MamaState state;
  template <class Ar>
  void persist(Ar& ar) {
    ar(state);
  }
  bool step(const StreamBar& b, double* out, bool commit) {
    double both[2];
    bool valid;
    if (commit) {
      valid = state.push(b.real0, both);
    } else {
      detail::ht::MamaState copy = state;
      valid = copy.push(b.real0, both);
    }
    if (valid) out[0] = both[0];
    return valid;
  }
};

}  // namespace

std::unique_ptr<Stream> window_rerun(BatchFn batch, int window, std::size_t outputs, Opts options) {
  return std::make_unique<WindowRerun>(batch, window, outputs, options);
}

std::unique_ptr<Stream> sma(Opts o) { return make<SumCore>(WindowSum(as_int(o[0]), true)); }
std::unique_ptr<Stream> sum(Opts o) { return make<SumCore>(WindowSum(as_int(o[0]), false)); }
std::unique_ptr<Stream> ema(Opts o) { return make<EmaTwoStepCore>(as_int(o[0])); }
std::unique_ptr<Stream> wma(Opts o) { return make<RealCore<WmaCore>>(WmaCore(as_int(o[0]))); }
std::unique_ptr<Stream> dema(Opts o) { return make<RealCore<MultiEmaCore>>(MultiEmaCore(as_int(o[0]), 2)); }
std::unique_ptr<Stream> tema(Opts o) { return make<RealCore<MultiEmaCore>>(MultiEmaCore(as_int(o[0]), 3)); }
std::unique_ptr<Stream> trima(Opts o) { return make<RealCore<TrimaCore>>(TrimaCore(as_int(o[0]))); }
std::unique_ptr<Stream> kama(Opts o) { return make<RealCore<KamaCore>>(KamaCore(as_int(o[0]))); }
std::unique_ptr<Stream> t3(Opts o) { return make<RealCore<T3Core>>(T3Core(as_int(o[0]), o[1])); }
std::unique_ptr<Stream> ma(Opts o) {
  const int period = as_int(o[0]);
  if (period <= 1) return make<MaStreamCore>(MaCore(period, 0));  // TA_MA copies the input
  switch (as_int(o[1])) {
    case 0:
    case 1:
      return make<MaStreamCore>(MaCore(period, as_int(o[1])));
    case 2:
      return wma(o);
    case 3:
      return dema(o);
    case 4:
      return tema(o);
    case 5:
      return trima(o);
    case 6:
      return kama(o);
    case 8: {
      const double t3_options[] = {o[0], 0.7};  // ma()'s T3 volume factor
      return t3(t3_options);
    }
    case 7:
      return make<MamaOnlyCore>(detail::ht::MamaState(0.5, 0.05));  // ma()'s MAMA limits
    default:
      return nullptr;
  }
}

std::unique_ptr<Stream> rsi(Opts o) { return make<RsiCore>(as_int(o[0]), RsiCore::Form::rsi); }
std::unique_ptr<Stream> cmo(Opts o) { return make<RsiCore>(as_int(o[0]), RsiCore::Form::cmo); }
std::unique_ptr<Stream> macd(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<MacdCore>(f, s, as_int(o[2]), detail::per_to_k(f), detail::per_to_k(s));
}
std::unique_ptr<Stream> macdfix(Opts o) { return make<MacdCore>(12, 26, as_int(o[0]), 0.15, 0.075); }
std::unique_ptr<Stream> atr(Opts o) { return make<AtrCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> natr(Opts o) { return make<AtrCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> obv(Opts) { return make<ObvCore>(); }
std::unique_ptr<Stream> mfi(Opts o) { return make<MfiCore>(as_int(o[0])); }
std::unique_ptr<Stream> willr(Opts o) { return make<WillrCore>(HighLow(as_int(o[0]))); }
std::unique_ptr<Stream> cci(Opts o) { return make<CciCore>(as_int(o[0])); }
std::unique_ptr<Stream> stoch(Opts o) {
  return make<StochCore>(as_int(o[0]), true, as_int(o[1]), as_int(o[2]), as_int(o[3]), as_int(o[4]));
}
std::unique_ptr<Stream> stochf(Opts o) {
  return make<StochCore>(as_int(o[0]), false, 1, 0, as_int(o[1]), as_int(o[2]));
}
std::unique_ptr<Stream> adx(Opts o) { return make<AdxCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> adxr(Opts o) { return make<AdxCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> dx(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::dx); }
std::unique_ptr<Stream> plus_di(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::plus_di); }
std::unique_ptr<Stream> minus_di(Opts o) { return make<DiCore>(as_int(o[0]), DirOut::minus_di); }
std::unique_ptr<Stream> plus_dm(Opts o) { return make<DmCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> minus_dm(Opts o) { return make<DmCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> max(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::max); }
std::unique_ptr<Stream> min(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::min); }
std::unique_ptr<Stream> minmax(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::minmax); }
std::unique_ptr<Stream> midpoint(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::midpoint); }
std::unique_ptr<Stream> midprice(Opts o) { return make<ExtremeCore>(as_int(o[0]), ExtOut::midprice); }
std::unique_ptr<Stream> apo(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<PoCore>(f, s, as_int(o[2]), false);
}
std::unique_ptr<Stream> ppo(Opts o) {
  int f = as_int(o[0]), s = as_int(o[1]);
  if (s < f) std::swap(f, s);
  return make<PoCore>(f, s, as_int(o[2]), true);
}
std::unique_ptr<Stream> trix(Opts o) { return make<TrixCore>(as_int(o[0])); }
std::unique_ptr<Stream> var(Opts o) { return make<VarCore>(as_int(o[0]), false, 1.0); }
std::unique_ptr<Stream> stddev(Opts o) { return make<VarCore>(as_int(o[0]), true, o[1]); }
std::unique_ptr<Stream> relvol(Opts o) { return make<RelvolCore>(as_int(o[0])); }
std::unique_ptr<Stream> vwap(Opts) { return make<VwapCore>(); }
std::unique_ptr<Stream> heikinashi(Opts) { return make<HeikinAshiCore>(); }
std::unique_ptr<Stream> aroon(Opts o) { return make<AroonCore>(as_int(o[0]), false); }
std::unique_ptr<Stream> aroonosc(Opts o) { return make<AroonCore>(as_int(o[0]), true); }
std::unique_ptr<Stream> macdext(Opts o) {
  int f = as_int(o[0]), ft = as_int(o[1]), s = as_int(o[2]), st = as_int(o[3]);
  if (s < f) {
    std::swap(f, s);
    std::swap(ft, st);
  }
  return make<MacdExtCore>(f, ft, s, st, as_int(o[4]), as_int(o[5]));
}
std::unique_ptr<Stream> ichimoku(Opts o) {
  return make<IchimokuCore>(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]));
}
std::unique_ptr<Stream> keltner(Opts o) { return make<KeltnerCore>(as_int(o[0]), as_int(o[1]), o[2]); }
std::unique_ptr<Stream> supertrend(Opts o) { return make<SuperTrendCore>(as_int(o[0]), o[1]); }
std::unique_ptr<Stream> cmf(Opts o) { return make<CmfCore>(as_int(o[0])); }
std::unique_ptr<Stream> hma(Opts o) { return make<HmaCore>(as_int(o[0])); }
std::unique_ptr<Stream> donchian(Opts o) { return make<DonchianCore>(as_int(o[0])); }
std::unique_ptr<Stream> accbands(Opts o) { return make<AccbandsCore>(as_int(o[0])); }
std::unique_ptr<Stream> ultosc(Opts o) { return make<UltoscCore>(as_int(o[0]), as_int(o[1]), as_int(o[2])); }
std::unique_ptr<Stream> maxindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::max); }
std::unique_ptr<Stream> minindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::min); }
std::unique_ptr<Stream> minmaxindex(Opts o) { return make<IndexCore>(as_int(o[0]), IndexOut::both); }
std::unique_ptr<Stream> correl(Opts o) { return make<CorrelCore>(as_int(o[0])); }
std::unique_ptr<Stream> beta(Opts o) { return make<BetaCore>(as_int(o[0])); }
std::unique_ptr<Stream> bbands(Opts o) {
  const int period = as_int(o[0]), matype = as_int(o[3]);
  if (matype <= kMaxStreamMaType) return make<BbandsCore>(period, o[1], o[2], matype);
  const double ma_options[] = {o[0], o[3]};
  auto middle = ma(ma_options);
  if (middle == nullptr) return nullptr;
  return make<BbandsOtherCore>(std::move(middle), period, ma_lookback(period, matype), o[1], o[2]);
}
std::unique_ptr<Stream> stochrsi(Opts o) {
  return make<StochRsiCore>(as_int(o[0]), as_int(o[1]), as_int(o[2]), as_int(o[3]));
}
std::unique_ptr<Stream> sar(Opts o) {
  return make<SarCore>(detail::Sar(0.0, 0.0, o[0], o[0], o[1], o[0], o[0], o[1], false));
}
std::unique_ptr<Stream> sarext(Opts o) {
  return make<SarCore>(detail::Sar(o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], true));
}
std::unique_ptr<Stream> ht_dcperiod(Opts) { return make<CopyCore<detail::ht::DcPeriodState<false>>>(); }
std::unique_ptr<Stream> ht_phasor(Opts) { return make<CopyCore<detail::ht::DcPeriodState<true>>>(); }
std::unique_ptr<Stream> ht_dcphase(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::phase>>>();
}
std::unique_ptr<Stream> ht_sine(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::sine>>>();
}
std::unique_ptr<Stream> ht_trendline(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::trendline>>>();
}
std::unique_ptr<Stream> ht_trendmode(Opts) {
  return make<CopyCore<detail::ht::PhaseState<detail::ht::PhaseOut::trendmode>>>();
}
std::unique_ptr<Stream> mama(Opts o) {
  return make<CopyCore<detail::ht::MamaState>>(detail::ht::MamaState(o[0], o[1]));
}
std::unique_ptr<Stream> ad(Opts) { return make<AdCore>(false, 2, 2); }
std::unique_ptr<Stream> adosc(Opts o) { return make<AdCore>(true, as_int(o[0]), as_int(o[1])); }

template <int Kind>
std::unique_ptr<Stream> roc(Opts o) {
  return make<RocCore<Kind>>(as_int(o[0]));
}
template std::unique_ptr<Stream> roc<0>(Opts);
template std::unique_ptr<Stream> roc<1>(Opts);
template std::unique_ptr<Stream> roc<2>(Opts);
template std::unique_ptr<Stream> roc<3>(Opts);
template std::unique_ptr<Stream> roc<4>(Opts);

}  // namespace ts::ta::streams
