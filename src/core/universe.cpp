#include "core/universe.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

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

Result<Universe> parse_universe_csv(std::string_view name, std::string_view text) {
  Universe u;
  u.name = std::string(name);
  csv::LineReader reader(text);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> fields;
  int col_symbol = -1, col_name = -1, col_sector = -1;
  bool have_header = false;
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
    if (!csv::split_line(t, fields))
      return fail("INVALID_UNIVERSE",
                  std::string(name) + ":" + std::to_string(line_no) + ": unterminated quote");
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string lower(fields[i]);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "symbol" || lower == "ticker") col_symbol = static_cast<int>(i);
        if (lower == "name") col_name = static_cast<int>(i);
        if (lower == "sector") col_sector = static_cast<int>(i);
      }
      if (col_symbol < 0)
        return fail("INVALID_UNIVERSE",
                    std::string(name) + ":" + std::to_string(line_no) + ": header has no 'symbol' column");
      have_header = true;
      continue;
    }
    if (static_cast<int>(fields.size()) <= col_symbol)
      return fail("INVALID_UNIVERSE",
                  std::string(name) + ":" + std::to_string(line_no) + ": missing symbol field");
    auto sym = Symbol::parse(fields[col_symbol]);
    if (!sym)
      return fail("INVALID_SYMBOL",
                  std::string(name) + ":" + std::to_string(line_no) + ": " + sym.error().message);
    UniverseMember m{std::move(sym).value(), {}, {}};
    if (col_name >= 0 && static_cast<int>(fields.size()) > col_name) m.name = std::string(fields[col_name]);
    if (col_sector >= 0 && static_cast<int>(fields.size()) > col_sector)
      m.sector = std::string(fields[col_sector]);
    const bool dup =
        std::any_of(u.members.begin(), u.members.end(), [&](const auto& x) { return x.symbol == m.symbol; });
    if (!dup) u.members.push_back(std::move(m));
  }
  if (u.members.empty())
    return fail("INVALID_UNIVERSE", "universe '" + std::string(name) + "' has no symbols");
  return u;
}

Result<Universe> load_universe_file(std::string_view name, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("INVALID_UNIVERSE", "cannot read universe file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_universe_csv(name, ss.str());
}

Universe universe_from_symbols(std::vector<Symbol> symbols) {
  Universe u;
  u.name = "custom";
  for (auto& s : symbols) u.members.push_back({std::move(s), {}, {}});
  return u;
}

}  // namespace ts
