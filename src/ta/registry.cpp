// The TA function table and the call parser / validator / runner built on it.
// The rows live in the family files (table.hpp); this file joins them.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "ta/function.hpp"
#include "ta/table.hpp"

namespace ts::ta {
namespace {


using table::kMaxOutputs;
using table::pair0;
using table::pair1;
using table::real0;

// ---- Parsing helpers ----------------------------------------------------------

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Concatenates pieces (also keeps GCC 12's -Wrestrict false positive on
/// `"literal" + std::string` away).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (const auto p : parts) s.append(p);
  return s;
}

/// Shortest round-trip text for a double; integral values print without decimals.
std::string format_number(double v) {
  std::array<char, 64> buf{};
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) {
    auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<long long>(v));
    return std::string(buf.data(), p);
  }
  auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), p);
}

std::string range_text(const OptionSpec& o) {
  std::string s(1, '[');
  s.append(format_number(o.min_value)).append(", ").append(format_number(o.max_value)).append("]");
  return s;
}

std::string option_list(const FunctionSpec& f) {
  if (f.options.empty()) return "none";
  std::string s;
  for (const auto& o : f.options) {
    if (!s.empty()) s += ", ";
    s += o.name;
  }
  return s;
}

/// TA-Lib's group order (ta_func_list); extras last. Rows are listed by group
/// in this order, then by name, whichever family file declares them.
constexpr std::string_view kGroupOrder[] = {table::kCycle,       table::kMathOperators, table::kMathTransform,
                                            table::kMomentum,    table::kOverlap,       table::kPatterns,
                                            table::kPrice,       table::kStatistic,     table::kVolatility,
                                            table::kVolumeGroup, table::kExtras};

std::size_t group_rank(std::string_view group) {
  const auto* it = std::find(std::begin(kGroupOrder), std::end(kGroupOrder), group);
  if (it == std::end(kGroupOrder))
    throw std::logic_error(cat({"TA group '", group, "' is not in kGroupOrder"}));
  return static_cast<std::size_t>(it - std::begin(kGroupOrder));
}

/// The families' slices joined once (on first use, not by static initialisers:
/// the list below is the whole registry), sorted by group and name, names
/// checked unique.
const std::vector<FunctionSpec>& table_rows() {
  static const std::vector<FunctionSpec> rows = [] {
    std::vector<FunctionSpec> all;
    for (const auto slice :
         {overlap_functions(), moving_averages_functions(), mavp_functions(), momentum_functions(),
          directional_functions(), oscillators_functions(), volatility_functions(), volume_functions(),
          transform_functions(), stats_functions(), cycle_functions(), channels_functions(),
          pivots_functions(), extras_functions(), trend_extras_functions(), one_candle_functions(),
          two_candles_functions(), three_candles_functions(), multi_candles_functions()})
      all.insert(all.end(), slice.begin(), slice.end());
    std::sort(all.begin(), all.end(), [](const FunctionSpec& a, const FunctionSpec& b) {
      const auto ga = group_rank(a.group), gb = group_rank(b.group);
      return ga != gb ? ga < gb : a.name < b.name;
    });
    for (std::size_t k = 1; k < all.size(); ++k)
      if (all[k].name == all[k - 1].name)
        throw std::logic_error(cat({"TA function '", all[k].name, "' is declared twice"}));
    return all;
  }();
  return rows;
}

constexpr std::string_view kMaTypeNames[] = {"SMA",   "EMA",  "WMA",  "DEMA", "TEMA",
                                             "TRIMA", "KAMA", "MAMA", "T3"};
static_assert(std::size(kMaTypeNames) == kMaxMaType + 1);

/// "0=SMA, 1=EMA, ..." up to the option's maximum.
std::string matype_list(const OptionSpec& o) {
  std::string s;
  for (std::size_t k = 0; k < std::size(kMaTypeNames) && static_cast<double>(k) <= o.max_value; ++k) {
    if (!s.empty()) s += ", ";
    s += std::to_string(k);
    s += '=';
    s += kMaTypeNames[k];
  }
  return s;
}

/// Checks one option value (type and range). `text` is the original spelling
/// (empty when the value came in as a number).
Result<double> check_value(const FunctionSpec& f, const OptionSpec& o, double v, std::string_view text) {
  const auto where = cat({f.name, " option '", o.name, "'"});
  const auto shown = text.empty() ? format_number(v) : cat({"'", text, "'"});
  if (std::isnan(v)) return fail("BAD_OPTION", cat({where, ": ", shown, " is not a number"}));
  switch (o.type) {
    case OptionType::integer:
      if (v != std::trunc(v))
        return fail("BAD_OPTION", cat({where, " must be an integer in ", range_text(o), ", got ", shown}));
      break;
    case OptionType::matype:
      if (v != std::trunc(v) || v < o.min_value || v > o.max_value)
        return fail("BAD_OPTION",
                    cat({where, " must be a moving-average type in ", range_text(o), " (", matype_list(o),
                         o.max_value < kMaxMaType ? "; other TA-Lib types are not available here" : "",
                         "), got ", shown}));
      break;
    case OptionType::real:
      break;
  }
  if (v < o.min_value || v > o.max_value)
    return fail("BAD_OPTION", cat({where, " must be in ", range_text(o), ", got ", shown}));
  return v;
}

/// Parses an option value's text: a number, or an MA type name for matype options.
Result<double> parse_value(const FunctionSpec& f, const OptionSpec& o, std::string_view text) {
  if (o.type == OptionType::matype) {
    for (std::size_t k = 0; k < std::size(kMaTypeNames); ++k)
      if (iequals(text, kMaTypeNames[k])) return static_cast<double>(k);
  }
  double v = 0;
  std::string_view num = text;
  if (!num.empty() && num.front() == '+') num.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || std::isnan(v)) {
    const char* kind = o.type == OptionType::real ? "a number" : "an integer";
    return fail("BAD_OPTION", cat({f.name, " option '", o.name, "' must be ", kind, " in ", range_text(o),
                                   ", got '", text, "'"}));
  }
  return check_value(f, o, v, text);
}

const OptionSpec* find_option(const FunctionSpec& f, std::string_view name, std::size_t& index) {
  for (std::size_t k = 0; k < f.options.size(); ++k) {
    if (iequals(f.options[k].name, name)) {
      index = k;
      return &f.options[k];
    }
  }
  return nullptr;
}

Result<Call> defaults(std::string_view name) {
  const FunctionSpec* f = find_function(trim(name));
  if (f == nullptr) return fail("UNKNOWN_FUNCTION", cat({"unknown TA function '", trim(name), "'"}));
  Call call;
  call.spec = f;
  call.options.reserve(f->options.size());
  for (const auto& o : f->options) call.options.push_back(o.default_value);
  return call;
}

/// Constraints between options (after each option's own range check).
Result<Call> cross_check(Result<Call> call) {
  if (!call) return call;
  const FunctionSpec& f = *call->spec;
  if (f.name == "MAVP" && call->options[0] > call->options[1])
    return fail("BAD_OPTION",
                cat({"MAVP option 'minperiod' must be <= maxperiod (", format_number(call->options[1]),
                     "), got ", format_number(call->options[0])}));
  return call;
}

Unexpected<Error> unknown_option(const FunctionSpec& f, std::string_view name) {
  return fail("UNKNOWN_OPTION", cat({f.name, " has no option '", name, "' (options: ", option_list(f), ")"}));
}

}  // namespace

std::span<const FunctionSpec> registry() { return table_rows(); }

const FunctionSpec* find_function(std::string_view name) {
  for (const auto& f : table_rows())
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string Call::key() const {
  std::string s(spec->name);
  if (spec->options.empty()) return s;
  s += '(';
  for (std::size_t k = 0; k < spec->options.size(); ++k) {
    if (k != 0) s += ',';
    s += spec->options[k].name;
    s += '=';
    s += format_number(options[k]);
  }
  s += ')';
  return s;
}

Result<Call> parse_call(std::string_view text) {
  const std::string_view t = trim(text);
  const auto open = t.find('(');
  const std::string_view name = trim(t.substr(0, open));
  if (name.empty()) return fail("BAD_CALL", "empty TA call: expected NAME or NAME(option=value,...)");
  auto call = defaults(name);
  if (!call || open == std::string_view::npos) return call;
  const FunctionSpec& f = *call->spec;
  if (t.back() != ')') return fail("BAD_CALL", cat({"malformed call '", t, "': expected ')' at the end"}));
  std::string_view body = trim(t.substr(open + 1, t.size() - open - 2));
  if (body.empty()) return call;
  std::vector<bool> seen(f.options.size(), false);
  while (true) {
    const auto comma = body.find(',');
    const std::string_view item = trim(body.substr(0, comma));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (item.empty() || item.find_first_of("()") != std::string_view::npos)
        return fail("BAD_CALL", cat({"malformed call '", t, "': expected option=value"}));
      std::size_t k = 0;
      if (find_option(f, item, k) == nullptr) return unknown_option(f, item);
      return fail("BAD_OPTION", cat({f.name, " option '", f.options[k].name,
                                     "' needs a value: ", f.options[k].name, "=VALUE"}));
    }
    const std::string_view oname = trim(item.substr(0, eq));
    const std::string_view ovalue = trim(item.substr(eq + 1));
    std::size_t k = 0;
    const OptionSpec* o = find_option(f, oname, k);
    if (o == nullptr) return unknown_option(f, oname);
    if (seen[k]) return fail("BAD_OPTION", cat({f.name, " option '", o->name, "' given twice"}));
    seen[k] = true;
    auto v = parse_value(f, *o, ovalue);
    if (!v) return fail(std::move(v).error());
    call->options[k] = *v;
    if (comma == std::string_view::npos) break;
    body = body.substr(comma + 1);
  }
  return cross_check(std::move(call));
}

Result<Call> make_call(std::string_view name, std::span<const std::pair<std::string_view, double>> opts) {
  auto call = defaults(name);
  if (!call) return call;
  const FunctionSpec& f = *call->spec;
  for (const auto& [oname, value] : opts) {
    std::size_t k = 0;
    const OptionSpec* o = find_option(f, oname, k);
    if (o == nullptr) return unknown_option(f, oname);
    auto v = check_value(f, *o, value, {});
    if (!v) return fail(std::move(v).error());
    call->options[k] = *v;
  }
  return cross_check(std::move(call));
}

namespace {

std::span<const double> column(const Inputs& in, Input which) {
  switch (which) {
    case Input::open:
      return in.open;
    case Input::high:
      return in.high;
    case Input::low:
      return in.low;
    case Input::close:
      return in.close;
    case Input::volume:
      return in.volume;
    case Input::real0:
      return real0(in);
    case Input::real1:
      return in.real1;
    case Input::periods:
      return in.periods;
  }
  return {};
}

constexpr std::string_view input_name(Input which) {
  switch (which) {
    case Input::open:
      return "open";
    case Input::high:
      return "high";
    case Input::low:
      return "low";
    case Input::close:
      return "close";
    case Input::volume:
      return "volume";
    case Input::real0:
      return "real0";
    case Input::real1:
      return "real1";
    case Input::periods:
      return "periods";
  }
  return "?";
}

}  // namespace

namespace {

/// run()'s binding of one series: two-real functions default to high and low
/// (TA-Lib's abstract interface), real0 to close; every needed column is
/// trimmed to in.size (kernels read the length of their first input).
Inputs bind_inputs(const FunctionSpec& f, const Inputs& bound) {
  Inputs in = bound;
  if (in.real1.empty() && std::find(f.inputs.begin(), f.inputs.end(), Input::real1) != f.inputs.end()) {
    if (in.real0.empty()) in.real0 = in.high;
    in.real1 = in.low;
  }
  const std::size_t n = in.size;
  Inputs view = in;
  auto fit = [&](std::span<const double>& col, Input which) {
    if (col.size() < n) {
      throw std::invalid_argument(std::string(f.name) + ": input column '" + std::string(input_name(which)) +
                                  "' has " + std::to_string(col.size()) + " values, expected " +
                                  std::to_string(n));
    }
    col = col.first(n);
  };
  for (const Input which : f.inputs) {
    switch (which) {
      case Input::open:
        fit(view.open, which);
        break;
      case Input::high:
        fit(view.high, which);
        break;
      case Input::low:
        fit(view.low, which);
        break;
      case Input::close:
        fit(view.close, which);
        break;
      case Input::volume:
        fit(view.volume, which);
        break;
      case Input::real0:
        view.real0 = column(in, Input::real0);
        fit(view.real0, which);
        break;
      case Input::real1:
        fit(view.real1, which);
        break;
      case Input::periods:
        fit(view.periods, which);
        break;
    }
  }
  return view;
}

/// Checks one series' output columns and trims them to n.
void fit_outputs(const FunctionSpec& f, std::span<const std::span<double>> outputs, std::size_t n,
                 std::span<std::span<double>> trimmed) {
  if (outputs.size() != f.outputs.size())
    throw std::invalid_argument(std::string(f.name) + ": expected " + std::to_string(f.outputs.size()) +
                                " output columns, got " + std::to_string(outputs.size()));
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    if (outputs[k].size() < n)
      throw std::invalid_argument(std::string(f.name) + ": output column shorter than the input");
    trimmed[k] = outputs[k].first(n);
  }
}

/// Clamps a kernel's begin index to [0, n] and sets the cells before it to NaN.
int fill_prefix(int begin, std::size_t n, std::span<const std::span<double>> cols) {
  const std::size_t b = std::min(static_cast<std::size_t>(std::max(begin, 0)), n);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (const auto& col : cols) std::fill(col.begin(), col.begin() + static_cast<std::ptrdiff_t>(b), kNaN);
  return static_cast<int>(b);
}

}  // namespace

int run(const Call& call, const Inputs& bound, std::span<const std::span<double>> outputs) {
  const FunctionSpec& f = *call.spec;
  const Inputs view = bind_inputs(f, bound);
  std::array<std::span<double>, kMaxOutputs> trimmed{};
  if (outputs.size() > trimmed.size()) fit_outputs(f, outputs, view.size, {});  // throws: wrong count
  fit_outputs(f, outputs, view.size, std::span(trimmed).first(outputs.size()));
  const auto cols = std::span<const std::span<double>>(trimmed.data(), outputs.size());
  return fill_prefix(f.batch(view, call.options, cols), view.size, cols);
}

int run_multi(const Call& call, std::span<const Inputs> series, std::span<const std::span<double>> outputs) {
  const FunctionSpec& f = *call.spec;
  const std::size_t m = f.outputs.size();
  if (outputs.size() != series.size() * m)
    throw std::invalid_argument(std::string(f.name) + ": expected " + std::to_string(series.size() * m) +
                                " output columns (" + std::to_string(m) + " per series), got " +
                                std::to_string(outputs.size()));
  const std::size_t n = series.empty() ? 0 : series[0].size;
  std::vector<Inputs> views;
  views.reserve(series.size());
  std::vector<std::span<double>> trimmed(outputs.size());
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (series[s].size != n)
      throw std::invalid_argument(std::string(f.name) + ": series " + std::to_string(s) + " has " +
                                  std::to_string(series[s].size) + " bars, series 0 has " +
                                  std::to_string(n));
    views.push_back(bind_inputs(f, series[s]));
    fit_outputs(f, outputs.subspan(s * m, m), n, std::span(trimmed).subspan(s * m, m));
  }
  if (series.empty()) return 0;
  return fill_prefix(f.multi(f, views, call.options, trimmed), n, trimmed);
}

std::unique_ptr<Stream> make_stream(const Call& call) {
  return call.spec->stream != nullptr ? call.spec->stream(call.options) : nullptr;
}

StreamBar stream_bar(const FunctionSpec& f, const Inputs& in, std::size_t i) {
  auto at = [i](std::span<const double> col) { return i < col.size() ? col[i] : 0.0; };
  const bool two_reals = std::find(f.inputs.begin(), f.inputs.end(), Input::real1) != f.inputs.end();
  StreamBar b{at(in.open), at(in.high), at(in.low), at(in.close), at(in.volume), 0.0, 0.0, at(in.periods)};
  if (two_reals) {
    b.real0 = at(pair0(in));
    b.real1 = at(pair1(in));
  } else {
    b.real0 = at(real0(in));
  }
  return b;
}

}  // namespace ts::ta
