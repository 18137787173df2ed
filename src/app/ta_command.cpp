// `tickstock ta`: compute any registered function over a CSV of bars.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.hpp"
#include "core/csv.hpp"
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
    case ta::Input::periods:
      return "periods";
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

bool is_bar_column(std::string_view name) {
  return name == "open" || name == "high" || name == "low" || name == "close" || name == "volume";
}

/// A bar CSV with extra named columns (MAVP's periods): the named columns'
/// values (an empty cell is NaN) and the text without them, line for line, for
/// the bar parser (so its messages keep the file's line numbers).
struct ExtraColumns {
  std::map<std::string, std::vector<double>> values;
  std::string bars_text;
};

std::string read_text(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "no file " + path;
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().size() > ingest::kMaxFileBytes) error = path + ": file too large";
  return s.str();
}

bool split_extra_columns(const std::string& path, const std::string& text,
                         const std::vector<std::string>& names, ExtraColumns& out, std::string& error) {
  csv::LineReader lines(text);
  std::string_view line;
  std::size_t no = 0;
  std::vector<std::string_view> fields;
  std::vector<std::size_t> at;  // field index of each name
  while (lines.next(line, no)) {
    if (csv::trim(line).empty()) {
      out.bars_text += '\n';
      continue;
    }
    if (!csv::split_line(line, fields)) {
      error = fmt::format("{}:{}: unterminated quote", path, no);
      return false;
    }
    const bool header = at.empty();
    if (header) {
      for (const auto& name : names) {
        const auto k =
            static_cast<std::size_t>(std::find(fields.begin(), fields.end(), name) - fields.begin());
        if (k == fields.size()) {
          error = fmt::format("{}: no column '{}' in the header", path, name);
          return false;
        }
        at.push_back(k);
      }
    }
    std::string kept;
    bool first = true;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const auto it = std::find(at.begin(), at.end(), k);
      if (it == at.end()) {
        if (!first) kept += ',';
        kept += fields[k];
        first = false;
        continue;
      }
      if (header) continue;
      const auto& name = names[static_cast<std::size_t>(it - at.begin())];
      const std::string_view cell = fields[k];
      double v = std::numeric_limits<double>::quiet_NaN();  // an empty cell
      if (!cell.empty()) {
        const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (ec != std::errc() || p != cell.data() + cell.size()) {
          error = fmt::format("{}:{}: unparseable number \"{}\" in column {}", path, no, cell, name);
          return false;
        }
      }
      out.values[name].push_back(v);
    }
    if (!header && *std::max_element(at.begin(), at.end()) >= fields.size()) {
      error = fmt::format("{}:{}: wrong field count: expected {} fields or more, got {}", path, no,
                          *std::max_element(at.begin(), at.end()) + 1, fields.size());
      return false;
    }
    out.bars_text += kept;
    out.bars_text += '\n';
  }
  return true;
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
  // Generic real inputs: one real reads close; two reals read high and low
  // (TA-Lib's abstract-interface default); MAVP's periods read the column
  // "periods"; --inputs real=..,real0=..,real1=..,periods=.. overrides (any
  // column of the file: open..volume or another named column).
  const auto& needs = call->spec->inputs;
  int reals = 0;
  for (const auto in : needs) reals += (in == ta::Input::real0 || in == ta::Input::real1);
  std::map<std::string, std::string> source{
      {"real0", reals >= 2 ? "high" : "close"}, {"real1", "low"}, {"periods", "periods"}};
  if (!o.inputs.empty()) {
    std::size_t pos = 0;
    while (pos <= o.inputs.size()) {
      const auto comma = o.inputs.find(',', pos);
      const std::string item =
          o.inputs.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      const auto eq = item.find('=');
      std::string key = eq == std::string::npos ? item : item.substr(0, eq);
      if (key == "real") key = "real0";
      if (eq == std::string::npos || !source.contains(key) || eq + 1 == item.size()) {
        std::cerr << "error: --inputs item '" << item
                  << "' (expected real=COLUMN, real0=COLUMN, real1=COLUMN or periods=COLUMN; COLUMN is open, "
                     "high, low, close, volume or another column of the file)\n";
        return 2;
      }
      source[key] = item.substr(eq + 1);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  // Columns beyond the bars that this call reads.
  std::vector<std::string> extra;
  auto wants = [&](ta::Input in) { return std::find(needs.begin(), needs.end(), in) != needs.end(); };
  for (const auto& [key, col] : source) {
    const bool used = key == "periods" ? wants(ta::Input::periods)
                                       : (key == "real1" ? reals >= 2 : wants(ta::Input::real0));
    if (used && !is_bar_column(col) && std::find(extra.begin(), extra.end(), col) == extra.end())
      extra.push_back(col);
  }
  ExtraColumns extras;
  if (!extra.empty()) {
    std::string error;
    const std::string text = read_text(o.input, error);
    if (error.empty()) split_extra_columns(o.input, text, extra, extras, error);
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return 2;
    }
  }
  auto bars =
      extra.empty() ? ingest::read_bars_csv(o.input) : ingest::parse_bars_csv(extras.bars_text, o.input);
  if (!bars) {
    std::cerr << "error: " << ingest::to_string(bars.error().code) << ": " << bars.error().message << "\n";
    return 2;
  }
  const std::size_t n = bars->size();
  auto bound = [&](const std::string& key) -> std::span<const double> {
    const std::string& col = source[key];
    if (is_bar_column(col)) return column(*bars, col);
    const auto it = extras.values.find(col);
    return it == extras.values.end() ? std::span<const double>{} : std::span<const double>(it->second);
  };
  ta::Inputs in{bars->open,   bars->high,     bars->low,      bars->close,
                bars->volume, bound("real0"), bound("real1"), n};
  in.periods = bound("periods");
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
