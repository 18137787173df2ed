#include "core/universe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/csv.hpp"

namespace ts {

std::vector<std::string> builtin_universe_names() {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < detail::kEmbeddedUniverseCount; ++i)
    names.emplace_back(detail::kEmbeddedUniverses[i].name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<Universe> builtin_universe(std::string_view name) {
  for (std::size_t i = 0; i < detail::kEmbeddedUniverseCount; ++i)
    if (name == detail::kEmbeddedUniverses[i].name)
      return parse_universe_csv(name, detail::kEmbeddedUniverses[i].csv);
  std::string known;
  for (const auto& n : builtin_universe_names()) known += (known.empty() ? "" : ", ") + n;
  return fail("UNKNOWN_UNIVERSE", "unknown universe '" + std::string(name) + "' (built-in: " + known + ")");
}

Result<Universe> parse_universe_csv(std::string_view name, std::string_view text, std::string_view source) {
  Universe u;
  u.name = std::string(name);
  const std::string src(source.empty() ? name : source);
  csv::LineReader reader(text);
  std::string_view line;
  std::size_t line_no = 0;
  const auto at = [&](std::string_view code, const std::string& what) {
    return fail(std::string(code), src + ":" + std::to_string(line_no) + ": " + what);
  };
  std::vector<std::string_view> fields;
  int col_symbol = -1, col_name = -1, col_sector = -1, col_weight = -1;
  bool have_header = false;
  std::unordered_map<std::string, std::size_t> first_line;  // symbol -> line it was listed on
  while (reader.next(line, line_no)) {
    const std::string_view t = csv::trim(line);
    if (t.empty()) continue;
    if (t.front() == '#') {
      const std::string_view key = "as_of:";
      auto body = csv::trim(t.substr(1));
      if (body.substr(0, key.size()) == key) {
        u.as_of = std::string(csv::trim(body.substr(key.size())));
      } else if (u.description.empty() && !body.empty()) {
        // "Source: ..." and other "key: value" notes are not the description.
        const auto colon = body.find(':');
        const bool keyed =
            colon != std::string_view::npos && body.substr(0, colon).find(' ') == std::string_view::npos;
        if (!keyed) u.description = std::string(body);
      }
      continue;
    }
    if (!csv::split_line(t, fields)) return at("INVALID_UNIVERSE", "unterminated quote");
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string lower(fields[i]);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "symbol" || lower == "ticker") col_symbol = static_cast<int>(i);
        if (lower == "name") col_name = static_cast<int>(i);
        if (lower == "sector") col_sector = static_cast<int>(i);
        if (lower == "weight") col_weight = static_cast<int>(i);
      }
      if (col_symbol < 0) return at("INVALID_UNIVERSE", "header has no 'symbol' column");
      have_header = true;
      continue;
    }
    const auto field = [&](int col) {
      return col >= 0 && static_cast<int>(fields.size()) > col ? fields[static_cast<std::size_t>(col)]
                                                               : std::string_view{};
    };
    if (static_cast<int>(fields.size()) <= col_symbol) return at("INVALID_UNIVERSE", "missing symbol field");
    auto sym = Symbol::parse(fields[static_cast<std::size_t>(col_symbol)]);
    if (!sym) return at("INVALID_SYMBOL", sym.error().message);
    UniverseMember m{
        std::move(sym).value(), std::string(field(col_name)), std::string(field(col_sector)), {}};
    if (col_weight >= 0) {
      const std::string_view w = field(col_weight);
      double v = 0;
      const auto r = std::from_chars(w.data(), w.data() + w.size(), v);
      if (w.empty() || r.ec != std::errc{} || r.ptr != w.data() + w.size() || !std::isfinite(v))
        return at("INVALID_UNIVERSE", m.symbol.str() + ": weight '" + std::string(w) + "' is not a number");
      if (v < 0)
        return at("INVALID_UNIVERSE", m.symbol.str() + ": weight " + std::string(w) + " is negative");
      m.weight = v;
    }
    const auto [it, fresh] = first_line.emplace(m.symbol.str(), line_no);
    if (!fresh)
      return at("INVALID_UNIVERSE",
                m.symbol.str() + " is listed twice (first on line " + std::to_string(it->second) + ")");
    u.members.push_back(std::move(m));
  }
  if (!have_header)
    return fail("INVALID_UNIVERSE", src + ": empty file (expected a header with a 'symbol' column)");
  if (u.members.empty()) return fail("INVALID_UNIVERSE", src + ": universe '" + u.name + "' has no symbols");
  return u;
}

Result<Universe> load_universe_file(std::string_view name, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("INVALID_UNIVERSE", "cannot read universe file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_universe_csv(name, ss.str(), path);
}

Status<> validate_universe_name(std::string_view name) {
  const auto ok_char = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '_' || c == '.' || c == '-'));
  };
  bool valid = !name.empty() && name.size() <= 64;
  for (std::size_t i = 0; valid && i < name.size(); ++i) valid = ok_char(name[i], i == 0);
  if (!valid)
    return fail("INVALID_UNIVERSE_NAME",
                "invalid universe name '" + std::string(name) +
                    "': 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
  const auto builtins = builtin_universe_names();
  if (std::find(builtins.begin(), builtins.end(), name) != builtins.end())
    // append(), not "'" + std::string: GCC 12 warns -Wrestrict on that form (a false positive).
    return fail("INVALID_UNIVERSE_NAME",
                std::string("'").append(name).append("' is a built-in universe; choose another name"));
  if (name == "custom")
    return fail("INVALID_UNIVERSE_NAME",
                "'custom' is reserved for runs given --symbols; choose another name");
  return Ok{};
}

Universe universe_from_symbols(std::vector<Symbol> symbols) {
  Universe u;
  u.name = "custom";
  for (auto& s : symbols) u.members.push_back({std::move(s), {}, {}, {}});
  return u;
}

}  // namespace ts
