#include "ingest/csv_provider.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "ingest/csv_bars.hpp"

namespace ts::ingest {
namespace {

namespace fs = std::filesystem;

/// True when p names something strictly below dir (both already canonical).
bool is_within(const fs::path& p, const fs::path& dir) {
  const fs::path rel = p.lexically_relative(dir);
  return !rel.empty() && rel != "." && *rel.begin() != "..";
}

/// The bars of s with from <= date <= to and date > after (s is ascending).
BarSeries window(const BarSeries& s, const FetchRequest& req) {
  TradingDate first = req.from;
  if (req.after) first = std::max(first, *req.after + std::chrono::days{1});
  const auto lo = std::lower_bound(s.date.begin(), s.date.end(), first) - s.date.begin();
  const auto hi = std::upper_bound(s.date.begin(), s.date.end(), req.to) - s.date.begin();
  BarSeries out;
  if (lo >= hi) return out;
  const auto copy = [&](const auto& from, auto& to) { to.assign(from.begin() + lo, from.begin() + hi); };
  copy(s.date, out.date);
  copy(s.open, out.open);
  copy(s.high, out.high);
  copy(s.low, out.low);
  copy(s.close, out.close);
  copy(s.volume, out.volume);
  return out;
}

class CsvDirProvider final : public BarProvider {
 public:
  CsvDirProvider(std::string dir, fs::path canonical_dir)
      : dir_(std::move(dir)), root_(std::move(canonical_dir)) {}

  std::string describe() const override { return "csv:" + dir_; }

  Result<BarSeries, FetchFailure> fetch(const FetchRequest& req) const override {
    const std::string file_name = req.symbol.str() + ".csv";
    const std::string shown = (fs::path(dir_) / file_name).string();  // as the operator wrote it
    std::error_code ec;
    // Resolve from the canonical root, so a later change of working directory
    // (for a relative DIR) or of a symlinked DIR cannot move the provider.
    const fs::path resolved = fs::weakly_canonical(root_ / file_name, ec);
    if (ec) return fail(FetchFailure{ImportError::bad_data, "cannot resolve " + shown + ": " + ec.message()});
    if (!is_within(resolved, root_))
      return fail(FetchFailure{ImportError::bad_data, shown + ": path escapes the directory " +
                                                          root_.string() + " (resolves to " +
                                                          resolved.string() + ")"});
    auto bars = read_bars_csv(resolved.string(), shown);
    if (!bars) return bars;
    return window(*bars, req);
  }

 private:
  std::string dir_;  // as given in the spec, for messages
  fs::path root_;    // canonical(dir_)
};

}  // namespace

Result<std::unique_ptr<BarProvider>> make_csv_provider(const std::string& dir) {
  if (dir.empty()) return fail("INVALID_PROVIDER", "csv provider needs a directory: csv:DIR");
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return fail("INVALID_PROVIDER", "csv provider directory '" + dir + "': " + ec.message());
  if (!fs::is_directory(root, ec))
    return fail("INVALID_PROVIDER", "csv provider directory '" + dir + "' is not a directory");
  return std::unique_ptr<BarProvider>(std::make_unique<CsvDirProvider>(dir, std::move(root)));
}

}  // namespace ts::ingest
