#include "ingest/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/calendar.hpp"

namespace ts::ingest {
namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
constexpr double kTradingDaysPerYear = 252.0;
/// Last date simulated; parse_date accepts nothing later.
constexpr TradingDate kLastDate{std::chrono::year{2200} / 12 / 31};

/// splitmix64's output function: a strong 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// FNV-1a, to turn a symbol into 64 bits before mixing.
constexpr std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

/// A splitmix64 stream. One per (symbol key, stream id): streams are
/// independent, so a day's draws never depend on how many draws earlier days made.
class Rng {
 public:
  Rng(std::uint64_t key, std::uint64_t stream) : state_(mix64(key ^ (stream * kGolden))) {}
  std::uint64_t next() noexcept {
    state_ += kGolden;
    return mix64(state_);
  }
  /// Uniform in (0, 1): never 0, so log() is safe.
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  /// Two independent standard normals (Marsaglia's polar method: no sin/cos).
  void normal_pair(double& a, double& b) noexcept {
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    a = u * f;
    b = v * f;
  }

 private:
  std::uint64_t state_;
};

/// Per-symbol parameters; daily units.
struct Params {
  double log_price0;
  double growth;          // daily log growth of the trend the price reverts to
  double vol_calm;        // daily volatility in the calm regime
  double vol_turbulent;   // ... and in the turbulent one
  double p_to_turbulent;  // daily switch probabilities
  double p_to_calm;
  double log_volume;  // log of the typical daily volume
};

constexpr std::uint64_t kParamStream = 0xffffffffULL << 32;  // far from any day number

Params params_for(std::uint64_t key) {
  Rng r(key, kParamStream);
  Params p{};
  p.log_price0 = r.uniform(std::log(10.0), std::log(250.0));
  p.growth = r.uniform(-0.03, 0.09) / kTradingDaysPerYear;
  p.vol_calm = r.uniform(0.12, 0.40) / std::sqrt(kTradingDaysPerYear);
  p.vol_turbulent = p.vol_calm * r.uniform(1.8, 3.0);
  p.p_to_turbulent = r.uniform(0.01, 0.03);
  p.p_to_calm = r.uniform(0.07, 0.13);
  p.log_volume = r.uniform(std::log(3e5), std::log(3e7));
  return p;
}

// Share of a day's variance that falls overnight (between close and next open).
constexpr double kGapShare = 0.35;                   // of the standard deviation: 12% of variance
constexpr double kIntradayShare = 0.93674969975975;  // sqrt(1 - kGapShare^2)
constexpr double kRangeScale = 0.5;                  // mean high/low extension, in daily sigmas
constexpr double kVolumeSigma = 0.3;                 // lognormal dispersion of volume
// The log price reverts slowly towards its trend (log_price0 + growth * sessions):
// trends last years, yet a symbol does not wander off to $0.01 or $1e6.
constexpr double kReversion = 1.0 / 1500.0;  // per session
// Backstop bounds on the price: a small pull back once outside $1..$5000.
const double kLogFloor = std::log(1.0);
const double kLogCeiling = std::log(5000.0);
constexpr double kPull = 0.003;

/// 1 + x + x^2/2: exp(x) to within 0.02% for the small extensions used (x < 0.1
/// almost always), at a fraction of the cost, and >= 1 for x >= 0.
double growth_factor(double x) { return 1.0 + x * (1.0 + 0.5 * x); }

/// Rounds a positive value to the nearest multiple of 1/scale. Truncating
/// x * scale + 0.5 is exact for the magnitudes here (< 2^53) and, unlike
/// std::round, compiles to one instruction on baseline x86-64.
double round_to(double x, double scale) {
  return static_cast<double>(static_cast<std::int64_t>(x * scale + 0.5)) / scale;
}

/// Rounds to the quoted tick: cents, or 1/100 of a cent below $1. Monotonic, so
/// rounding keeps high >= max(open, close) and low <= min(open, close).
double round_price(double x) {
  if (x >= 1.0) return round_to(x, 100.0);
  return std::max(round_to(x, 10000.0), 0.0001);
}

class SyntheticProvider final : public BarProvider {
 public:
  explicit SyntheticProvider(std::uint64_t seed) : seed_(seed) {}

  std::string describe() const override { return "synthetic:seed=" + std::to_string(seed_); }

  Result<BarSeries, FetchFailure> fetch(const FetchRequest& req) const override {
    TradingDate first = std::max(req.from, kSyntheticEpoch);
    if (req.after) first = std::max(first, *req.after + std::chrono::days{1});
    const TradingDate last = std::min(req.to, kLastDate);
    BarSeries out;
    if (first > last) return out;
    out.reserve(static_cast<std::size_t>((last - first).count()) * 5 / 7 + 2);

    const std::uint64_t key = mix64(mix64(seed_) ^ fnv1a(req.symbol.str()));
    const Params p = params_for(key);
    double log_close = p.log_price0;
    double trend = p.log_price0;
    bool turbulent = false;
    for (TradingDate d = kSyntheticEpoch; d <= last; d += std::chrono::days{1}) {
      if (!is_trading_day(d)) continue;
      Rng r(key, static_cast<std::uint32_t>(to_days(d)));
      // The path (needed for every day since the epoch): regime, gap, intraday move.
      if (r.uniform() < (turbulent ? p.p_to_calm : p.p_to_turbulent)) turbulent = !turbulent;
      const double sigma = turbulent ? p.vol_turbulent : p.vol_calm;
      double z_gap = 0, z_day = 0;
      r.normal_pair(z_gap, z_day);
      trend += p.growth;
      double pull = p.growth + kReversion * (trend - log_close);
      if (log_close < kLogFloor) pull += kPull;
      if (log_close > kLogCeiling) pull -= kPull;
      const double log_open = log_close + kGapShare * sigma * z_gap;
      log_close = log_open + pull + kIntradayShare * sigma * z_day;
      if (d < first) continue;

      // The bar itself (only inside the window): range and volume.
      const double open = std::exp(log_open);
      const double close = std::exp(log_close);
      double z_up = 0, z_down = 0, z_volume = 0, unused = 0;
      r.normal_pair(z_up, z_down);
      r.normal_pair(z_volume, unused);
      const double high = std::max(open, close) * growth_factor(kRangeScale * sigma * std::abs(z_up));
      const double low = std::min(open, close) / growth_factor(kRangeScale * sigma * std::abs(z_down));
      const double move = std::abs(kGapShare * z_gap + kIntradayShare * z_day);  // in sigmas
      const double volume =
          std::exp(p.log_volume + kVolumeSigma * z_volume - 0.5 * kVolumeSigma * kVolumeSigma) *
          (0.6 + 0.5 * move) * (turbulent ? 1.3 : 1.0);
      out.push_back({d, round_price(open), round_price(high), round_price(low), round_price(close),
                     std::max(100.0, round_to(volume, 1.0))});
    }
    return out;
  }

 private:
  std::uint64_t seed_;
};

}  // namespace

std::unique_ptr<BarProvider> make_synthetic_provider(std::uint64_t seed) {
  return std::make_unique<SyntheticProvider>(seed);
}

}  // namespace ts::ingest
