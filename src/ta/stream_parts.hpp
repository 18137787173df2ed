#pragma once
// Building blocks of the streaming forms (internal to ts_ta): the state a
// stream core keeps (rings, running sums, window extremes, the MA cores), the
// cores several families share (RSI's, ATR's, WMA's, the EMA's), and
// CoreStream, which turns a core with step() and persist() into a Stream.
// Each family file writes its own cores and factories from these, beside its
// batch kernels and registry rows.
//
// Each stream replays its batch kernel's floating-point operations in the same
// order (same seeds, same running sums, same Wilder updates), which is what
// makes its outputs bit-identical to the batch ones; the comment on each core
// names the kernel it mirrors. State that changes per bar is computed into
// locals first and stored only when `commit` is set, so peek() is the same
// code path as update() minus the final stores. See function.hpp for the
// streaming contract and stream_state.hpp for persist().
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "ta/function.hpp"
#include "ta/kernel_util.hpp"
#include "ta/kernels.hpp"
#include "ta/stream_state.hpp"
#include "ta/streams.hpp"

namespace ts::ta::streams {

using detail::is_zero;
using std::size_t;
inline int as_int(double v) { return static_cast<int>(v); }

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

/// SMA (period >= 2) or SUM over real0.
struct SumCore {
  WindowSum s;
  template <class Ar>
  void persist(Ar& ar) {
    ar(s);
  }
  bool step(const StreamBar& b, double* out, bool commit) { return s.step(b.real0, out[0], commit); }
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

}  // namespace ts::ta::streams
