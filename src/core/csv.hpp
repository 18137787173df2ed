#pragma once
// Minimal CSV tokenising shared by universe lists and bar files. Pure.
#include <string_view>
#include <vector>

namespace ts::csv {

/// Splits one line (no trailing newline; a trailing '\r' is dropped) into fields.
/// A field wrapped in double quotes may contain commas; the quotes are removed
/// ("" inside stays as-is). Surrounding spaces are trimmed. Returns false on an
/// unterminated quote.
bool split_line(std::string_view line, std::vector<std::string_view>& fields);

/// Iterates lines of a text buffer; handles \n and \r\n.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  /// Next line and its 1-based number; false at end of text.
  bool next(std::string_view& line, std::size_t& line_no);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_no_ = 0;
};

std::string_view trim(std::string_view s);

}  // namespace ts::csv
