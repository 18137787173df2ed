#pragma once
// The Massive (formerly Polygon.io) REST provider: `--provider massive`.
//
// Spec: "massive" or "massive:OPT,OPT..." with options
//   base=URL   API base (default MASSIVE_BASE_URL, else https://api.massive.com)
//   rpm=N      request rate limit per minute (default MASSIVE_RPM, else unlimited)
// MASSIVE_CA_FILE adds a trusted CA certificate (PEM) for HTTPS, e.g. behind a
// TLS-inspecting proxy.
// The key comes from MASSIVE_API_KEY or the file MASSIVE_API_KEY_FILE (or POLYGON_API_KEY[_FILE]) and is sent as an
// "Authorization: Bearer" header, never in the URL; it is scrubbed from every
// log line and error message.
//
// Error mapping (ingest::ImportError):
//   401/403                        API_KEY_INVALID
//   404, or no bars at all for a   SYMBOL_NOT_FOUND
//   backfill of a week or more
//   429 after all retries          API_RATE_LIMIT
//   timeouts, connection failures
//   and 5xx after all retries      NETWORK_TIMEOUT
//   a bar failing validation,
//   an unparseable body            BAD_DATA ("request <id> bar <i>: <reason>")
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/provider.hpp"
#include "vendor/http_client.hpp"
#include "vendor/massive_json.hpp"
#include "vendor/transport.hpp"

namespace ts::vendor {

inline constexpr std::string_view kMassiveDefaultBase = "https://api.massive.com";

struct MassiveConfig {
  std::string base_url{kMassiveDefaultBase};
  std::string api_key;
  double requests_per_minute = 0;  // <= 0: unlimited
  double burst = 1;
  unsigned max_concurrency = 4;
  std::string ca_file;  // extra trusted CA (PEM); MASSIVE_CA_FILE
  RetryPolicy retry;
  HttpTimeouts timeouts;
  std::chrono::milliseconds total_timeout{120000};  // one logical call, all retries included
  SteadyClock clock = real_clock();
  Sleeper sleeper = real_sleeper();
  std::function<double()> random01;  // jitter source; default: a seeded PRNG
};

/// Replaces the key (and any apiKey=... query value) with "***".
std::string redact(std::string_view text, std::string_view key);

/// Vendor calls with rate limiting, retries and error mapping. Thread-safe.
class MassiveClient {
 public:
  explicit MassiveClient(MassiveConfig cfg);
  ~MassiveClient();

  /// GET base + target (a path with query, or an absolute next_url whose path
  /// is re-resolved against the base so the key never goes to another host).
  /// Non-2xx statuses other than the retried ones come back as replies.
  Result<HttpReply, ingest::FetchFailure> get(std::string_view target) const;

  /// Daily bars, adjusted, ascending, all next_url pages followed.
  Result<BarSeries, ingest::FetchFailure> aggregates(const Symbol& s, TradingDate from, TradingDate to) const;
  /// Every US stock's bar for one date (one request).
  Result<GroupedDaily, ingest::FetchFailure> grouped_daily(TradingDate date) const;
  /// Splits of one ticker with execution_date >= since, all pages.
  Result<std::vector<Split>, ingest::FetchFailure> splits(const Symbol& s, TradingDate since) const;
  /// Splits of every ticker with execution_date >= since (one request per
  /// page of 1,000: what a daily run needs to find retroactive adjustments).
  Result<std::vector<Split>, ingest::FetchFailure> all_splits(TradingDate since) const;
  Result<TickerDetails, ingest::FetchFailure> ticker_details(const Symbol& s) const;
  /// Every active US stock ticker (/v3/reference/tickers?market=stocks&active=true,
  /// 1,000 a page, next_url followed): a few requests for the whole market.
  Result<std::vector<TickerDetails>, ingest::FetchFailure> active_tickers() const;

  const MassiveConfig& config() const { return cfg_; }
  std::size_t connections_opened() const { return http_->connections_opened(); }

 private:
  ingest::FetchFailure failure(ingest::ImportError code, std::string_view message) const;
  /// GETs `target` and every next_url page after it. `page` parses a 200
  /// body and returns its next_url (nullopt on the last page); a parse error
  /// is BAD_DATA, other statuses map as the header says.
  Status<ingest::FetchFailure> pages(
      std::string target, const std::string& what,
      const std::function<Result<std::optional<std::string>>(std::string_view body)>& page) const;
  Result<std::vector<Split>, ingest::FetchFailure> split_pages(std::string target, std::string_view what,
                                                               TradingDate since) const;
  double jitter() const;

  MassiveConfig cfg_;
  Url base_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<TokenBucket> limiter_;
  mutable std::mutex rng_mu_;
  mutable std::uint64_t rng_state_;
};

class MassiveProvider final : public ingest::BarProvider {
 public:
  explicit MassiveProvider(MassiveConfig cfg) : client_(std::move(cfg)) {}
  std::string describe() const override;
  Result<BarSeries, ingest::FetchFailure> fetch(const ingest::FetchRequest& req) const override;
  /// Many symbols at once, results in request order. Incremental requests
  /// (with `after`) whose missing weekdays are few (fewer than the symbols,
  /// at most kMaxGroupedDays) use one grouped-daily request per day: k
  /// missing days cost k requests for the whole universe. Symbols absent from
  /// a trading day's grouped response, days whose grouped request failed
  /// (other than a rejected key), and backfills go through fetch().
  static constexpr std::size_t kMaxGroupedDays = 30;
  std::vector<Result<BarSeries, ingest::FetchFailure>> fetch_many(
      const std::vector<ingest::FetchRequest>& reqs) const override;
  bool prefers_batch() const override { return true; }
  /// One all_splits() call (paged), reduced to the latest date per ticker.
  Result<std::map<std::string, TradingDate>, ingest::FetchFailure> splits_since(TradingDate since) const override;
  /// Up to kDetailsPerTicker symbols: one ticker-details request each. More:
  /// the active ticker list (a few pages for the whole market), then details
  /// requests for at most kMaxUnlisted symbols missing from it (delisted ones
  /// come back inactive; a 404 is an unknown ticker, answered inactive too).
  static constexpr std::size_t kDetailsPerTicker = 10;
  static constexpr std::size_t kMaxUnlisted = 25;
  Result<std::map<std::string, SymbolDetails>, ingest::FetchFailure> symbol_details(
      const std::vector<Symbol>& symbols) const override;
  const MassiveClient& client() const { return client_; }

 private:
  MassiveClient client_;
};

/// Builds the provider from a spec's options (text after "massive:", or
/// nullopt) and the environment. INVALID_PROVIDER for a bad option, a bad URL
/// or no key.
Result<std::unique_ptr<ingest::BarProvider>> make_massive_provider(std::optional<std::string_view> options);

}  // namespace ts::vendor
