// `tickstock ta`: compute any registered function over a CSV of bars.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.hpp"
#include "ingest/csv_bars.hpp"
#include "ta/function.hpp"

namespace ts::app {
namespace {

struct TaOptions {
  std::string input, fn, output, inputs;
  bool list = false;
  bool markdown = false;
};

std::string_view input_name(ta::Input in) {
  switch (in) {
    case ta::Input::open:
      return "open";
    case ta::Input::high:
      return "high";
    case ta::Input::low:
      return "low";
    case ta::Input::close:
      return "close";
    case ta::Input::volume:
      return "volume";
    case ta::Input::real0:
      return "real0";
    case ta::Input::real1:
      return "real1";
  }
  return "?";
}

std::string_view type_name(ta::OptionType t) {
  switch (t) {
    case ta::OptionType::integer:
      return "integer";
    case ta::OptionType::real:
      return "real";
    case ta::OptionType::matype:
      return "matype";
  }
  return "?";
}

void append_item(std::string& list, std::string_view separator, std::string_view item) {
  if (!list.empty()) list += separator;
  list += item;
}

void print_list(std::ostream& out) {
  for (const auto& f : ta::registry()) {
    std::string inputs, options, outputs;
    for (const auto in : f.inputs) append_item(inputs, ",", input_name(in));
    for (const auto& o : f.options)
      options += fmt::format("{}{}={} [{} {}..{}]", options.empty() ? "" : ", ", o.name, o.default_value,
                             type_name(o.type), o.min_value, o.max_value);
    for (const auto& o : f.outputs) append_item(outputs, ",", o.name);
    out << fmt::format("{:<20} {:<22} inputs: {:<26} outputs: {:<40} options: {}\n", f.name, f.group, inputs,
                       outputs, options.empty() ? "-" : options);
  }
}

/// Column for a named source ("open", "close", ...). Empty span when unknown.
std::span<const double> column(const BarSeries& b, std::string_view name) {
  if (name == "open") return b.open;
  if (name == "high") return b.high;
  if (name == "low") return b.low;
  if (name == "close") return b.close;
  if (name == "volume") return b.volume;
  return {};
}

/// The Streaming cell: "yes", "-" (none yet), or for functions with a matype
/// option the types that stream when not all of them do ("matype 0-4,6,8").
std::string streaming_cell(const ta::FunctionSpec& f) {
  if (f.stream == nullptr) return "-";
  for (std::size_t k = 0; k < f.options.size(); ++k) {
    const auto& o = f.options[k];
    if (o.type != ta::OptionType::matype) continue;
    std::vector<std::pair<std::string_view, double>> opts;
    std::string types;
    bool all = true;
    for (int t = static_cast<int>(o.min_value); t <= static_cast<int>(o.max_value); ++t) {
      const std::pair<std::string_view, double> one[] = {{o.name, t}};
      auto call = ta::make_call(f.name, one);
      if (call && ta::make_stream(*call) != nullptr)
        append_item(types, ",", std::to_string(t));
      else
        all = false;
    }
    if (!all) return fmt::format("{} {}", o.name, types);
  }
  return "yes";
}

/// The registry as a Markdown table: docs/indicators.md embeds exactly this
/// (a test keeps the two identical).
void print_markdown(std::ostream& out) {
  out << "| Function | Group | Inputs | Options (default, range) | Outputs | Streaming | Description |\n";
  out << "|---|---|---|---|---|---|---|\n";
  for (const auto& f : ta::registry()) {
    std::string inputs, options, outputs;
    for (const auto in : f.inputs) append_item(inputs, ", ", input_name(in));
    for (const auto& o : f.options)
      options += fmt::format("{}`{}`={} ({} {}..{})", options.empty() ? "" : "<br>", o.name, o.default_value,
                             type_name(o.type), o.min_value, o.max_value);
    for (const auto& o : f.outputs) append_item(outputs, ", ", o.name);
    out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", f.name, f.group, inputs,
                       options.empty() ? "-" : options, outputs, streaming_cell(f), f.description);
  }
}

int do_ta(const TaOptions& o) {
  if (o.list) {
    if (o.markdown)
      print_markdown(std::cout);
    else
      print_list(std::cout);
    return 0;
  }
  if (o.input.empty() || o.fn.empty()) {
    std::cerr << "error: --input and --fn are required (or use --list)\n";
    return 2;
  }
  auto call = ta::parse_call(o.fn);
  if (!call) {
    std::cerr << "error: " << call.error().message << "\n";
    return 2;
  }
  auto bars = ingest::read_bars_csv(o.input);
  if (!bars) {
    std::cerr << "error: " << ingest::to_string(bars.error().code) << ": " << bars.error().message << "\n";
    return 2;
  }
  // Generic real inputs: one real reads close; two reals read high and low
  // (TA-Lib's abstract-interface default); --inputs real0=..,real1=.. overrides.
  const std::size_t n = bars->size();
  int reals = 0;
  for (const auto in : call->spec->inputs) reals += (in == ta::Input::real0 || in == ta::Input::real1);
  std::map<std::string, std::string> source{{"real0", reals >= 2 ? "high" : "close"}, {"real1", "low"}};
  if (!o.inputs.empty()) {
    std::size_t pos = 0;
    while (pos <= o.inputs.size()) {
      const auto comma = o.inputs.find(',', pos);
      const std::string item =
          o.inputs.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      const auto eq = item.find('=');
      if (eq == std::string::npos || (item.substr(0, eq) != "real0" && item.substr(0, eq) != "real1") ||
          column(*bars, item.substr(eq + 1)).empty()) {
        std::cerr
            << "error: --inputs item '" << item
            << "' (expected real0=COLUMN or real1=COLUMN, COLUMN one of open, high, low, close, volume)\n";
        return 2;
      }
      source[item.substr(0, eq)] = item.substr(eq + 1);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  ta::Inputs in{bars->open,
                bars->high,
                bars->low,
                bars->close,
                bars->volume,
                column(*bars, source["real0"]),
                column(*bars, source["real1"]),
                n};
  const auto& outs = call->spec->outputs;
  std::vector<std::vector<double>> cols(outs.size(), std::vector<double>(n));
  std::vector<std::span<double>> spans(cols.begin(), cols.end());
  ta::run(*call, in, spans);

  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot write '" << o.output << "'\n";
      return 1;
    }
  }
  std::ostream& out = o.output.empty() ? std::cout : file;
  std::string line = "date";
  for (const auto& spec : outs) line += "," + std::string(spec.name);
  out << line << "\n";
  for (std::size_t i = 0; i < n; ++i) {
    line = format_date(bars->date[i]);
    for (std::size_t k = 0; k < outs.size(); ++k) {
      line += ',';
      const double v = cols[k][i];
      if (std::isnan(v)) continue;  // inside the lookback: empty cell
      if (outs[k].kind == ta::OutputKind::integer)
        line += fmt::format("{}", static_cast<long long>(v));
      else
        line += fmt::format("{}", v);  // shortest round-trip representation
    }
    out << line << "\n";
  }
  return 0;
}

}  // namespace

void add_ta_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<TaOptions>();
  auto* cmd = app.add_subcommand("ta", "Compute a technical-analysis function over a CSV of daily bars");
  cmd->add_option("--input", opts->input, "CSV file (plain, Yahoo or Stooq format)");
  cmd->add_option("--fn", opts->fn, "Function call, e.g. 'RSI(timeperiod=14)'");
  cmd->add_option("--output", opts->output, "Write CSV here instead of stdout");
  cmd->add_option("--inputs", opts->inputs, "Map generic inputs, e.g. real0=close,real1=open");
  cmd->add_flag("--list", opts->list, "List every registered function with options, defaults and outputs");
  cmd->add_flag("--markdown", opts->markdown, "With --list: print the registry as a Markdown table");
  cmd->callback([opts, &exit_code] { exit_code = do_ta(*opts); });
}

}  // namespace ts::app
