// Generic TA-Lib twins through TA-Lib's abstract interface (see talib_twins.hpp).
#include "talib_twins.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ta/kernels.hpp"

extern "C" {
#include "ta_abstract.h"
#include "ta_libc.h"
}

namespace ts::bench {
namespace {

using ts::ta::Input;

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// TA-Lib's "optInTimePeriod" -> "timeperiod", our option name.
std::string option_key(std::string_view talib_name) {
  constexpr std::string_view kPrefix = "optIn";
  if (talib_name.substr(0, kPrefix.size()) == kPrefix) talib_name.remove_prefix(kPrefix.size());
  return lower(talib_name);
}

TA_ParamHolder* holder(void* p) { return static_cast<TA_ParamHolder*>(p); }

bool same_bits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Distance in units in the last place, counted through zero across signs (0
/// for the same bits or NaN with NaN; infinity against a lone NaN).
double ulps_apart(double a, double b) {
  if (same_bits(a, b)) return 0.0;
  if (std::isnan(a) || std::isnan(b)) return HUGE_VAL;
  const auto ordered = [](double v) {
    std::int64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return bits < 0 ? -(bits & INT64_MAX) : bits;
  };
  const __int128 d = static_cast<__int128>(ordered(a)) - ordered(b);  // exact (int64 differences can overflow)
  return static_cast<double>(d < 0 ? -d : d);
}

/// The acceptance tolerance of issue 5 (the golden tests use the same rule).
bool within_parity(double a, double b) {
  if (same_bits(a, b)) return true;
  if (std::isnan(a) || std::isnan(b)) return false;
  const double d = std::fabs(a - b);
  return d <= 1e-12 || d <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

}  // namespace

bool generic_twin_candidate(const ts::ta::FunctionSpec& f) {
  if (f.name.substr(0, 3) == "CDL") return false;  // candlestick twins live in ta_bench.cpp (cdl helper)
  const TA_FuncHandle* h = nullptr;
  return TA_GetFuncHandle(std::string(f.name).c_str(), &h) == TA_SUCCESS;
}

TaLibTwin::~TaLibTwin() {
  if (params_ != nullptr) TA_ParamHolderFree(holder(params_));
}

std::unique_ptr<TaLibTwin> TaLibTwin::make(const ts::ta::Call& call, const ts::ta::Inputs& in, std::string* why) {
  const ts::ta::FunctionSpec& f = *call.spec;
  const std::string name(f.name);
  const TA_FuncHandle* h = nullptr;
  const TA_FuncInfo* info = nullptr;
  if (!generic_twin_candidate(f) || TA_GetFuncHandle(name.c_str(), &h) != TA_SUCCESS ||
      TA_GetFuncInfo(h, &info) != TA_SUCCESS) {
    *why = name + ": no generic TA-Lib twin";
    return nullptr;
  }
  std::unique_ptr<TaLibTwin> t(new TaLibTwin());
  TA_ParamHolder* p = nullptr;
  if (TA_ParamHolderAlloc(h, &p) != TA_SUCCESS) {
    *why = name + ": TA_ParamHolderAlloc failed";
    return nullptr;
  }
  t->params_ = p;
  t->n_ = static_cast<int>(in.size);
  t->capacity_ = t->n_;

  t->handle_ = h;
  if (!t->bind(in)) {
    *why = name + ": cannot bind the inputs";
    return nullptr;
  }

  // Options: every TA-Lib optIn* parameter must be one of ours, by name.
  for (unsigned i = 0; i < info->nbOptInput; ++i) {
    const TA_OptInputParameterInfo* oi = nullptr;
    TA_GetOptInputParameterInfo(h, i, &oi);
    const std::string key = option_key(oi->paramName);
    const auto& opts = f.options;
    const auto it = std::find_if(opts.begin(), opts.end(), [&](const auto& o) { return lower(o.name) == key; });
    if (it == opts.end()) {
      *why = name + ": TA-Lib option " + oi->paramName + " has no registry option";
      return nullptr;
    }
    const double v = call.options[static_cast<std::size_t>(it - opts.begin())];
    const bool integer = oi->type == TA_OptInput_IntegerRange || oi->type == TA_OptInput_IntegerList;
    const TA_RetCode rc = integer ? TA_SetOptInputParamInteger(p, i, static_cast<TA_Integer>(v))
                                  : TA_SetOptInputParamReal(p, i, v);
    if (rc != TA_SUCCESS) {
      *why = name + ": TA-Lib rejects option " + oi->paramName + "=" + std::to_string(v);
      return nullptr;
    }
  }
  if (info->nbOptInput != f.options.size()) {
    *why = name + ": registry has options TA-Lib does not";
    return nullptr;
  }

  for (unsigned i = 0; i < info->nbOutput; ++i) {
    const TA_OutputParameterInfo* oi = nullptr;
    TA_GetOutputParameterInfo(h, i, &oi);
    const bool is_int = oi->type == TA_Output_Integer;
    t->out_is_int_.push_back(is_int);
    TA_RetCode rc;
    if (is_int) {
      t->int_out_.emplace_back(in.size);
      t->real_out_.emplace_back();
      rc = TA_SetOutputParamIntegerPtr(p, i, t->int_out_.back().data());
    } else {
      t->real_out_.emplace_back(in.size);
      t->int_out_.emplace_back();
      rc = TA_SetOutputParamRealPtr(p, i, t->real_out_.back().data());
    }
    if (rc != TA_SUCCESS) {
      *why = name + ": cannot bind output " + oi->paramName;
      return nullptr;
    }
  }
  if (info->nbOutput != f.outputs.size()) {
    *why = name + ": output count differs from TA-Lib's";
    return nullptr;
  }
  return t;
}

bool TaLibTwin::bind(const ts::ta::Inputs& in) {
  const auto* h = static_cast<const TA_FuncHandle*>(handle_);
  const TA_FuncInfo* info = nullptr;
  if (TA_GetFuncInfo(h, &info) != TA_SUCCESS || static_cast<int>(in.size) > capacity_) return false;
  TA_ParamHolder* p = holder(params_);
  n_ = static_cast<int>(in.size);
  // Inputs, bound as ta::run binds them: one real input reads close, two read
  // high and low (unless real0/real1 are bound); MAVP's inPeriods reads periods.
  unsigned reals = 0;
  for (unsigned i = 0; i < info->nbInput; ++i) {
    const TA_InputParameterInfo* pi = nullptr;
    TA_GetInputParameterInfo(h, i, &pi);
    if (pi->type == TA_Input_Real && std::string_view(pi->paramName) != "inPeriods") ++reals;
  }
  unsigned real_index = 0;
  for (unsigned i = 0; i < info->nbInput; ++i) {
    const TA_InputParameterInfo* pi = nullptr;
    TA_GetInputParameterInfo(h, i, &pi);
    TA_RetCode rc = TA_BAD_PARAM;
    if (pi->type == TA_Input_Price) {
      auto col = [&](int flag, std::span<const double> c) {
        return (pi->flags & flag) != 0 ? c.data() : nullptr;
      };
      rc = TA_SetInputParamPricePtr(p, i, col(TA_IN_PRICE_OPEN, in.open), col(TA_IN_PRICE_HIGH, in.high),
                                    col(TA_IN_PRICE_LOW, in.low), col(TA_IN_PRICE_CLOSE, in.close),
                                    col(TA_IN_PRICE_VOLUME, in.volume), nullptr);
    } else if (pi->type == TA_Input_Real) {
      std::span<const double> c;
      if (std::string_view(pi->paramName) == "inPeriods") {
        c = in.periods;
      } else if (reals == 2) {
        c = real_index == 0 ? (in.real0.empty() ? in.high : in.real0) : (in.real1.empty() ? in.low : in.real1);
        ++real_index;
      } else {
        c = in.real0.empty() ? in.close : in.real0;
      }
      rc = TA_SetInputParamRealPtr(p, i, c.data());
    }
    if (rc != TA_SUCCESS) {
      return false;
    }
  }

  return true;
}

int TaLibTwin::call() { return TA_CallFunc(holder(params_), 0, n_ - 1, &begin_, &count_); }

bool TaLibTwin::same_as_ours(const ts::ta::Call& call, const ts::ta::Inputs& in, std::string* why,
                             Distance* distance) {
  const std::string name(call.spec->name);
  Distance worst;
  const std::size_t m = out_is_int_.size();
  std::vector<std::vector<double>> ours(m, std::vector<double>(in.size));
  std::vector<std::span<double>> spans(ours.begin(), ours.end());
  const int ours_begin = ts::ta::run(call, in, spans);
  if (const int rc = this->call(); rc != TA_SUCCESS) {
    *why = name + ": TA_CallFunc returned " + std::to_string(rc);
    return false;
  }
  const int n = static_cast<int>(in.size);
  const int talib_begin = count_ == 0 ? n : begin_;
  if (ours_begin != talib_begin || ours_begin + count_ != n) {
    *why = name + ": begin " + std::to_string(ours_begin) + " vs TA-Lib's " + std::to_string(talib_begin) + " (" +
           std::to_string(count_) + " values)";
    return false;
  }
  for (std::size_t k = 0; k < m; ++k) {
    for (int j = 0; j < count_; ++j) {
      const double theirs = out_is_int_[k] ? static_cast<double>(int_out_[k][static_cast<std::size_t>(j)])
                                           : real_out_[k][static_cast<std::size_t>(j)];
      const double mine = ours[k][static_cast<std::size_t>(ours_begin + j)];
      worst.ulps = std::max(worst.ulps, ulps_apart(mine, theirs));
      if (!same_bits(mine, theirs) && std::isfinite(mine) && std::isfinite(theirs)) {
        const double d = std::fabs(mine - theirs);
        worst.absolute = std::max(worst.absolute, d);
        worst.relative = std::max(worst.relative, d / std::max(std::fabs(mine), std::fabs(theirs)));
      }
      if (out_is_int_[k] ? !same_bits(mine, theirs) : !within_parity(mine, theirs)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, ": output %zu bar %d: ours %.17g, TA-Lib %.17g", k, ours_begin + j, mine,
                      theirs);
        *why = name + buf;
        return false;
      }
    }
  }
  if (distance != nullptr) *distance = worst;
  return true;
}

}  // namespace ts::bench
