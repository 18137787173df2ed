#include "vendor/massive_provider.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <unordered_map>

#include "core/secret.hpp"
#include "ingest/validate.hpp"

namespace ts::vendor {
namespace {

using ingest::FetchFailure;
using ingest::ImportError;

bool retryable_status(int status) { return status == 429 || status >= 500; }

std::string status_text(const HttpReply& r) { return "HTTP " + std::to_string(r.status); }

/// The vendor's error text from a JSON error body, shortened for messages.
std::string body_snippet(const std::string& body) {
  std::string s = body.substr(0, 200);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::string redact(std::string_view text, std::string_view key) {
  std::string out(text);
  if (!key.empty()) {
    for (std::size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + 3))
      out.replace(pos, key.size(), "***");
  }
  // apiKey=VALUE query parameters (from any source, e.g. a vendor next_url).
  for (std::size_t pos = out.find("apiKey="); pos != std::string::npos; pos = out.find("apiKey=", pos + 1)) {
    const std::size_t start = pos + 7;
    std::size_t end = out.find_first_of("&# \"'", start);
    if (end == std::string::npos) end = out.size();
    out.replace(start, end - start, "***");
  }
  return out;
}

MassiveClient::MassiveClient(MassiveConfig cfg)
    : cfg_(std::move(cfg)),
      http_(std::make_unique<HttpClient>(cfg_.max_concurrency, cfg_.ca_file)),
      limiter_(std::make_unique<TokenBucket>(cfg_.requests_per_minute, cfg_.burst, cfg_.clock)),
      rng_state_(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) |
                 1) {
  auto u = parse_url(cfg_.base_url);
  if (u) base_ = *u;  // make_massive_provider validates; a bad URL here fails every call
}

MassiveClient::~MassiveClient() = default;

FetchFailure MassiveClient::failure(ImportError code, std::string_view message) const {
  return FetchFailure{code, redact(message, cfg_.api_key)};
}

double MassiveClient::jitter() const {
  if (cfg_.random01) return cfg_.random01();
  std::lock_guard lock(rng_mu_);
  rng_state_ ^= rng_state_ << 13;  // xorshift64
  rng_state_ ^= rng_state_ >> 7;
  rng_state_ ^= rng_state_ << 17;
  return static_cast<double>(rng_state_ >> 11) / 9007199254740992.0;
}

Result<HttpReply, FetchFailure> MassiveClient::get(std::string_view target) const {
  if (base_.host.empty()) return fail(failure(ImportError::bad_data, "invalid vendor base URL"));
  Url url = base_;
  if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
    auto next = parse_url(target);
    if (!next)
      return fail(failure(ImportError::bad_data, "vendor sent a bad next_url: " + std::string(target)));
    url.target = next->target;  // same origin as the base, always
  } else {
    url.target = std::string(target);
  }
  const std::string shown = redact(url.origin() + url.target, cfg_.api_key);
  const Headers headers{{"Authorization", "Bearer " + cfg_.api_key}};
  const auto deadline = cfg_.clock() + cfg_.total_timeout;
  std::optional<FetchFailure> last;
  for (int attempt = 1; attempt <= std::max(1, cfg_.retry.max_attempts); ++attempt) {
    const auto wait = limiter_->reserve();
    if (cfg_.clock() + wait > deadline) break;
    cfg_.sleeper(wait);
    std::optional<std::chrono::milliseconds> retry_after;
    auto reply = http_->get(url, headers, cfg_.timeouts);
    if (!reply) {
      last = failure(ImportError::network_timeout, "GET " + shown + ": " + reply.error().message +
                                                       " (attempt " + std::to_string(attempt) + ")");
    } else if (retryable_status(reply->status)) {
      const ImportError code =
          reply->status == 429 ? ImportError::api_rate_limit : ImportError::network_timeout;
      last = failure(code, "GET " + shown + ": " + status_text(*reply) + " after " + std::to_string(attempt) +
                               " attempt(s): " + body_snippet(reply->body));
      if (!reply->retry_after.empty())
        retry_after = parse_retry_after(reply->retry_after, std::chrono::system_clock::now());
    } else {
      return std::move(reply).value();
    }
    if (attempt == cfg_.retry.max_attempts) break;
    const auto delay = backoff_delay(cfg_.retry, attempt, retry_after, jitter());
    if (cfg_.clock() + delay > deadline) {
      last->message += " (total timeout reached)";
      break;
    }
    spdlog::warn("massive: {}; retry {} in {} ms", last->message, attempt, delay.count());
    cfg_.sleeper(delay);
  }
  if (!last) last = failure(ImportError::network_timeout, "GET " + shown + ": total timeout reached");
  spdlog::warn("massive: {}", last->message);
  return fail(std::move(*last));
}

namespace {

/// Maps a non-2xx, non-retried reply.
FetchFailure status_failure(const HttpReply& r, const std::string& what) {
  if (r.status == 401 || r.status == 403)
    return {ImportError::api_key_invalid,
            what + ": " + status_text(r) + ": the API key was rejected (check MASSIVE_API_KEY)"};
  if (r.status == 404) return {ImportError::symbol_not_found, what + ": " + status_text(r) + " (not found)"};
  return {ImportError::bad_data, what + ": unexpected " + status_text(r) + ": " + body_snippet(r.body)};
}

}  // namespace

Status<FetchFailure> MassiveClient::pages(
    std::string target, const std::string& what,
    const std::function<Result<std::optional<std::string>>(std::string_view body)>& page) const {
  for (int n = 0; n < 10000; ++n) {
    auto reply = get(target);
    if (!reply) return fail(std::move(reply).error());
    if (reply->status != 200) {
      auto f = status_failure(*reply, what);
      return fail(failure(f.code, f.message));
    }
    auto next = page(reply->body);
    if (!next) return fail(failure(ImportError::bad_data, what + ": " + next.error().message));
    if (!*next) return Ok{};
    target = std::move(**next);
  }
  return fail(failure(ImportError::bad_data, what + ": too many next_url pages"));
}

Result<BarSeries, FetchFailure> MassiveClient::aggregates(const Symbol& s, TradingDate from,
                                                          TradingDate to) const {
  BarSeries out;
  PageContext ctx;
  auto done = pages("/v2/aggs/ticker/" + s.str() + "/range/1/day/" + format_date(from) + "/" +
                        format_date(to) + "?adjusted=true&sort=asc&limit=50000",
                    "massive aggregates " + s.str(),
                    [&](std::string_view body) -> Result<std::optional<std::string>> {
                      auto parsed = parse_aggregates(body, ctx);
                      if (!parsed) return fail(std::move(parsed).error());
                      out.append(parsed->bars);
                      ctx.first_index += parsed->bars.size();
                      if (!out.empty()) ctx.previous = out.date.back();
                      return std::move(parsed->next_url);
                    });
  if (!done) return fail(std::move(done).error());
  return out;
}

Result<GroupedDaily, FetchFailure> MassiveClient::grouped_daily(TradingDate date) const {
  const std::string what = "massive grouped daily " + format_date(date);
  auto reply = get("/v2/aggs/grouped/locale/us/market/stocks/" + format_date(date) + "?adjusted=true");
  if (!reply) return fail(std::move(reply).error());
  if (reply->status != 200) {
    auto f = status_failure(*reply, what);
    if (f.code == ImportError::symbol_not_found) f.code = ImportError::bad_data;
    return fail(failure(f.code, f.message));
  }
  auto parsed = parse_grouped_daily(reply->body);
  if (!parsed) return fail(failure(ImportError::bad_data, what + ": " + parsed.error().message));
  return std::move(parsed).value();
}

Result<std::vector<Split>, FetchFailure> MassiveClient::splits(const Symbol& s, TradingDate since) const {
  return split_pages("/v3/reference/splits?ticker=" + s.str() + "&execution_date.gte=" + format_date(since) +
                         "&order=asc&sort=execution_date&limit=1000",
                     "massive splits " + s.str(), since);
}

Result<std::vector<Split>, FetchFailure> MassiveClient::all_splits(TradingDate since) const {
  return split_pages("/v3/reference/splits?execution_date.gte=" + format_date(since) +
                         "&order=asc&sort=execution_date&limit=1000",
                     "massive splits since " + format_date(since), since);
}

Result<std::vector<Split>, FetchFailure> MassiveClient::split_pages(std::string target, std::string_view what,
                                                                    TradingDate since) const {
  std::vector<Split> out;
  auto done = pages(std::move(target), std::string(what),
                    [&](std::string_view body) -> Result<std::optional<std::string>> {
                      auto parsed = parse_splits(body);
                      if (!parsed) return fail(std::move(parsed).error());
                      for (auto& sp : parsed->splits)
                        if (sp.execution_date >= since) out.push_back(std::move(sp));
                      return std::move(parsed->next_url);
                    });
  if (!done) return fail(std::move(done).error());
  return out;
}

Result<TickerDetails, FetchFailure> MassiveClient::ticker_details(const Symbol& s) const {
  const std::string what = "massive ticker details " + s.str();
  auto reply = get("/v3/reference/tickers/" + s.str());
  if (!reply) return fail(std::move(reply).error());
  if (reply->status != 200) {
    auto f = status_failure(*reply, what);
    return fail(failure(f.code, f.message));
  }
  auto parsed = parse_ticker_details(reply->body);
  if (!parsed) return fail(failure(ImportError::bad_data, what + ": " + parsed.error().message));
  return std::move(parsed).value();
}

Result<std::vector<TickerDetails>, FetchFailure> MassiveClient::active_tickers() const {
  std::vector<TickerDetails> out;
  auto done = pages("/v3/reference/tickers?market=stocks&active=true&limit=1000", "massive ticker list",
                    [&](std::string_view body) -> Result<std::optional<std::string>> {
                      auto parsed = parse_ticker_list(body);
                      if (!parsed) return fail(std::move(parsed).error());
                      for (auto& t : parsed->tickers) out.push_back(std::move(t));
                      return std::move(parsed->next_url);
                    });
  if (!done) return fail(std::move(done).error());
  return out;
}

namespace {
SymbolDetails symbol_details_of(const TickerDetails& t) {
  return {t.name, t.primary_exchange, t.type, t.active};
}
}  // namespace

Result<std::map<std::string, SymbolDetails>, FetchFailure> MassiveProvider::symbol_details(
    const std::vector<Symbol>& symbols) const {
  std::map<std::string, SymbolDetails> out;
  std::vector<Symbol> one_by_one;
  if (symbols.size() <= kDetailsPerTicker) {
    one_by_one = symbols;
  } else {
    auto listed = client_.active_tickers();
    if (!listed) return fail(std::move(listed).error());
    std::unordered_map<std::string, const TickerDetails*> by_ticker;
    for (const auto& t : *listed) by_ticker.emplace(t.ticker, &t);
    for (const auto& s : symbols) {
      const auto it = by_ticker.find(s.str());
      if (it != by_ticker.end())
        out.emplace(s.str(), symbol_details_of(*it->second));
      else if (one_by_one.size() < kMaxUnlisted)
        one_by_one.push_back(s);  // delisted or unknown: its details say which
    }
  }
  for (const auto& s : one_by_one) {
    auto d = client_.ticker_details(s);
    if (d)
      out.emplace(s.str(), symbol_details_of(*d));
    else if (d.error().code == ImportError::symbol_not_found)
      out.emplace(s.str(), SymbolDetails{{}, {}, {}, false});
    else
      return fail(std::move(d).error());
  }
  return out;
}

Result<std::map<std::string, TradingDate>, FetchFailure> MassiveProvider::splits_since(TradingDate since) const {
  auto splits = client_.all_splits(since);
  if (!splits) return fail(std::move(splits).error());
  std::map<std::string, TradingDate> latest;
  for (const auto& sp : *splits) {
    auto [it, fresh] = latest.emplace(sp.ticker, sp.execution_date);
    if (!fresh && it->second < sp.execution_date) it->second = sp.execution_date;
  }
  return latest;
}

std::string MassiveProvider::describe() const {
  return "massive:base=" + redact(client_.config().base_url, client_.config().api_key);
}

Result<BarSeries, FetchFailure> MassiveProvider::fetch(const ingest::FetchRequest& req) const {
  TradingDate from = req.from;
  if (req.after && *req.after + std::chrono::days{1} > from) from = *req.after + std::chrono::days{1};
  if (from > req.to) return BarSeries{};
  auto bars = client_.aggregates(req.symbol, from, req.to);
  if (!bars) return bars;
  // The vendor should honour the range; keep only what was asked for.
  BarSeries out;
  out.reserve(bars->size());
  for (std::size_t i = 0; i < bars->size(); ++i)
    if (bars->date[i] >= from && bars->date[i] <= req.to) out.push_back(bars->bar(i));
  // A backfill of a week or more with no bar at all means the vendor does not
  // know the ticker (it answers 200 with no results); shorter ranges may just
  // be a weekend or holidays, and incremental fetches may have nothing new.
  if (out.empty() && !req.after && req.to - from >= std::chrono::days{6})
    return fail(FetchFailure{ImportError::symbol_not_found,
                             "massive aggregates " + req.symbol.str() + ": no bars from " +
                                 format_date(from) + " to " + format_date(req.to) + " (unknown ticker?)"});
  return out;
}

std::vector<Result<BarSeries, FetchFailure>> MassiveProvider::fetch_many(
    const std::vector<ingest::FetchRequest>& reqs) const {
  using Out = Result<BarSeries, FetchFailure>;
  const std::size_t n = reqs.size();
  std::vector<TradingDate> first(n);
  std::vector<bool> grouped(n, false), fallback(n, false);
  std::vector<std::optional<FetchFailure>> failed(n);
  std::vector<BarSeries> series(n);
  std::vector<TradingDate> days;  // weekdays some incremental request misses
  std::size_t incremental = 0;
  for (std::size_t i = 0; i < n; ++i) {
    first[i] = reqs[i].from;
    if (reqs[i].after && *reqs[i].after + std::chrono::days{1} > first[i])
      first[i] = *reqs[i].after + std::chrono::days{1};
    if (!reqs[i].after || first[i] > reqs[i].to) continue;
    ++incremental;
    for (TradingDate d = first[i]; d <= reqs[i].to; d += std::chrono::days{1})
      if (!is_weekend(d)) days.push_back(d);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  if (!days.empty() && days.size() < incremental && days.size() <= kMaxGroupedDays) {
    for (std::size_t i = 0; i < n; ++i) grouped[i] = reqs[i].after && first[i] <= reqs[i].to;
    std::unordered_map<std::string, std::vector<std::size_t>> by_ticker;
    for (std::size_t i = 0; i < n; ++i)
      if (grouped[i]) by_ticker[reqs[i].symbol.str()].push_back(i);
    const auto wants = [&](std::size_t i, TradingDate d) { return d >= first[i] && d <= reqs[i].to; };
    for (const TradingDate day : days) {
      auto g = client_.grouped_daily(day);
      if (!g) {
        const bool fatal = g.error().code == ImportError::api_key_invalid;
        for (std::size_t i = 0; i < n; ++i) {
          if (!grouped[i] || !wants(i, day) || failed[i]) continue;
          if (fatal)
            failed[i] = g.error();
          else
            fallback[i] = true;
        }
        continue;
      }
      if (g->bars.empty() && g->rejected.empty()) continue;  // a market holiday: nothing is missing
      std::vector<bool> seen(n, false);
      for (const auto& r : g->rejected) {
        auto it = by_ticker.find(r.ticker);
        if (it == by_ticker.end()) continue;
        for (std::size_t i : it->second)
          if (wants(i, day) && !failed[i]) {
            failed[i] = FetchFailure{ImportError::bad_data,
                                     "massive grouped daily " + format_date(day) + ": " + r.message};
            seen[i] = true;
          }
      }
      for (const auto& b : g->bars) {
        auto it = by_ticker.find(b.ticker);
        if (it == by_ticker.end()) continue;
        for (std::size_t i : it->second) {
          if (!wants(i, day) || failed[i] || seen[i]) continue;
          seen[i] = true;
          const std::optional<TradingDate> prev =
              series[i].empty() ? reqs[i].after : std::optional<TradingDate>(series[i].date.back());
          std::optional<std::string> why;
          if (b.bar.date != day)
            why = "bar dated " + format_date(b.bar.date) + " in the response for " + format_date(day);
          else
            why = ingest::bar_problem(b.bar, prev);
          if (why)
            failed[i] =
                FetchFailure{ImportError::bad_data, "massive grouped daily " + format_date(day) + " " +
                                                        g->request_id + " " + b.ticker + ": " + *why};
          else
            series[i].push_back(b.bar);
        }
      }
      for (std::size_t i = 0; i < n; ++i)
        if (grouped[i] && wants(i, day) && !seen[i] && !failed[i]) fallback[i] = true;
    }
  }
  std::vector<Out> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (failed[i])
      out.emplace_back(fail(std::move(*failed[i])));
    else if (grouped[i] && !fallback[i])
      out.emplace_back(std::move(series[i]));
    else
      out.emplace_back(fetch(reqs[i]));
  }
  return out;
}

Result<std::unique_ptr<ingest::BarProvider>> make_massive_provider(std::optional<std::string_view> options) {
  MassiveConfig cfg;
  for (const char* name : {"MASSIVE_API_KEY", "POLYGON_API_KEY"}) {
    auto key = secret_from_environment(name);  // NAME, else the file NAME_FILE
    if (!key) return fail("INVALID_PROVIDER", "massive provider: " + key.error().message);
    if (!key->empty()) {
      cfg.api_key = std::move(key).value();
      break;
    }
  }
  if (const std::string base = env("MASSIVE_BASE_URL"); !base.empty()) cfg.base_url = base;
  cfg.ca_file = env("MASSIVE_CA_FILE");
  if (const std::string rpm = env("MASSIVE_RPM"); !rpm.empty())
    cfg.requests_per_minute = std::atof(rpm.c_str());
  std::string_view rest = options.value_or("");
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view opt = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t eq = opt.find('=');
    const std::string_view name = opt.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : opt.substr(eq + 1);
    if (name == "base" && !value.empty()) {
      cfg.base_url = std::string(value);
    } else if (name == "rpm" && !value.empty()) {
      double rpm = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), rpm);
      if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || rpm < 0)
        return fail("INVALID_PROVIDER", "massive provider: bad rpm '" + std::string(value) + "'");
      cfg.requests_per_minute = rpm;
    } else {
      return fail("INVALID_PROVIDER",
                  "massive provider: unknown option '" + std::string(opt) + "' (expected base=URL or rpm=N)");
    }
  }
  while (!cfg.base_url.empty() && cfg.base_url.back() == '/') cfg.base_url.pop_back();
  auto url = parse_url(cfg.base_url);
  if (!url)
    return fail("INVALID_PROVIDER", "massive provider: bad base URL '" + redact(cfg.base_url, cfg.api_key) +
                                        "': " + url.error().message);
  if (cfg.api_key.empty())
    return fail("INVALID_PROVIDER", "massive provider: no API key (set MASSIVE_API_KEY or MASSIVE_API_KEY_FILE)");
  return std::unique_ptr<ingest::BarProvider>(std::make_unique<MassiveProvider>(std::move(cfg)));
}

}  // namespace ts::vendor
