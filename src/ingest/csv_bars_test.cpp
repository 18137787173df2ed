#include "ingest/csv_bars.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ts::ingest {
namespace {

TradingDate d(std::string_view s) { return parse_date(s).value(); }

/// The failure message for text that must not parse (empty if it parsed).
std::string error_of(std::string_view text) {
  auto r = parse_bars_csv(text, "t.csv");
  if (r) return "";
  EXPECT_EQ(r.error().code, ImportError::bad_data);
  return r.error().message;
}

constexpr std::string_view kPlain =
    "date,open,high,low,close,volume\n"
    "2024-01-02,10,11,9.5,10.5,1000\n"
    "2024-01-03,10.5,12,10,11.75,2500.5\n";

TEST(CsvBars, Plain) {
  auto r = parse_bars_csv(kPlain, "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->bar(0), (Bar{d("2024-01-02"), 10, 11, 9.5, 10.5, 1000}));
  EXPECT_EQ(r->bar(1), (Bar{d("2024-01-03"), 10.5, 12, 10, 11.75, 2500.5}));
}

TEST(CsvBars, HeaderIsCaseInsensitiveAndTrimmed) {
  auto r = parse_bars_csv("DATE, Open ,HIGH,low,Close,VOLUME\n2024-01-02,10,11,9.5,10.5,1000\n", "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 1u);
}

TEST(CsvBars, CrlfBomQuotesAndBlankLines) {
  auto r = parse_bars_csv(
      "\xEF\xBB\xBF"
      "date,open,high,low,close,volume\r\n"
      "\r\n"
      "\"2024-01-02\",\"10\",11,9.5,10.5,1000\r\n"
      "   \r\n"
      "2024-01-03,10.5,12,10,11.75,2500\r\n",
      "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 2u);
}

TEST(CsvBars, YahooUsesCloseNotAdjClose) {
  auto r = parse_bars_csv(
      "Date,Open,High,Low,Close,Adj Close,Volume\n"
      "2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n",
      "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->close[0], 185.64);
  EXPECT_EQ(r->volume[0], 82488700);
}

TEST(CsvBars, YahooNullRowIsBad) {
  EXPECT_EQ(error_of("Date,Open,High,Low,Close,Adj Close,Volume\n"
                     "2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n"
                     "2024-01-03,null,null,null,null,null,null\n"),
            "t.csv:3: missing value \"null\" in column open");
}

TEST(CsvBars, StooqShort) {
  auto r = parse_bars_csv("Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9.5,10.5,1000\n", "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 1u);
}

TEST(CsvBars, StooqLong) {
  auto r = parse_bars_csv(
      "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
      "AAPL.US,D,20240102,000000,187.15,188.44,183.89,185.64,82488700,0\n"
      "AAPL.US,D,20240103,000000,184.22,185.88,183.43,184.25,58414500,0\n",
      "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->bar(1), (Bar{d("2024-01-03"), 184.22, 185.88, 183.43, 184.25, 58414500}));
}

TEST(CsvBars, StooqLongRejectsNonDailyPeriod) {
  EXPECT_EQ(error_of("<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
                     "AAPL.US,W,20240102,000000,187.15,188.44,183.89,185.64,82488700,0\n"),
            "t.csv:2: period \"W\" is not daily (expected D)");
}

TEST(CsvBars, VolumeIntegerOrDecimalOrExponent) {
  auto r = parse_bars_csv("date,open,high,low,close,volume\n2024-01-02,10,11,9.5,10.5,1.5e6\n", "t.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->volume[0], 1.5e6);
}

TEST(CsvBars, FileLevelErrors) {
  EXPECT_EQ(error_of(""), "t.csv:1: empty file");
  EXPECT_EQ(error_of("\n\n  \n"), "t.csv:1: no header (the file has only blank lines)");
  EXPECT_EQ(error_of("date,open,high,low,close,volume\n"), "t.csv:2: no bars (header only)");
  EXPECT_EQ(error_of("date,open,high,low,close,volume"), "t.csv:2: no bars (header only)");
}

TEST(CsvBars, UnrecognisedHeader) {
  const std::string e = error_of("day,o,h,l,c,v\n2024-01-02,10,11,9.5,10.5,1000\n");
  EXPECT_EQ(e.rfind("t.csv:1: unrecognised header: \"day,o,h,l,c,v\"", 0), 0u) << e;
  EXPECT_EQ(e.find("header missing"), std::string::npos) << e;
}

TEST(CsvBars, MissingHeaderIsNamed) {
  const std::string e = error_of("2024-01-02,10,11,9.5,10.5,1000\n");
  EXPECT_EQ(e.rfind("t.csv:1: unrecognised header: \"2024-01-02,10,11,9.5,10.5,1000\"", 0), 0u) << e;
  EXPECT_NE(e.find("is the header missing?"), std::string::npos) << e;
}

TEST(CsvBars, FieldCount) {
  const std::string h = "date,open,high,low,close,volume\n";
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5\n"), "t.csv:2: wrong field count: expected 6, got 5");
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5,1,2\n"), "t.csv:2: wrong field count: expected 6, got 7");
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5,1000\n2024-01-03,10,1"),
            "t.csv:3: wrong field count: expected 6, got 3 (truncated last line)");
}

TEST(CsvBars, Numbers) {
  const std::string h = "date,open,high,low,close,volume\n2024-01-02,";
  EXPECT_EQ(error_of(h + "10,abc,9.5,10.5,1000\n"), "t.csv:2: unparseable number \"abc\" in column high");
  EXPECT_EQ(error_of(h + "10,11,,10.5,1000\n"), "t.csv:2: empty value in column low");
  EXPECT_EQ(error_of(h + "10,11,9.5,nan,1000\n"), "t.csv:2: non-finite number \"nan\" in column close");
  EXPECT_EQ(error_of(h + "10,11,9.5,10.5,inf\n"), "t.csv:2: non-finite number \"inf\" in column volume");
  EXPECT_EQ(error_of(h + "10,11,9.5,10.5,-Infinity\n"),
            "t.csv:2: non-finite number \"-Infinity\" in column volume");
  EXPECT_EQ(error_of(h + "0x1p3,11,9.5,10.5,1000\n"), "t.csv:2: unparseable number \"0x1p3\" in column open");
  EXPECT_EQ(error_of(h + "+10,11,9.5,10.5,1000\n"), "t.csv:2: unparseable number \"+10\" in column open");
  EXPECT_EQ(error_of(h + "10,11,9.5,10.5,\"1,000\"\n"),
            "t.csv:2: unparseable number \"1,000\" in column volume");
  EXPECT_EQ(error_of(h + "10,11,9.5,10.5,1e999\n"),
            "t.csv:2: number out of range \"1e999\" in column volume");
  EXPECT_EQ(error_of(h + "10 5,11,9.5,10.5,1000\n"), "t.csv:2: unparseable number \"10 5\" in column open");
}

TEST(CsvBars, Dates) {
  const std::string h = "date,open,high,low,close,volume\n";
  EXPECT_EQ(error_of(h + "2024-02-30,10,11,9.5,10.5,1000\n"),
            "t.csv:2: impossible date \"2024-02-30\" (or outside 1800..2200)");
  EXPECT_EQ(error_of(h + "Jan 2 2024,10,11,9.5,10.5,1000\n"),
            "t.csv:2: unparseable date \"Jan 2 2024\" (expected YYYY-MM-DD)");
  EXPECT_EQ(error_of(h + "2024-1-2,10,11,9.5,10.5,1000\n"),
            "t.csv:2: unparseable date \"2024-1-2\" (expected YYYY-MM-DD)");
}

TEST(CsvBars, ValidationRulesApplyPerRow) {
  const std::string h = "date,open,high,low,close,volume\n2024-01-02,10,11,9.5,10.5,1000\n";
  EXPECT_EQ(error_of(h + "2024-01-03,10,9.5,9,10.2,1000\n"), "t.csv:3: high 9.5 < close 10.2");
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5,1000\n"),
            "t.csv:3: date 2024-01-02 not after previous 2024-01-02 (duplicate)");
  EXPECT_EQ(error_of(h + "2024-01-01,10,11,9.5,10.5,1000\n"),
            "t.csv:3: date 2024-01-01 not after previous 2024-01-02 (out of order)");
  EXPECT_EQ(error_of(h + "2024-01-03,10,11,9.5,10.5,-1\n"), "t.csv:3: volume -1 is negative");
}

TEST(CsvBars, BinaryData) {
  const std::string h = "date,open,high,low,close,volume\n";
  EXPECT_EQ(error_of(h + std::string("2024-01-02,1\0,11,9.5,10.5,1000\n", 31)),
            "t.csv:2: binary data (NUL byte at column 13)");
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5,1000\x07\n"),
            "t.csv:2: binary data (control byte 0x07 at column 31)");
  EXPECT_EQ(error_of(h + "\xff\xfe\x00garbage\n"), "t.csv:2: binary data (invalid UTF-8 at column 1)");
  EXPECT_EQ(error_of("\x89PNG\r\n\x1a\n"), "t.csv:1: binary data (invalid UTF-8 at column 1)");
  // Overlong encoding and a lone surrogate are invalid UTF-8 too.
  EXPECT_EQ(error_of(h + "\xc0\xaf\n"), "t.csv:2: binary data (invalid UTF-8 at column 1)");
  EXPECT_EQ(error_of(h + "a\xed\xa0\x80\n"), "t.csv:2: binary data (invalid UTF-8 at column 2)");
  // Valid UTF-8 is not binary: it fails later, as a bad value.
  EXPECT_EQ(error_of(h + "2024-01-02,10,11,9.5,10.5,1000\xc2\xa0\n"),
            "t.csv:2: unparseable number \"1000\\xc2\\xa0\" in column volume");
}

TEST(CsvBars, LineTooLong) {
  const std::string h = "date,open,high,low,close,volume\n";
  const std::string long_line = "2024-01-02,10,11,9.5,10.5," + std::string(5000, '1') + "\n";
  EXPECT_EQ(error_of(h + long_line), "t.csv:2: line too long (5026 bytes, limit 4096)");
}

TEST(CsvBars, UnterminatedQuote) {
  EXPECT_EQ(error_of("date,open,high,low,close,volume\n\"2024-01-02,10,11,9.5,10.5,1000\n"),
            "t.csv:2: unterminated quote");
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_csv_bars_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, std::string_view text) {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(CsvFileTest, ReadsFile) {
  auto r = read_bars_csv(write("A.csv", kPlain));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 2u);
}

TEST_F(CsvFileTest, MissingFileIsSymbolNotFound) {
  const std::string p = (dir_ / "NOPE.csv").string();
  auto r = read_bars_csv(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImportError::symbol_not_found);
  EXPECT_EQ(r.error().message, "no file " + p);
}

TEST_F(CsvFileTest, DirectoryIsBadData) {
  auto r = read_bars_csv(dir_.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImportError::bad_data);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(CsvFileTest, TooLargeIsBadData) {
  const std::string p = write("BIG.csv", "");
  std::filesystem::resize_file(p, kMaxFileBytes + 1);  // sparse: costs no disk space
  auto r = read_bars_csv(p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImportError::bad_data);
  EXPECT_EQ(r.error().message, p + ": file too large (268435457 bytes, limit 256 MiB)");
}

TEST_F(CsvFileTest, SourceNameOverridesPath) {
  auto r = read_bars_csv(write("B.csv", "junk\n"), "shown/B.csv");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("shown/B.csv:1: unrecognised header", 0), 0u) << r.error().message;
}

}  // namespace
}  // namespace ts::ingest
