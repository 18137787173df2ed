#include "ingest/csv_bars.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "core/csv.hpp"
#include "ingest/validate.hpp"

namespace ts::ingest {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

/// One accepted header layout: lower-case column names and where each value lives.
struct CsvFormat {
  std::array<std::string_view, 10> header;
  std::size_t columns;
  std::size_t date, open, high, low, close, volume;
  std::size_t period;  // kNone when the format has no period column
};

constexpr CsvFormat kFormats[] = {
    // plain, and Stooq's short form (identical once lower-cased)
    {{"date", "open", "high", "low", "close", "volume"}, 6, 0, 1, 2, 3, 4, 5, kNone},
    // Yahoo: Close, not Adj Close (see the header comment)
    {{"date", "open", "high", "low", "close", "adj close", "volume"}, 7, 0, 1, 2, 3, 4, 6, kNone},
    // Stooq long form
    {{"<ticker>", "<per>", "<date>", "<time>", "<open>", "<high>", "<low>", "<close>", "<vol>", "<openint>"},
     10,
     2,
     4,
     5,
     6,
     7,
     8,
     1},
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

/// The text in double quotes, non-printable bytes escaped, cut at 40 bytes.
std::string quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const unsigned char c : s.substr(0, 40)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > 40) out += "...";
  return out + "\"";
}

FetchFailure bad_at(std::string_view source, std::size_t line, std::string reason) {
  return {ImportError::bad_data, std::string(source) + ":" + std::to_string(line) + ": " + reason};
}

/// Length of the valid UTF-8 sequence starting at s[i] (non-ASCII lead byte), or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the first continuation byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  return len;
}

/// "binary data (...)" when the line holds control bytes other than tab, or
/// invalid UTF-8. Columns are 1-based byte offsets.
std::optional<std::string> binary_problem(std::string_view line) {
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f) {
      ++i;
      continue;
    }
    if (c == '\t') {
      ++i;
      continue;
    }
    const std::string col = " at column " + std::to_string(i + 1) + ")";
    if (c == 0) return "binary data (NUL byte" + col;
    if (c < 0x80) {
      static constexpr char kHex[] = "0123456789abcdef";
      return std::string("binary data (control byte 0x") + kHex[c >> 4] + kHex[c & 15] + col;
    }
    const std::size_t n = utf8_sequence(line, i);
    if (n == 0) return "binary data (invalid UTF-8" + col;
    i += n;
  }
  return std::nullopt;
}

std::optional<std::string> parse_number(std::string_view text, std::string_view column, double& out) {
  const std::string where = " in column " + std::string(column);
  if (text.empty()) return "empty value" + where;
  if (iequals(text, "null")) return "missing value " + quoted(text) + where;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto r = std::from_chars(first, last, out, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range) return "number out of range " + quoted(text) + where;
  if (r.ec != std::errc{} || r.ptr != last) return "unparseable number " + quoted(text) + where;
  if (!std::isfinite(out)) return "non-finite number " + quoted(text) + where;
  return std::nullopt;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> parse_row_date(std::string_view text, TradingDate& out) {
  if (text.empty()) return std::string("empty value in column date");
  if (iequals(text, "null")) return "missing value " + quoted(text) + " in column date";
  auto d = parse_date(text);
  if (d) {
    out = *d;
    return std::nullopt;
  }
  // parse_date accepts YYYY-MM-DD, YYYY/MM/DD and YYYYMMDD. Tell a well-formed
  // but impossible date (2024-02-30, year 1700) from text that is not a date.
  const bool dashed = text.size() == 10 && (text[4] == '-' || text[4] == '/') && text[7] == text[4] &&
                      all_digits(text.substr(0, 4)) && all_digits(text.substr(5, 2)) &&
                      all_digits(text.substr(8, 2));
  const bool compact = text.size() == 8 && all_digits(text);
  if (dashed || compact) return "impossible date " + quoted(text) + " (or outside 1800..2200)";
  return "unparseable date " + quoted(text) + " (expected YYYY-MM-DD)";
}

const CsvFormat* detect_format(const std::vector<std::string_view>& fields) {
  for (const auto& f : kFormats) {
    if (fields.size() != f.columns) continue;
    bool match = true;
    for (std::size_t i = 0; i < f.columns && match; ++i) match = iequals(fields[i], f.header[i]);
    if (match) return &f;
  }
  return nullptr;
}

std::string unrecognised_header(std::string_view line, const std::vector<std::string_view>& fields) {
  std::string r = "unrecognised header: " + quoted(line) +
                  " (expected date,open,high,low,close,volume, the Yahoo header with Adj Close, or Stooq's "
                  "<TICKER>,<PER>,<DATE>,... header)";
  if (!fields.empty() && parse_date(fields[0]))
    r += "; the first line looks like data, is the header missing?";
  return r;
}

/// Parses the fields of one data row into b; the reason on failure.
std::optional<std::string> parse_row(const CsvFormat& f, const std::vector<std::string_view>& fields,
                                     Bar& b) {
  if (auto p = parse_row_date(fields[f.date], b.date)) return p;
  if (f.period != kNone && !iequals(fields[f.period], "d"))
    return "period " + quoted(fields[f.period]) + " is not daily (expected D)";
  const struct {
    std::size_t index;
    std::string_view name;
    double* out;
  } columns[] = {{f.open, "open", &b.open},
                 {f.high, "high", &b.high},
                 {f.low, "low", &b.low},
                 {f.close, "close", &b.close},
                 {f.volume, "volume", &b.volume}};
  for (const auto& c : columns)
    if (auto p = parse_number(fields[c.index], c.name, *c.out)) return p;
  return std::nullopt;
}

}  // namespace

Result<BarSeries, FetchFailure> parse_bars_csv(std::string_view text, std::string_view source) {
  if (text.empty()) return fail(bad_at(source, 1, "empty file"));
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  const char* const text_end = text.data() + text.size();
  const bool ends_with_newline = !text.empty() && text.back() == '\n';

  csv::LineReader reader(text);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> fields;
  const CsvFormat* format = nullptr;
  BarSeries out;
  std::optional<TradingDate> previous;
  while (reader.next(line, line_no)) {
    if (auto p = binary_problem(line)) return fail(bad_at(source, line_no, *p));
    if (line.size() > kMaxLineBytes)
      return fail(bad_at(source, line_no,
                         "line too long (" + std::to_string(line.size()) + " bytes, limit " +
                             std::to_string(kMaxLineBytes) + ")"));
    if (csv::trim(line).empty()) continue;
    if (!csv::split_line(line, fields)) return fail(bad_at(source, line_no, "unterminated quote"));
    if (format == nullptr) {
      format = detect_format(fields);
      if (format == nullptr) return fail(bad_at(source, line_no, unrecognised_header(line, fields)));
      out.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
      continue;
    }
    if (fields.size() != format->columns) {
      std::string reason = "wrong field count: expected " + std::to_string(format->columns) + ", got " +
                           std::to_string(fields.size());
      if (fields.size() < format->columns && !ends_with_newline && line.data() + line.size() == text_end)
        reason += " (truncated last line)";
      return fail(bad_at(source, line_no, std::move(reason)));
    }
    Bar b{};
    if (auto p = parse_row(*format, fields, b)) return fail(bad_at(source, line_no, std::move(*p)));
    if (auto p = bar_problem(b, previous)) return fail(bad_at(source, line_no, std::move(*p)));
    previous = b.date;
    out.push_back(b);
  }
  if (format == nullptr) return fail(bad_at(source, 1, "no header (the file has only blank lines)"));
  if (out.empty()) return fail(bad_at(source, line_no + 1, "no bars (header only)"));
  return out;
}

Result<BarSeries, FetchFailure> read_bars_csv(const std::string& path) { return read_bars_csv(path, path); }

Result<BarSeries, FetchFailure> read_bars_csv(const std::string& path, std::string_view source) {
  namespace fs = std::filesystem;
  const std::string name(source);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found)
    return fail(FetchFailure{ImportError::symbol_not_found, "no file " + name});
  if (ec) return fail(FetchFailure{ImportError::bad_data, "cannot read " + name + ": " + ec.message()});
  if (!fs::is_regular_file(st))
    return fail(FetchFailure{ImportError::bad_data, name + ": not a regular file"});

  const auto too_large = [&](std::uintmax_t bytes) {
    return FetchFailure{ImportError::bad_data, name + ": file too large (" + std::to_string(bytes) +
                                                   " bytes, limit " + std::to_string(kMaxFileBytes >> 20) +
                                                   " MiB)"};
  };
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) return fail(too_large(size));

  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int err = errno;
    if (err == ENOENT) return fail(FetchFailure{ImportError::symbol_not_found, "no file " + name});
    return fail(FetchFailure{ImportError::bad_data,
                             "cannot read " + name + ": " + std::generic_category().message(err)});
  }
  // Read until EOF rather than trusting the size: the file may grow meanwhile.
  std::string text;
  text.resize(ec ? std::size_t{1} << 16 : static_cast<std::size_t>(size) + 1);
  std::size_t used = 0;
  while (true) {
    if (used == text.size()) {
      if (text.size() > kMaxFileBytes) return fail(too_large(used));
      text.resize(std::min(text.size() * 2, kMaxFileBytes + 1));
    }
    const std::size_t n = std::fread(text.data() + used, 1, text.size() - used, file.get());
    used += n;
    if (n == 0) break;
  }
  if (std::ferror(file.get()))
    return fail(FetchFailure{ImportError::bad_data, "cannot read " + name + ": read error"});
  if (used > kMaxFileBytes) return fail(too_large(used));
  text.resize(used);
  return parse_bars_csv(text, source);
}

}  // namespace ts::ingest
