#pragma once
// The synthetic provider: deterministic, realistic-looking daily bars for any
// symbol, for demos, tests and benchmarks. Spec "synthetic" or "synthetic:seed=N".
//
// Determinism: a bar depends only on (seed, symbol, date). The series is
// simulated forward from kSyntheticEpoch and the requested window is cut out,
// so a bar is identical whether the request spans 2 years or 20 (runs are
// incremental). Randomness is counter-based: each (seed, symbol, day) gets its
// own splitmix64 stream, so no standard-library distribution (whose output
// differs between implementations) is involved. Values do go through libm
// exp/log/sqrt, whose last bit may differ between C libraries (or glibc's FMA
// and non-FMA variants); rounding to cents hides such differences in all but
// vanishingly rare cases, so bars are reproducible across machines in practice
// and bit-for-bit on the same platform.
//
// Model, per symbol (parameters drawn from a hash of seed and symbol):
//   - geometric Brownian motion of the price around a per-symbol trend (growth
//     of -3%..+9% a year from a starting price of about $10..$250), with a slow
//     reversion to that trend (time scale ~6 years) so prices stay plausible
//     for decades, and a backstop pull once outside $1..$5000;
//   - two volatility regimes, calm (12%..40% a year) and turbulent (1.8x..3x
//     that), with a Markov switch (calm spells last ~50 sessions, turbulent ~10);
//   - an overnight gap (about 12% of the daily variance) so the open differs
//     from the previous close, and an intraday high/low range scaled to the
//     regime's volatility;
//   - lognormal volume around a per-symbol mean, higher on big-move days and
//     in the turbulent regime.
// Prices are rounded to cents ($0.0001 below $1), volumes to whole shares
// (at least 100). Bars fall only on ts::is_trading_day() dates; none exist
// before kSyntheticEpoch (nor after 2200-12-31). Every bar passes bar_problem().
//
// Cost: one pass from the epoch to the end of the window, nothing cached; a
// 10-year window ending in 2024 takes about 0.25 ms on a 2-core dev VM.
#include <cstdint>
#include <memory>

#include "ingest/provider.hpp"

namespace ts::ingest {

inline constexpr std::uint64_t kDefaultSyntheticSeed = 42;
/// First simulated session (a Monday).
inline constexpr TradingDate kSyntheticEpoch{std::chrono::year{2000} / 1 / 3};

std::unique_ptr<BarProvider> make_synthetic_provider(std::uint64_t seed = kDefaultSyntheticSeed);

}  // namespace ts::ingest
