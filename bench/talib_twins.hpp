#pragma once
// Generic TA-Lib twins for the TA bench: one registry call drives TA-Lib's
// abstract interface (ta_abstract.h) with the same function name, the same
// option values (matched to TA-Lib's optIn* parameters by name) and the same
// input bindings as ta::run, so no function needs hand-written twin code.
// Built only with TICKSTOCK_WITH_TALIB (bench only; the product never links TA-Lib).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ta/function.hpp"

namespace ts::bench {

/// One TA-Lib function with fixed options, bound to one series of inputs.
/// Construction allocates the parameter holder and the output buffers; call()
/// is TA_CallFunc(0, n-1) only (no allocation, no lookups).
class TaLibTwin {
 public:
  ~TaLibTwin();
  TaLibTwin(const TaLibTwin&) = delete;
  TaLibTwin& operator=(const TaLibTwin&) = delete;

  /// The twin of `call` over `in` (bound as ta::run binds it), or nullptr with
  /// the reason in `why` (not a TA-Lib function, a candlestick function, or an
  /// option/input TA-Lib does not have).
  static std::unique_ptr<TaLibTwin> make(const ts::ta::Call& call, const ts::ta::Inputs& in, std::string* why);

  /// Points the twin at another series of at most the size it was made for
  /// (the 2000x5000 shape: one twin, rebound per series).
  bool bind(const ts::ta::Inputs& in);

  /// Runs TA-Lib over the whole series; returns TA_SUCCESS (0) or TA-Lib's code.
  int call();

  /// Runs both sides over the bound series and compares the begin index and
  /// every output value within the parity tolerance (1e-9 relative or
  /// 1e-12 absolute; NaN equals NaN; ints exactly). False with the first
  /// difference in `why`. `distance`, when given, receives the largest
  /// distances over all values (zero: bit for bit).
  struct Distance {
    double ulps = 0.0;      // units in the last place, counted through zero
    double relative = 0.0;  // |ours - theirs| / max(|ours|, |theirs|)
    double absolute = 0.0;  // |ours - theirs|
  };
  bool same_as_ours(const ts::ta::Call& call, const ts::ta::Inputs& in, std::string* why,
                    Distance* distance = nullptr);

 private:
  TaLibTwin() = default;
  void* params_ = nullptr;  // TA_ParamHolder*
  const void* handle_ = nullptr;  // const TA_FuncHandle*
  int n_ = 0, capacity_ = 0;
  int begin_ = 0, count_ = 0;
  std::vector<std::vector<double>> real_out_;
  std::vector<std::vector<int>> int_out_;
  std::vector<bool> out_is_int_;
};

/// True for the functions the generic twins cover (TA-Lib names outside the
/// candlestick group, which has its own twins).
bool generic_twin_candidate(const ts::ta::FunctionSpec& f);

}  // namespace ts::bench
