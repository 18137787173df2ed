#include "core/symbol.hpp"

namespace ts {

bool is_valid_symbol(std::string_view s) noexcept {
  if (s.empty() || s.size() > 10) return false;
  if (s[0] < 'A' || s[0] > 'Z') return false;
  for (const char c : s.substr(1)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {
std::string printable(std::string_view s) {
  std::string out;
  for (const unsigned char c : s.substr(0, 40)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}
}  // namespace

Result<Symbol> Symbol::parse(std::string_view text) {
  if (!is_valid_symbol(text))
    return fail("INVALID_SYMBOL",
                "invalid symbol '" + printable(text) + "' (expected ^[A-Z][A-Z0-9.\\-]{0,9}$)");
  return Symbol(std::string(text));
}

Result<std::vector<Symbol>> parse_symbol_list(std::string_view list) {
  std::vector<Symbol> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = list.find(',', pos);
    std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) {
      auto sym = Symbol::parse(item);
      if (!sym) return fail(sym.error());
      bool dup = false;
      for (const auto& s : out) dup = dup || s == *sym;
      if (!dup) out.push_back(std::move(sym).value());
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (out.empty()) return fail("INVALID_SYMBOL", "empty symbol list");
  return out;
}

}  // namespace ts
