#pragma once
// Commands: one registry table (name, parameters, HTTP route) serving both
// transports, the request decoder for Redis and HTTP, the reply codec and the
// error-code table. docs/protocol.md documents the same tables in prose and
// docs/schemas/commands/*.json as JSON Schemas; tests keep the three in step.
//
// Redis:  PUBLISH tickstock:commands[:<suffix>] <request JSON>
//         {"command", "request_id"?, "parameters"?, "source"?, "timestamp"?, "reply_to"?, "signature"?}
//         (signature: HMAC-SHA256 of the canonical form, protocol/signing.hpp)
//         reply on reply_to (default tickstock:commands:replies):
//         {"request_id", "command", "ok", "result" | "error": {"code", "message", "details"},
//          "timestamp", "source"}
// HTTP:   the route of the command; parameters from the path, the query string
//         and (POST) the JSON body; success answers the reply's result with 200,
//         failure {"error": {...}} with the code's status.
//
// Pure: request ids, timestamps and the engine's source are passed in.
#include <array>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts::protocol {

/// decode_command rejects larger requests with PAYLOAD_TOO_LARGE before parsing.
inline constexpr std::size_t kMaxCommandBytes = 65536;
/// decode_reply's default limit (history pages are the largest replies).
inline constexpr std::size_t kMaxReplyBytes = 8u << 20;

// ---- error codes ------------------------------------------------------------
enum class ErrorCode : unsigned char {
  invalid_json,
  invalid_command,
  unknown_command,
  invalid_parameter,
  already_running,
  not_found,
  market_closed,
  unauthorized,
  payload_too_large,
  internal,
  storage_failed,
  shard_dead_letter,
};

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;  // wire name
  int http_status;
  std::string_view meaning;
};

// clang-format off
inline constexpr std::array<ErrorCodeInfo, 12> kErrorCodes{{
    {ErrorCode::invalid_json,      "INVALID_JSON",      400, "the message is not valid JSON (details.position: byte offset)"},
    {ErrorCode::invalid_command,   "INVALID_COMMAND",   400, "valid JSON but not a command: not an object, no string `command`, or an unknown or ill-typed envelope field"},
    {ErrorCode::unknown_command,   "UNKNOWN_COMMAND",   404, "no such command (over HTTP: no such route); details.known lists the commands"},
    {ErrorCode::invalid_parameter, "INVALID_PARAMETER", 422, "a parameter is unknown, missing, of the wrong type or out of range; details.parameter names it"},
    {ErrorCode::already_running,   "ALREADY_RUNNING",   409, "a run is active and only one runs at a time; details.active_run_id"},
    {ErrorCode::not_found,         "NOT_FOUND",         404, "the run, universe or symbol named does not exist"},
    {ErrorCode::market_closed,     "MARKET_CLOSED",     409, "the day is not an NYSE trading day; send skip_market_check: true to run anyway"},
    {ErrorCode::unauthorized,      "UNAUTHORIZED",      401, "HTTP: missing or wrong bearer token (mutating endpoints). Redis, with a command secret configured: the command is unsigned, wrongly signed, stale (timestamp outside +-60 s of the engine's clock) or replayed (its request_id was already used); details.reason says which"},
    {ErrorCode::payload_too_large, "PAYLOAD_TOO_LARGE", 413, "the request is larger than the limit (64 KiB)"},
    {ErrorCode::internal,          "INTERNAL",          500, "the engine failed; the message says how; the engine keeps serving"},
    {ErrorCode::storage_failed,    "STORAGE_FAILED",    503, "the engine's database cannot be written or read (read-only, disk full, locked by another writer); the engine keeps serving; retry once the database is fixed"},
    {ErrorCode::shard_dead_letter, "SHARD_DEAD_LETTER", 500, "distributed workers: a shard of symbols was delivered to workers the configured number of times without being acknowledged (it kept killing them); it was moved to the dead-letter stream tickstock:work:<run_id>:dead and its unfinished symbols failed with this code (a per-symbol code of error events and run_symbols, never a command reply)"},
}};
// clang-format on

constexpr std::string_view to_string(ErrorCode c) { return kErrorCodes[static_cast<std::size_t>(c)].name; }
constexpr int http_status(ErrorCode c) { return kErrorCodes[static_cast<std::size_t>(c)].http_status; }
constexpr std::optional<ErrorCode> parse_error_code(std::string_view s) {
  for (const auto& i : kErrorCodes)
    if (i.name == s) return i.code;
  return std::nullopt;
}

// ---- the command registry ---------------------------------------------------
enum class JsonType : unsigned char { boolean, integer, string, array };
constexpr std::string_view to_string(JsonType t) {
  constexpr std::array<std::string_view, 4> names{"boolean", "integer", "string", "array"};
  return names[static_cast<std::size_t>(t)];
}

/// What a parameter's value must satisfy beyond its JSON type, and how it is
/// normalised. Arrays are arrays of strings.
enum class ParamCheck : unsigned char {
  none,
  run_id,           // ^[A-Za-z0-9_-]{1,64}$
  symbols,          // each a ts::Symbol; duplicates dropped, order kept
  phases,           // import, cache_sync, indicators, patterns, all; aliases data_import, cache;
                    // normalised to canonical names in pipeline order
  universe,         // a universe name ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ (existence is the engine's check)
  universes,        // each a universe name
  hhmm,             // HH:MM, 00:00..23:59
  timezone,         // an IANA zone name such as America/New_York (existence is the engine's check)
  run_status,       // a RunStatus name
  trigger_type,     // a TriggerType name
  timeframe,        // a supported timeframe: daily, weekly, monthly
  cursor,           // opaque pagination token ^[A-Za-z0-9_=-]{1,512}$ (a previous next_cursor)
  indicator_names,  // TA function names or canonical calls, e.g. RSI, SMA(timeperiod=20)
  pattern_names,    // pattern registry names ^[a-z0-9_]{1,64}$ (a string: one name)
  symbol,           // one ts::Symbol ^[A-Z][A-Z0-9.\-]{0,9}$
  date,             // YYYY-MM-DD, a real calendar date (2024-02-30 is rejected)
  direction,        // bullish, bearish or neutral
  expression,       // a screen expression: printable ASCII (its grammar is the engine's check)
  symbol_prefix,    // the start of a symbol ^[A-Z][A-Z0-9.\-]{0,9}$ or "" (no filter)
};

struct ParamSpec {
  std::string_view name;
  JsonType type;
  ParamCheck check = ParamCheck::none;
  bool required = false;
  /// Integers: the value's range; strings: length; arrays: item count.
  std::optional<long long> min = std::nullopt, max = std::nullopt;
  /// JSON literal filled in when the parameter is absent; empty = none.
  std::string_view default_json = {};
  std::string_view description = {};
};

enum class Command : unsigned char {
  trigger_daily_processing,
  cancel_processing,
  get_processing_status,
  get_processing_history,
  get_run,
  retry_failed_imports,
  trigger_indicators,
  trigger_patterns,
  get_schedule,
  update_schedule,
  get_bars,
  get_indicator_values,
  get_pattern_detections,
  screen,
  list_universes,
  list_symbols,
};

struct HttpRoute {
  std::string_view method;  // GET, POST, DELETE
  std::string_view path;    // may hold one {run_id} segment
};

struct CommandSpec {
  Command command;
  std::string_view name;
  HttpRoute route;
  bool mutating;  // over HTTP needs `Authorization: Bearer` when a token is configured
  std::span<const ParamSpec> params;
  /// At most one of the two may be given (universe or symbols).
  std::array<std::string_view, 2> exclusive = {};
  /// At least one parameter must be given (update_schedule: an empty update is an error).
  bool needs_a_parameter = false;
  std::string_view summary = {};
  /// Two date parameters where, when both are given, the first must not be
  /// after the second (from <= to).
  std::array<std::string_view, 2> ordered = {};
};

// clang-format off
namespace detail {
// Parameters shared by several commands.
inline constexpr ParamSpec kUniverseParam{.name = "universe", .type = JsonType::string, .check = ParamCheck::universe,
    .description = "universe name (default: the engine's configured universe)"};
inline constexpr ParamSpec kSymbolsParam{.name = "symbols", .type = JsonType::array, .check = ParamCheck::symbols,
    .min = 1, .max = 10000, .description = "explicit symbols instead of a universe"};
inline constexpr ParamSpec kTimeframeParam{.name = "timeframe", .type = JsonType::string,
    .check = ParamCheck::timeframe, .default_json = "\"daily\"", .description = "daily, weekly or monthly"};
inline constexpr ParamSpec kPhasesParam{.name = "phases", .type = JsonType::array, .check = ParamCheck::phases,
    .min = 1, .max = 8, .default_json = "[\"all\"]",
    .description = "import, cache_sync, indicators, patterns or all (aliases data_import, cache)"};

inline constexpr ParamSpec kSymbolParam{.name = "symbol", .type = JsonType::string, .check = ParamCheck::symbol,
    .required = true, .description = "the symbol"};
inline constexpr ParamSpec kFromParam{.name = "from", .type = JsonType::string, .check = ParamCheck::date,
    .description = "first date, YYYY-MM-DD, inclusive (default: unbounded)"};
inline constexpr ParamSpec kToParam{.name = "to", .type = JsonType::string, .check = ParamCheck::date,
    .description = "last date, YYYY-MM-DD, inclusive (default: unbounded)"};

inline constexpr std::array<ParamSpec, 7> kTriggerParams{{
    {.name = "skip_market_check", .type = JsonType::boolean, .default_json = "false",
     .description = "run even when the day is not an NYSE trading day"},
    kPhasesParam,
    kUniverseParam,
    kSymbolsParam,
    {.name = "full", .type = JsonType::boolean, .default_json = "false",
     .description = "recompute everything instead of only new bars"},
    {.name = "publish_indicator_values", .type = JsonType::boolean, .default_json = "false",
     .description = "publish one indicators_calculated event per stored value"},
    {.name = "run_id", .type = JsonType::string, .check = ParamCheck::run_id,
     .description = "client-chosen run id and idempotency key (default: a new UUID v4)"},
}};
inline constexpr std::array<ParamSpec, 1> kCancelParams{{
    {.name = "run_id", .type = JsonType::string, .check = ParamCheck::run_id,
     .description = "the run to cancel (default: the active run)"},
}};
inline constexpr std::array<ParamSpec, 7> kHistoryParams{{
    {.name = "days", .type = JsonType::integer, .min = 1, .max = 3650,
     .description = "only runs started in the last N days (default: no limit)"},
    {.name = "from", .type = JsonType::string, .check = ParamCheck::date,
     .description = "only runs started on or after this UTC date, YYYY-MM-DD"},
    {.name = "to", .type = JsonType::string, .check = ParamCheck::date,
     .description = "only runs started on or before this UTC date, YYYY-MM-DD"},
    {.name = "status", .type = JsonType::string, .check = ParamCheck::run_status,
     .description = "only runs with this status"},
    {.name = "trigger_type", .type = JsonType::string, .check = ParamCheck::trigger_type,
     .description = "only runs with this trigger type"},
    {.name = "limit", .type = JsonType::integer, .min = 1, .max = 200, .default_json = "50",
     .description = "page size"},
    {.name = "cursor", .type = JsonType::string, .check = ParamCheck::cursor,
     .description = "next_cursor of the previous page (keyset pagination, newest first)"},
}};
inline constexpr std::array<ParamSpec, 1> kGetRunParams{{
    {.name = "run_id", .type = JsonType::string, .check = ParamCheck::run_id, .required = true,
     .description = "the run"},
}};
inline constexpr std::array<ParamSpec, 2> kRetryParams{{
    {.name = "run_id", .type = JsonType::string, .check = ParamCheck::run_id, .required = true,
     .description = "the original run"},
    {.name = "symbols", .type = JsonType::array, .check = ParamCheck::symbols, .min = 1, .max = 10000,
     .description = "a subset of its failed symbols (default: all of them)"},
}};
inline constexpr std::array<ParamSpec, 4> kIndicatorParams{{
    kUniverseParam,
    kSymbolsParam,
    {.name = "indicators", .type = JsonType::array, .check = ParamCheck::indicator_names, .min = 1, .max = 200,
     .description = "TA functions or canonical calls (default: the default study set)"},
    kTimeframeParam,
}};
inline constexpr std::array<ParamSpec, 4> kPatternParams{{
    kUniverseParam,
    kSymbolsParam,
    {.name = "patterns", .type = JsonType::array, .check = ParamCheck::pattern_names, .min = 1, .max = 200,
     .description = "pattern registry names (default: every pattern)"},
    kTimeframeParam,
}};
inline constexpr std::array<ParamSpec, 6> kUpdateScheduleParams{{
    {.name = "enabled", .type = JsonType::boolean, .description = "whether scheduled runs fire"},
    {.name = "trigger_time", .type = JsonType::string, .check = ParamCheck::hhmm,
     .description = "local fire time HH:MM on a full trading day (moved earlier on early-close days)"},
    {.name = "timezone", .type = JsonType::string, .check = ParamCheck::timezone,
     .description = "IANA time zone of trigger_time"},
    {.name = "universes", .type = JsonType::array, .check = ParamCheck::universes, .min = 1, .max = 50,
     .description = "universes processed by scheduled runs"},
    {.name = "market_check", .type = JsonType::boolean,
     .description = "skip fires on days that are not NYSE trading days"},
    {.name = "phases", .type = JsonType::array, .check = ParamCheck::phases, .min = 1, .max = 8,
     .description = "phases of scheduled runs"},
}};
inline constexpr std::array<std::string_view, 2> kFromTo{"from", "to"};
/// The read commands' reply bounds (documented in protocol.md and the schemas).
inline constexpr long long kMaxBarsPerReply = 10000;
inline constexpr std::array<ParamSpec, 4> kGetBarsParams{{
    kSymbolParam,
    kTimeframeParam,
    kFromParam,
    kToParam,
}};
inline constexpr std::array<ParamSpec, 5> kGetIndicatorValuesParams{{
    kSymbolParam,
    kTimeframeParam,
    {.name = "indicators", .type = JsonType::array, .check = ParamCheck::indicator_names, .required = true,
     .min = 1, .max = 16, .description = "TA functions or calls, e.g. RSI, SMA(timeperiod=20)"},
    kFromParam,
    kToParam,
}};
inline constexpr std::array<ParamSpec, 8> kDetectionParams{{
    {.name = "symbol", .type = JsonType::string, .check = ParamCheck::symbol,
     .description = "only this symbol"},
    {.name = "pattern", .type = JsonType::string, .check = ParamCheck::pattern_names,
     .description = "only this pattern"},
    {.name = "direction", .type = JsonType::string, .check = ParamCheck::direction,
     .description = "only bullish, bearish or neutral detections"},
    {.name = "timeframe", .type = JsonType::string, .check = ParamCheck::timeframe,
     .description = "only this timeframe (default: all)"},
    {.name = "from", .type = JsonType::string, .check = ParamCheck::date,
     .description = "first bar_date, YYYY-MM-DD, inclusive"},
    {.name = "to", .type = JsonType::string, .check = ParamCheck::date,
     .description = "last bar_date, YYYY-MM-DD, inclusive"},
    {.name = "limit", .type = JsonType::integer, .min = 1, .max = 500, .default_json = "100",
     .description = "page size"},
    {.name = "cursor", .type = JsonType::string, .check = ParamCheck::cursor,
     .description = "next_cursor of the previous page (keyset pagination, newest bar_date first)"},
}};
inline constexpr std::array<ParamSpec, 4> kScreenParams{{
    {.name = "expression", .type = JsonType::string, .check = ParamCheck::expression, .required = true,
     .min = 1, .max = 512, .description = "e.g. RSI(14) < 30 AND close > SMA(200) (docs/protocol.md#screen)"},
    kUniverseParam,
    kTimeframeParam,
    {.name = "limit", .type = JsonType::integer, .min = 1, .max = 1000, .default_json = "100",
     .description = "at most this many matches (the first by symbol)"},
}};
inline constexpr std::array<ParamSpec, 3> kListSymbolsParams{{
    {.name = "universe", .type = JsonType::string, .check = ParamCheck::universe,
     .description = "members of this universe (default: every symbol with daily bars)"},
    {.name = "prefix", .type = JsonType::string, .check = ParamCheck::symbol_prefix, .max = 10,
     .description = "only symbols starting with this"},
    {.name = "limit", .type = JsonType::integer, .min = 1, .max = 10000, .default_json = "1000",
     .description = "at most this many symbols (the first alphabetically)"},
}};
}  // namespace detail

inline constexpr std::array<CommandSpec, 16> kCommands{{
    {Command::trigger_daily_processing, "trigger_daily_processing", {"POST", "/api/processing/trigger-manual"},
     true, detail::kTriggerParams, {"universe", "symbols"}, false,
     "start a processing run; returns {run_id, status}; an existing run_id returns that run"},
    {Command::cancel_processing, "cancel_processing", {"DELETE", "/api/processing/cancel"},
     true, detail::kCancelParams, {}, false,
     "cancel a run cooperatively; it ends `cancelled`"},
    {Command::get_processing_status, "get_processing_status", {"GET", "/api/processing/status"},
     false, {}, {}, false,
     "the current status snapshot"},
    {Command::get_processing_history, "get_processing_history", {"GET", "/api/processing/history"},
     false, detail::kHistoryParams, {}, false,
     "runs, newest first, one page at a time", detail::kFromTo},
    {Command::get_run, "get_run", {"GET", "/api/processing/runs/{run_id}"},
     false, detail::kGetRunParams, {}, false,
     "one run with per-phase summaries and its failed symbols"},
    {Command::retry_failed_imports, "retry_failed_imports", {"POST", "/api/processing/retry-imports"},
     true, detail::kRetryParams, {}, false,
     "a new run (parent_run_id set) importing a run's failed symbols, then the later phases for them"},
    {Command::trigger_indicators, "trigger_indicators", {"POST", "/api/processing/trigger-indicators"},
     true, detail::kIndicatorParams, {"universe", "symbols"}, false,
     "a run of the indicators phase only"},
    {Command::trigger_patterns, "trigger_patterns", {"POST", "/api/processing/trigger-patterns"},
     true, detail::kPatternParams, {"universe", "symbols"}, false,
     "a run of the patterns phase only"},
    {Command::get_schedule, "get_schedule", {"GET", "/api/processing/schedule"},
     false, {}, {}, false,
     "the schedule and its next fire time"},
    {Command::update_schedule, "update_schedule", {"POST", "/api/processing/schedule"},
     true, detail::kUpdateScheduleParams, {}, true,
     "change the fields given, keep the others; returns the schedule"},
    {Command::get_bars, "get_bars", {"GET", "/api/market/bars"},
     false, detail::kGetBarsParams, {}, false,
     "stored OHLCV bars of one symbol, ascending (at most 10,000: the newest in the range)", detail::kFromTo},
    {Command::get_indicator_values, "get_indicator_values", {"GET", "/api/market/indicators"},
     false, detail::kGetIndicatorValuesParams, {}, false,
     "indicator values of one symbol: stored, or computed from the stored bars", detail::kFromTo},
    {Command::get_pattern_detections, "get_pattern_detections", {"GET", "/api/patterns/detections"},
     false, detail::kDetectionParams, {}, false,
     "stored pattern detections, newest bar_date first, one page at a time", detail::kFromTo},
    {Command::screen, "screen", {"GET", "/api/screen"},
     false, detail::kScreenParams, {}, false,
     "the symbols of a universe whose latest bar satisfies an expression"},
    {Command::list_universes, "list_universes", {"GET", "/api/universes"},
     false, {}, {}, false,
     "the universes the engine knows, with member counts"},
    {Command::list_symbols, "list_symbols", {"GET", "/api/symbols"},
     false, detail::kListSymbolsParams, {}, false,
     "symbols with their last daily bar date and close"},
}};
// clang-format on

constexpr const CommandSpec& spec(Command c) { return kCommands[static_cast<std::size_t>(c)]; }
constexpr std::string_view to_string(Command c) { return spec(c).name; }
constexpr const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}
constexpr const ParamSpec* find_param(const CommandSpec& c, std::string_view name) {
  for (const auto& p : c.params)
    if (p.name == name) return &p;
  return nullptr;
}

/// Relative paths under docs/schemas/ of a command's parameter and result schemas.
std::string params_schema_path(Command c);
std::string result_schema_path(Command c);

// ---- requests -----------------------------------------------------------------
struct CommandRequest {
  Command command;
  std::string request_id;
  /// Validated and normalised: defaults filled, aliases resolved, symbol and
  /// phase lists canonical. update_schedule gets no defaults (absent = unchanged).
  nlohmann::json parameters = nlohmann::json::object();
  std::string source;     // as sent ("" when absent); "http" for HTTP requests
  std::string timestamp;  // as sent ("" when absent)
  std::string reply_to;   // Redis: where to reply (default kDefaultReplyChannel); HTTP: ""
  std::string signature;  // Redis: 64 lowercase hex digits, HMAC-SHA256 (signing.hpp); "" = unsigned
};


struct CommandError {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // specific: names the command, parameter, value and rule
  nlohmann::json details = nlohmann::json::object();
};

/// A request that could not be accepted, with what is needed to reply to it.
struct CommandFailure {
  CommandError error;
  std::string request_id;  // the client's when readable, else a generated one
  std::string command;     // as sent; "" when unreadable
  std::string reply_to;    // the client's when valid, else kDefaultReplyChannel ("" for HTTP)
};

using RequestIdGenerator = std::function<std::string()>;

/// A Redis command's envelope as sent, before its name and parameters are
/// checked: what a signature covers (protocol/signing.hpp). Views into the
/// decoder's parsed message, valid during the EnvelopeCheck call only.
struct CommandEnvelope {
  std::string_view command;     // as sent (not yet known to be a command)
  std::string_view request_id;  // "" when absent (the decoder then generates one)
  std::string_view timestamp;   // "" when absent
  std::string_view source;      // "" when absent
  std::string_view reply_to;    // effective: kDefaultReplyChannel when absent
  const nlohmann::json& parameters;  // as sent; {} when absent
  std::string_view signature;        // "" when absent
};
/// Called by decode_command once the envelope is well formed, before the name
/// and parameters are checked; an error it returns becomes the failure.
using EnvelopeCheck = std::function<std::optional<CommandError>(const CommandEnvelope&)>;

/// Decodes one Redis command message. Checks, in order: size (PAYLOAD_TOO_LARGE,
/// before parsing), JSON syntax (INVALID_JSON with details.position), the
/// envelope (INVALID_COMMAND: an object, `command` a string, request_id,
/// source, timestamp, reply_to, signature of the right form, parameters an
/// object, no other field), then `check` when given (the engine's signature
/// verification: UNAUTHORIZED), the name (UNKNOWN_COMMAND), then the
/// parameters (INVALID_PARAMETER). `new_id` supplies request_id when the
/// client sent none.
Result<CommandRequest, CommandFailure> decode_command(std::string_view raw, const RequestIdGenerator& new_id,
                                                      std::size_t max_bytes = kMaxCommandBytes,
                                                      const EnvelopeCheck& check = {});

/// Validates and normalises a command's parameters (shared by both transports).
/// Unknown parameters are rejected, so a misspelt option never silently falls
/// back to its default.
Result<nlohmann::json, CommandError> validate_parameters(const CommandSpec& spec,
                                                         const nlohmann::json& parameters);

/// The JSON a client publishes (what ctl sends); parameters as given, the
/// signature when r.signature is set (sign it with protocol::sign_command).
std::string encode_command(const CommandRequest& r);

// ---- HTTP -------------------------------------------------------------------------
struct RouteMatch {
  const CommandSpec* spec = nullptr;
  std::string run_id;  // the {run_id} path segment, when the route has one
};
/// The command served at (method, path), path without the query string.
std::optional<RouteMatch> match_route(std::string_view method, std::string_view path);

struct HttpRequestView {
  std::string_view method;
  std::string_view path;   // without the query string
  std::string_view query;  // raw, percent-encoded "days=7&limit=20" ("" when none)
  std::string_view body;   // POST: a JSON object of parameters ("" = {})
};
/// Decodes an HTTP API request into the same CommandRequest. Query values are
/// converted to the parameter's JSON type (integers, true/false, and arrays as
/// comma-separated or repeated keys); a parameter given twice (path, query or
/// body) is INVALID_PARAMETER. No route: UNKNOWN_COMMAND (404). Authorization is
/// the server's check (spec->mutating tells it when).
Result<CommandRequest, CommandFailure> decode_http_command(const HttpRequestView& req,
                                                           const RequestIdGenerator& new_id,
                                                           std::size_t max_bytes = kMaxCommandBytes);

// ---- replies ------------------------------------------------------------------------
struct Reply {
  std::string request_id;
  std::string command;
  bool ok = false;
  nlohmann::json result = nlohmann::json::object();  // when ok
  std::optional<CommandError> error;                 // when !ok
  std::string timestamp;                             // RFC 3339 UTC ms, when the engine replied
  std::string source;                                // the engine's source string
};

Reply make_ok_reply(const CommandRequest& r, nlohmann::json result, std::string timestamp,
                    std::string source);
Reply make_error_reply(const CommandRequest& r, CommandError error, std::string timestamp,
                       std::string source);
Reply make_error_reply(const CommandFailure& f, std::string timestamp, std::string source);

std::string encode_reply(const Reply& r);
/// For clients: size, syntax, and the reply's shape (ok with result, or not ok
/// with an error whose code is known). Error codes INVALID_JSON,
/// PAYLOAD_TOO_LARGE, INVALID_REPLY.
Result<Reply> decode_reply(std::string_view raw, std::size_t max_bytes = kMaxReplyBytes);

/// HTTP: the status and body for a reply (200 + result, or the error status +
/// {"error": {"code", "message", "details"}}).
int http_status(const Reply& r);
std::string http_body(const Reply& r);

// ---- errors the dispatcher raises (one wording everywhere) ------------------------
CommandError already_running(std::string_view active_run_id);
CommandError run_not_found(std::string_view run_id);
CommandError market_closed(std::string_view date, std::string_view reason);
CommandError unauthorized(std::string_view why);
CommandError internal_error(std::string_view what);
/// STORAGE_FAILED (HTTP 503): the database refused a read or write; `what` is
/// the storage layer's message (it names the SQLite error, never a secret).
CommandError storage_failed(std::string_view what);
/// NOT_FOUND for a symbol without bars on a timeframe (details.symbol, details.timeframe).
CommandError symbol_not_found(std::string_view symbol, std::string_view timeframe);
/// NOT_FOUND for a universe the engine does not know (details.universe).
CommandError universe_not_found(std::string_view universe);

}  // namespace ts::protocol
