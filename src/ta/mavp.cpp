// MAVP: moving average with a variable period (TA-Lib's TA_MAVP), batch and
// streaming forms. See kernels.hpp for the definition of the period column.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ta/kernels.hpp"
#include "ta/stream_state.hpp"
#include "ta/streams.hpp"
#include "ta/table.hpp"

namespace ts::ta {

int mavp_period(double period, int minperiod, int maxperiod) {
  // C's (int) cast of a NaN or out-of-range double is undefined; TA-Lib's
  // builds on x86 get INT_MIN (cvttsd2si), which the clamp turns into minperiod.
  const int p = (period > -2147483649.0 && period < 2147483648.0) ? static_cast<int>(period) : INT_MIN;
  return p < minperiod ? minperiod : (p > maxperiod ? maxperiod : p);
}

int mavp_lookback(int /*minperiod*/, int maxperiod, int matype) { return ma_lookback(maxperiod, matype); }

namespace {

// MAVP over SMAs (matype 0, the default): TA-Lib runs one SMA per distinct
// period, one after the other, each a chain of two dependent adds per bar.
// Here every period's running sum advances in one pass over the bars, with
// sma()'s operations per chain (seeded with the p - 1 bars before `first`, add
// the newest value, use the total, subtract the oldest), so the chains overlap
// instead of waiting on each other and each bar divides only its own total.
int mavp_sma(const double* x, std::size_t n, const std::vector<int>& per, std::size_t first, int minperiod,
             int maxperiod, double* out) {
  std::vector<int> chain_of(static_cast<std::size_t>(maxperiod - minperiod + 1), -1);
  std::vector<std::size_t> lag;  // p - 1 of each chain
  for (std::size_t i = first; i < n; ++i) {
    int& c = chain_of[static_cast<std::size_t>(per[i] - minperiod)];
    if (c >= 0) continue;
    c = static_cast<int>(lag.size());
    lag.push_back(static_cast<std::size_t>(per[i] - 1));
  }
  const std::size_t m = lag.size();
  std::vector<double> total(m, 0.0);
  for (std::size_t c = 0; c < m; ++c)
    for (std::size_t j = first - lag[c]; j < first; ++j) total[c] += x[j];
  double* t = total.data();
  const std::size_t* l = lag.data();
  for (std::size_t i = first; i < n; ++i) {
    const double xi = x[i];
    for (std::size_t c = 0; c < m; ++c) t[c] += xi;
    const int p = per[i];
    out[i] = t[chain_of[static_cast<std::size_t>(p - minperiod)]] / static_cast<double>(p);
    for (std::size_t c = 0; c < m; ++c) t[c] -= x[i - l[c]];
  }
  return static_cast<int>(first);
}

}  // namespace

int mavp(In real, In periods, int minperiod, int maxperiod, int matype, Out out) {
  const std::size_t n = real.size();
  const int lb = mavp_lookback(minperiod, maxperiod, matype);
  if (n <= static_cast<std::size_t>(lb)) return static_cast<int>(n);
  const std::size_t first = static_cast<std::size_t>(lb);
  // As TA-Lib: the clamped period of every bar once (its localPeriodArray),
  // then one TA_MA per distinct period, copied to the bars that use it.
  std::vector<int> per(n);
  for (std::size_t i = first; i < n; ++i) per[i] = mavp_period(periods[i], minperiod, maxperiod);
  if (matype == 0) return mavp_sma(real.data(), n, per, first, minperiod, maxperiod, out.data());
  std::vector<double> scratch(n);
  std::vector<bool> done(static_cast<std::size_t>(maxperiod - minperiod + 1), false);
  for (std::size_t i = first; i < n; ++i) {
    const int p = per[i];
    const std::size_t slot = static_cast<std::size_t>(p - minperiod);
    if (done[slot]) continue;
    done[slot] = true;
    // TA_MA(startIdx = lb, period p): its computation starts lb - lookback(p) bars in.
    const std::size_t from = first - static_cast<std::size_t>(ma_lookback(p, matype));
    ma(real.subspan(from), p, matype, Out(scratch).subspan(from));
    const int* pj = per.data();
    const double* sj = scratch.data();
    double* oj = out.data();
    for (std::size_t j = i; j < n; ++j)
      if (pj[j] == p) oj[j] = sj[j];
  }
  return lb;
}

namespace streams {
namespace {

/// mavp(): one MA stream per period in [minperiod, maxperiod] (the streaming
/// MA of every type), each fed from the bar where the batch's TA_MA call for
/// that period starts. Cost per update O(maxperiod - minperiod + 1) (every
/// period's MA advances); memory the sum of those MAs' windows.
class MavpStream final : public Stream {
 public:
  MavpStream(int minperiod, int maxperiod, int matype)
      : lo_(minperiod),
        hi_(maxperiod),
        lb_(static_cast<std::uint64_t>(mavp_lookback(minperiod, maxperiod, matype))) {
    for (int p = lo_; p <= hi_; ++p) {
      const double opts[] = {static_cast<double>(p), static_cast<double>(matype)};
      mas_.push_back(ma(opts));
      start_.push_back(lb_ - static_cast<std::uint64_t>(ma_lookback(p, matype)));
    }
  }

 protected:
  bool step(const StreamBar& bar, double* out, bool commit) override {
    StreamBar x;
    x.real0 = bar.real0;
    const bool valid = i_ >= lb_;
    const std::size_t chosen = static_cast<std::size_t>(mavp_period(bar.periods, lo_, hi_) - lo_);
    if (!commit) return valid && mas_[chosen]->peek(x, std::span<double>(out, 1));
    double scratch = 0.0;
    for (std::size_t k = 0; k < mas_.size(); ++k) {
      if (i_ < start_[k]) continue;
      mas_[k]->update(x, std::span<double>(valid && k == chosen ? out : &scratch, 1));
    }
    ++i_;
    return valid;
  }
  bool save_fields(detail::StateWriter& w) const override { return const_cast<MavpStream*>(this)->fields(w); }
  bool restore_fields(detail::StateReader& r) override { return fields(r); }

 private:
  template <class Ar>
  bool fields(Ar& ar) {
    ar.same(lo_, hi_, lb_, start_);
    ar(i_, mas_);
    return true;
  }

  int lo_, hi_;
  std::uint64_t lb_;
  std::uint64_t i_ = 0;
  std::vector<std::unique_ptr<Stream>> mas_;
  std::vector<std::uint64_t> start_;
};

std::unique_ptr<Stream> mavp(Opts o) {
  return std::make_unique<MavpStream>(table::as_int(o[0]), table::as_int(o[1]), table::as_int(o[2]));
}

}  // namespace

}  // namespace streams
}  // namespace ts::ta

// ---- Registry rows ----------------------------------------------------------

namespace ts::ta {
namespace {

using namespace table;  // NOLINT(google-build-using-namespace): the rows' shared vocabulary

constexpr Input kRealPeriods[] = {Input::real0, Input::periods};

constexpr OptionSpec kMavpOptions[] = {
    {"minperiod", OptionType::integer, 2, 2, kMaxPeriod,
     "Smallest period (smaller values in the periods column are raised to it)"},
    {"maxperiod", OptionType::integer, 30, 2, kMaxPeriod,
     "Largest period (larger values are lowered to it); sets the lookback"},
    {"matype", OptionType::matype, 0, 0, kMaxMaType, kMaTypeHelp}};

int mavp_lb(Opts o) { return mavp_lookback(as_int(o[0]), as_int(o[1]), as_int(o[2])); }

int mavp_run(const Inputs& in, Opts o, Outs out) {
  return mavp(real0(in), in.periods, as_int(o[0]), as_int(o[1]), as_int(o[2]), out[0]);
}

// clang-format off
constexpr FunctionSpec kRows[] = {
    {"MAVP", kOverlap,
     "Moving average with variable period: bar i uses MA(period = periods[i] truncated and clamped to "
     "[minperiod, maxperiod]), each period's MA started where TA-Lib's TA_MA call starts it. Lookback that of "
     "MA(maxperiod, matype).",
     kRealPeriods, kMavpOptions, kOutReal, mavp_lb, mavp_run, streams::mavp},
};
// clang-format on
static_assert(rows_fit(kRows));

}  // namespace

std::span<const FunctionSpec> mavp_functions() { return kRows; }

}  // namespace ts::ta
