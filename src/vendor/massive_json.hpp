#pragma once
// Pure parsers for the Massive (formerly Polygon.io) REST responses. No I/O:
// they take a body and return values or an Error, so they can be unit-tested
// and fuzzed on their own.
//
// Error codes:
//   BAD_JSON      the body is not JSON, or not the documented shape
//   BAD_DATA      a bar is missing a field or fails ingest::bar_problem;
//                 message "request <request_id> bar <index>: <reason>"
//   VENDOR_ERROR  the body says status "ERROR" (message carries the vendor's text)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
#include "core/result.hpp"

namespace ts::vendor {

/// The America/New_York date (tz database) of a bar's `t`: session start, ms UTC.
TradingDate trading_date_from_ms(std::int64_t t_ms);

/// One page of /v2/aggs/ticker/{T}/range/... .
struct AggregatesPage {
  std::string status;
  std::string request_id;
  std::optional<std::string> next_url;
  BarSeries bars;  // validated, ascending
};

/// Validation context carried across pages: the previous page's last date and
/// how many bars came before this page (so indices in messages are global).
struct PageContext {
  std::optional<TradingDate> previous;
  std::size_t first_index = 0;
};

Result<AggregatesPage> parse_aggregates(std::string_view body, const PageContext& ctx = {});

/// One bar of a grouped-daily response.
struct GroupedBar {
  std::string ticker;  // as sent (`T`)
  Bar bar;
};
/// A grouped-daily bar that failed validation: it fails only its ticker.
struct RejectedBar {
  std::string ticker;   // empty when `T` itself is missing
  std::string message;  // "request <id> bar <index>: <reason>"
};
struct GroupedDaily {
  std::string request_id;
  std::vector<GroupedBar> bars;  // valid bars, in response order
  std::vector<RejectedBar> rejected;
};
/// /v2/aggs/grouped/locale/us/market/stocks/{date}. Each bar is validated on
/// its own; an invalid one goes to `rejected` instead of failing the day for
/// every ticker. Only a malformed body (BAD_JSON) or a vendor error fails.
Result<GroupedDaily> parse_grouped_daily(std::string_view body);

struct Split {
  std::string ticker;
  TradingDate execution_date;
  double split_from = 1, split_to = 1;
};
struct SplitsPage {
  std::string request_id;
  std::optional<std::string> next_url;
  std::vector<Split> splits;
};
/// /v3/reference/splits
Result<SplitsPage> parse_splits(std::string_view body);

/// Ticker details (/v3/reference/tickers/{T}): the fields cache_sync needs.
struct TickerDetails {
  std::string ticker, name, primary_exchange, type;
  bool active = true;
};
Result<TickerDetails> parse_ticker_details(std::string_view body);

/// One page of the ticker list (/v3/reference/tickers?market=stocks&...).
struct TickerListPage {
  std::string request_id;
  std::optional<std::string> next_url;
  std::vector<TickerDetails> tickers;  // entries without a ticker are skipped
};
Result<TickerListPage> parse_ticker_list(std::string_view body);

}  // namespace ts::vendor
