#include "ingest/csv_provider.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/csv_bars.hpp"

namespace ts::ingest {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/data/csv_bad";

TradingDate d(std::string_view s) { return parse_date(s).value(); }

FetchRequest request(std::string_view symbol, std::string_view from = "1990-01-01",
                     std::string_view to = "2100-12-31",
                     std::optional<std::string_view> after = std::nullopt) {
  FetchRequest r{Symbol::parse(symbol).value(), d(from), d(to), std::nullopt};
  if (after) r.after = d(*after);
  return r;
}

std::unique_ptr<BarProvider> corpus_provider() {
  auto p = make_provider("csv:" + kCorpus);
  EXPECT_TRUE(p) << p.error().message;
  return std::move(p).value();
}

struct GoodCase {
  const char* symbol;
  std::size_t bars;
  double first_close;
};

TEST(CsvProviderCorpus, GoodFilesImport) {
  const auto provider = corpus_provider();
  for (const GoodCase& c : {GoodCase{"GOOD1", 4, 10.20}, GoodCase{"GOODY", 3, 185.639999},
                            GoodCase{"GOODS", 2, 185.64}, GoodCase{"GOODL", 3, 185.64}}) {
    SCOPED_TRACE(c.symbol);
    auto r = provider->fetch(request(c.symbol));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->size(), c.bars);
    EXPECT_EQ(r->close[0], c.first_close);
    EXPECT_EQ(r->date[0], d("2024-01-02"));
  }
}

struct BadCase {
  const char* symbol;
  std::size_t line;
  const char* reason;  // must appear in the message, after "<file>:<line>: "
};

// One row per file in tests/data/csv_bad (see its README.md).
constexpr BadCase kBadCases[] = {
    {"BADPRICE", 4, "open -1.25 is not positive"},
    {"BADHIGH", 4, "high 9.5 < close 10.2"},
    {"BADLOW", 4, "low 10.5 > open 10.2"},
    {"BADVOL", 4, "volume -500 is negative"},
    {"BADNAN", 4, "non-finite number \"NaN\" in column close"},
    {"BADINF", 4, "non-finite number \"inf\" in column high"},
    {"BADNUM", 4, "unparseable number \"abc\" in column high"},
    {"BADHEX", 4, "unparseable number \"0x1.4p3\" in column open"},
    {"BADDATE", 4, "unparseable date \"01/04/2024\""},
    {"BADFEB30", 4, "impossible date \"2024-02-30\""},
    {"BADDUP", 4, "date 2024-01-03 not after previous 2024-01-03 (duplicate)"},
    {"BADORDER", 4, "date 2024-01-01 not after previous 2024-01-03 (out of order)"},
    {"BADTRUNC", 4, "wrong field count: expected 6, got 3 (truncated last line)"},
    {"BADMANY", 4, "wrong field count: expected 6, got 7"},
    {"BADQUOTE", 4, "unterminated quote"},
    {"BADLONG", 4, "line too long (5035 bytes, limit 4096)"},
    {"BADBIN", 4, "binary data (NUL byte at column 1)"},
    {"BADUTF8", 4, "binary data (invalid UTF-8 at column 46)"},
    {"BADEMPTY", 1, "empty file"},
    {"BADHEAD", 1, "unrecognised header: \"Date,Open,High,Low,Last,Volume\""},
    {"BADNOHDR", 1, "is the header missing?"},
    {"BADNOBARS", 2, "no bars (header only)"},
    {"BADNULL", 4, "missing value \"null\" in column open"},
    {"BADPER", 4, "period \"W\" is not daily (expected D)"},
};

TEST(CsvProviderCorpus, EveryBadFileFailsWithItsReason) {
  const auto provider = corpus_provider();
  for (const BadCase& c : kBadCases) {
    SCOPED_TRACE(c.symbol);
    auto r = provider->fetch(request(c.symbol));
    ASSERT_FALSE(r) << "imported " << r->size() << " bars";
    EXPECT_EQ(r.error().code, ImportError::bad_data);
    const std::string& m = r.error().message;
    const std::string where = std::string(c.symbol) + ".csv:" + std::to_string(c.line) + ": ";
    EXPECT_NE(m.find(where), std::string::npos) << m;
    EXPECT_NE(m.find(c.reason), std::string::npos) << m;
    EXPECT_EQ(m.rfind(kCorpus, 0), 0u) << "message should start with the file path: " << m;
  }
}

TEST(CsvProviderCorpus, EveryCorpusFileIsCovered) {
  // A new file in the corpus must get a row in kBadCases (or be a GOOD file).
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() != ".csv" || stem.rfind("GOOD", 0) == 0) continue;
    bool listed = false;
    for (const BadCase& c : kBadCases) listed = listed || stem == c.symbol;
    EXPECT_TRUE(listed) << e.path();
  }
}

TEST(CsvProviderCorpus, WholeFileIsValidatedBeforeFiltering) {
  // The bad row (2024-01-04) is outside the requested window: the symbol still fails.
  auto r = corpus_provider()->fetch(request("BADHIGH", "2024-01-02", "2024-01-02"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImportError::bad_data);
}

TEST(CsvProvider, MissingSymbolIsNotFound) {
  auto r = corpus_provider()->fetch(request("NOSUCH"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImportError::symbol_not_found);
  EXPECT_EQ(r.error().message, "no file " + (fs::path(kCorpus) / "NOSUCH.csv").string());
}

TEST(CsvProvider, FiltersFromToAfter) {
  const auto p = corpus_provider();  // GOOD1 has 2024-01-02 .. 2024-01-05
  auto r = p->fetch(request("GOOD1", "2024-01-03", "2024-01-04"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->date[0], d("2024-01-03"));
  EXPECT_EQ(r->date[1], d("2024-01-04"));
  EXPECT_EQ(r->close[1], 10.15);

  r = p->fetch(request("GOOD1", "2024-01-01", "2024-12-31", "2024-01-04"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->date[0], d("2024-01-05"));

  r = p->fetch(request("GOOD1", "2024-01-01", "2024-12-31", "2024-01-05"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());

  r = p->fetch(request("GOOD1", "2024-01-05", "2024-01-02"));  // from > to
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());
}

TEST(CsvProvider, RelativeDirectory) {
  const std::string rel = fs::relative(kCorpus, fs::current_path()).string();
  auto p = make_provider("csv:" + rel);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)->describe(), "csv:" + rel);
  auto r = (*p)->fetch(request("GOOD1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 4u);
  r = (*p)->fetch(request("BADHIGH"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind((fs::path(rel) / "BADHIGH.csv").string() + ":4: ", 0), 0u)
      << r.error().message;
}

TEST(CsvProvider, Describe) { EXPECT_EQ(corpus_provider()->describe(), "csv:" + kCorpus); }

TEST(CsvProvider, SpecErrors) {
  for (const char* spec : {"csv", "csv:", "csv:/definitely/not/here"}) {
    SCOPED_TRACE(spec);
    auto p = make_provider(spec);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, "INVALID_PROVIDER");
  }
  auto p = make_provider("csv:" + kCorpus + "/GOOD1.csv");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("is not a directory"), std::string::npos) << p.error().message;
}

/// A private directory for symlink cases; symlinks are never committed.
class CsvProviderLinks : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("ts_csv_provider_links_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "bars");
    fs::copy_file(fs::path(kCorpus) / "GOOD1.csv", base_ / "bars" / "GOOD1.csv");
    fs::copy_file(fs::path(kCorpus) / "GOOD1.csv", base_ / "outside.csv");
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
};

TEST_F(CsvProviderLinks, SymlinkEscapingTheDirectoryIsRefused) {
  fs::create_symlink("../outside.csv", base_ / "bars" / "ESCAPE.csv");
  fs::create_symlink(base_ / "outside.csv", base_ / "bars" / "ESCABS.csv");
  auto p = make_provider("csv:" + (base_ / "bars").string());
  ASSERT_TRUE(p) << p.error().message;
  for (const char* sym : {"ESCAPE", "ESCABS"}) {
    SCOPED_TRACE(sym);
    auto r = (*p)->fetch(request(sym));
    ASSERT_FALSE(r) << "read a file outside the directory";
    EXPECT_EQ(r.error().code, ImportError::bad_data);
    EXPECT_NE(r.error().message.find(std::string(sym) + ".csv: path escapes the directory"),
              std::string::npos)
        << r.error().message;
  }
}

TEST_F(CsvProviderLinks, SymlinkInsideTheDirectoryIsFine) {
  fs::create_symlink("GOOD1.csv", base_ / "bars" / "ALIAS.csv");
  auto p = make_provider("csv:" + (base_ / "bars").string());
  ASSERT_TRUE(p) << p.error().message;
  auto r = (*p)->fetch(request("ALIAS"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 4u);
}

TEST_F(CsvProviderLinks, SymlinkedDirectoryIsFine) {
  // DIR itself may be a symlink: the check is against canonical(DIR).
  fs::create_directory_symlink(base_ / "bars", base_ / "bars-link");
  auto p = make_provider("csv:" + (base_ / "bars-link").string());
  ASSERT_TRUE(p) << p.error().message;
  auto r = (*p)->fetch(request("GOOD1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 4u);
}

TEST(ImportErrorNames, Stable) {
  EXPECT_EQ(to_string(ImportError::symbol_not_found), "SYMBOL_NOT_FOUND");
  EXPECT_EQ(to_string(ImportError::bad_data), "BAD_DATA");
  EXPECT_EQ(to_string(ImportError::network_timeout), "NETWORK_TIMEOUT");
  EXPECT_EQ(to_string(ImportError::api_rate_limit), "API_RATE_LIMIT");
  EXPECT_EQ(to_string(ImportError::storage_failed), "STORAGE_FAILED");
}

}  // namespace
}  // namespace ts::ingest
