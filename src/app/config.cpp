#include "app/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <ranges>
#include <set>
#include <span>
#include <string_view>
#include <toml.hpp>
#include <type_traits>
#include <variant>

#include "core/secret.hpp"

namespace ts::app {

std::string mask_url(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url.substr(0, scheme + 3) + "***" + url.substr(at);
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {

// ---- The key tables ----------------------------------------------------------
// Every setting is one row: its TOML key, its environment variable, the field
// it sets, how it is shown, its range and a one-line meaning. Parsing, range
// checks, describe() and docs/configuration.md (config_reference()) all walk
// these rows, so a new setting is one row (plus its field).

/// How a value is read and shown.
enum class Kind {
  plain,
  url,          // shown with its password masked
  secret,       // never shown; the environment also reads NAME_FILE
  secret_file,  // TOML: the path of a file holding the secret; environment: NAME or NAME_FILE
};

template <class Config>
using Field = std::variant<std::string Config::*, bool Config::*, int Config::*, long Config::*,
                           unsigned Config::*, std::size_t Config::*, double Config::*>;

template <class Config>
struct Key {
  std::string_view toml;  // "" = not settable in the TOML file
  std::string_view env;   // "" = not settable in the environment
  Field<Config> field;
  Kind kind = Kind::plain;
  double min = 0, max = 0;   // numbers: the inclusive range (min == max: any)
  std::string_view choices;  // strings: the allowed values, '|'-separated ("" = any)
  std::string_view help;
};

using E = EngineConfig;
using A = AppConfig;

// The engine (`tickstock engine`, `tickstock up`).
const Key<E> kEngineKeys[] = {
    {"redis", "TICKSTOCK_REDIS_URL", &E::redis_url, Kind::url, 0, 0, "",
     "Redis URL redis://[user:password@]host:port/db"},
    {"db", "TICKSTOCK_DB", &E::db_url, Kind::url, 0, 0, "",
     "database: sqlite:PATH or postgresql://user:password@host:port/db"},
    {"http", "TICKSTOCK_HTTP", &E::http, Kind::plain, 0, 0, "", "HTTP API address host:port, or off"},
    {"provider", "TICKSTOCK_PROVIDER", &E::provider, Kind::plain, 0, 0, "",
     "bar source: synthetic[:seed=N], csv:DIR or massive[:base=URL,rpm=N]"},
    {"vendor_url", "TICKSTOCK_VENDOR_URL", &E::vendor_url, Kind::url, 0, 0, "",
     "the vendor API's base URL (\"\" = its default)"},
    {"universe", "TICKSTOCK_UNIVERSE", &E::universe, Kind::plain, 0, 0, "",
     "universe of triggers that name none"},
    {"legacy_channels", "TICKSTOCK_LEGACY_CHANNELS", &E::legacy_channels, Kind::plain, 0, 0, "",
     "also publish detections on tickstock.events.patterns (the pre-v1 channel)"},
    {"api_token", "TICKSTOCK_API_TOKEN", &E::api_token, Kind::secret, 0, 0, "",
     "bearer token the HTTP API requires (\"\" = none)"},
    {"api_token_file", "", &E::api_token, Kind::secret_file, 0, 0, "", "file holding api_token"},
    {"command_secret_file", "TICKSTOCK_COMMAND_SECRET", &E::command_secret, Kind::secret_file, 0, 0, "",
     "file holding the key that signs commands (\"\" = unsigned)"},
    {"tls_cert", "TICKSTOCK_TLS_CERT", &E::tls_cert, Kind::plain, 0, 0, "",
     "PEM certificate chain: the HTTP API serves HTTPS"},
    {"tls_key", "TICKSTOCK_TLS_KEY", &E::tls_key, Kind::plain, 0, 0, "", "PEM private key of tls_cert"},
    {"stream_maxlen", "", &E::stream_maxlen, Kind::plain, 1, 1e9, "",
     "events kept in the Redis event stream"},
    {"event_outbox_max", "", &E::event_outbox_max, Kind::plain, 0, 1e9, "",
     "events kept in the database outbox while Redis is down"},
    {"progress_per_second", "", &E::progress_per_second, Kind::plain, 0.01, 1000, "",
     "progress events per second and phase, at most"},
    {"threads", "TICKSTOCK_THREADS", &E::threads, Kind::plain, 0, 1024, "",
     "phase threads (0 = one per core, two on PostgreSQL)"},
    {"min_success", "", &E::min_success_ratio, Kind::plain, 0, 1, "",
     "share of symbols a phase needs to succeed"},
    {"alert_bars", "", &E::alert_bars, Kind::plain, 0, 1e6, "",
     "detections on each symbol's newest N bars are published (0 = all)"},
    {"thread_nice", "", &E::thread_nice, Kind::plain, 0, 19, "",
     "niceness the phase threads add to themselves (0 = none)"},
    {"heartbeat_ms", "", &E::heartbeat_ms, Kind::plain, 100, 3.6e6, "", "engine heartbeat event interval"},
    {"scheduler", "", &E::scheduler, Kind::plain, 0, 0, "",
     "run the schedule (16:10 New York on NYSE trading days)"},
    {"resume", "TICKSTOCK_RESUME", &E::resume, Kind::plain, 0, 0, "",
     "at start, continue a run the last process left interrupted"},
    {"workers", "TICKSTOCK_WORKERS", &E::workers, Kind::plain, 0, 0, "auto|off",
     "hand runs to live `tickstock worker` processes (PostgreSQL)"},
    {"worker_shard_size", "", &E::worker_shard_size, Kind::plain, 1, 1e6, "", "symbols per shard"},
    {"worker_claim_timeout_ms", "", &E::worker_claim_timeout_ms, Kind::plain, 1, 8.64e7, "",
     "a shard idle this long is reclaimed by another worker"},
    {"worker_max_deliveries", "", &E::worker_max_deliveries, Kind::plain, 1, 1000, "",
     "deliveries before a shard goes to the dead-letter stream"},
    {"worker_takeover_ms", "", &E::worker_takeover_ms, Kind::plain, 1, 8.64e7, "",
     "no live worker this long in a phase: the engine does the rest"},
    {"worker_stall_ms", "", &E::worker_stall_ms, Kind::plain, 1, 8.64e7, "",
     "no worker result this long in a phase while workers are alive (a hung worker): the engine does the "
     "rest; keep it above worker_claim_timeout_ms"},
};

// The dashboard (`tickstock app`).
const Key<A> kAppKeys[] = {
    {"redis", "TICKSTOCK_REDIS_URL", &A::redis_url, Kind::url, 0, 0, "",
     "Redis URL redis://[user:password@]host:port/db"},
    {"db", "TICKSTOCK_APP_DB", &A::db_url, Kind::url, 0, 0, "",
     "the app's own database (users, sessions): sqlite:PATH"},
    {"http", "TICKSTOCK_APP_HTTP", &A::http, Kind::plain, 0, 0, "", "address host:port"},
    {"web_dir", "TICKSTOCK_WEB_DIR", &A::web_dir, Kind::plain, 0, 0, "",
     "static files (\"\" = the compiled-in web/)"},
    {"engine_timeout_ms", "TICKSTOCK_ENGINE_TIMEOUT_MS", &A::engine_timeout_ms, Kind::plain, 1, 3.6e6, "",
     "how long a command waits for the engine's reply"},
    {"secure_cookies", "", &A::secure_cookies, Kind::plain, 0, 0, "",
     "Secure cookies (TLS terminated in front; implied by tls_cert)"},
    {"command_secret_file", "TICKSTOCK_COMMAND_SECRET", &A::command_secret, Kind::secret_file, 0, 0, "",
     "file holding the key that signs commands (\"\" = unsigned)"},
    {"tls_cert", "TICKSTOCK_APP_TLS_CERT", &A::tls_cert, Kind::plain, 0, 0, "",
     "PEM certificate chain: serve HTTPS and WSS"},
    {"tls_key", "TICKSTOCK_APP_TLS_KEY", &A::tls_key, Kind::plain, 0, 0, "", "PEM private key of tls_cert"},
};

template <class Config>
std::span<const Key<Config>> keys();
template <>
std::span<const Key<E>> keys<E>() {
  return kEngineKeys;
}
template <>
std::span<const Key<A>> keys<A>() {
  return kAppKeys;
}

std::string number_text(double v) { return fmt::format("{}", v); }

/// A number within the row's range (NaN never is); `where` names the source.
template <class Config>
Status<> check_range(const Key<Config>& k, double v, const std::string& where) {
  if (k.min == k.max && !std::isnan(v)) return Ok{};
  if (v >= k.min && v <= k.max) return Ok{};
  return fail("INVALID_CONFIG", where + " must be within " + number_text(k.min) + ".." + number_text(k.max) +
                                    ", not " + number_text(v));
}

/// Range and choice checks of one row; `where` names the source ("PATH: key" or "NAME").
template <class Config>
Status<> check(const Key<Config>& k, const Config& c, const std::string& where) {
  return std::visit(
      [&](auto member) -> Status<> {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        const T& v = c.*member;
        if constexpr (std::is_same_v<T, std::string>) {
          if (k.choices.empty()) return Ok{};
          for (const auto part : std::views::split(k.choices, '|'))
            if (std::string_view(part.begin(), part.end()) == v) return Ok{};
          return fail("INVALID_CONFIG",
                      where + " must be one of " + std::string(k.choices) + ", not '" + v + "'");
        } else if constexpr (!std::is_same_v<T, bool>) {
          return check_range(k, static_cast<double>(v), where);
        } else {
          return Ok{};
        }
      },
      k.field);
}

/// Sets a row's field from a TOML value (a type mismatch is an error, not the default).
template <class Config>
Status<> set_from_toml(const Key<Config>& k, Config& c, const toml::value& value, const std::string& where) {
  if (k.kind == Kind::secret_file) {
    const auto& file = toml::get<std::string>(value);
    if (file.empty()) return Ok{};
    auto secret = read_secret_file(file);
    if (!secret) return fail("INVALID_CONFIG", where + ": " + secret.error().message);
    c.*std::get<std::string Config::*>(k.field) = std::move(secret).value();
    return Ok{};
  }
  return std::visit(
      [&](auto member) -> Status<> {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
          c.*member = toml::get<T>(value);
        } else if constexpr (std::is_floating_point_v<T>) {
          c.*member = value.is_integer() ? static_cast<T>(value.as_integer()) : toml::get<T>(value);
        } else {
          // Checked before the cast, so that a value beyond the field's type cannot wrap into range.
          const auto n = toml::get<long long>(value);
          if (auto st = check_range(k, static_cast<double>(n), where); !st) return st;
          if (n < static_cast<long long>(std::numeric_limits<T>::min()) ||
              static_cast<unsigned long long>(n) >
                  static_cast<unsigned long long>(std::numeric_limits<T>::max()))
            return fail("INVALID_CONFIG", where + " is out of range: " + std::to_string(n));
          c.*member = static_cast<T>(n);
        }
        return check(k, c, where);
      },
      k.field);
}

/// Sets a row's field from an environment variable's text.
template <class Config>
Status<> set_from_text(const Key<Config>& k, Config& c, const std::string& text, const std::string& where) {
  return std::visit(
      [&](auto member) -> Status<> {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          c.*member = text;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text != "1" && text != "true" && text != "0" && text != "false")
            return fail("INVALID_CONFIG", where + ": expected 1, true, 0 or false, not '" + text + "'");
          c.*member = text == "1" || text == "true";
        } else {
          T v{};
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
          if (ec == std::errc::result_out_of_range)
            return fail("INVALID_CONFIG", where + " is out of range: '" + text + "'");
          if (ec != std::errc{} || end != text.data() + text.size())
            return fail("INVALID_CONFIG", where + ": not a number: '" + text + "'");
          c.*member = v;
        }
        return check(k, c, where);
      },
      k.field);
}

/// "a string", "a boolean", "an integer" or "a number", for type errors.
template <class Config>
std::string type_name(const Key<Config>& k) {
  return std::visit(
      [](auto member) -> std::string {
        using T = std::remove_cvref_t<decltype(std::declval<Config>().*member)>;
        if constexpr (std::is_same_v<T, std::string>) return "a string";
        if constexpr (std::is_same_v<T, bool>) return "a boolean (true or false)";
        if constexpr (std::is_floating_point_v<T>) return "a number";
        return "an integer";
      },
      k.field);
}

template <class Config>
Result<Config> apply_toml(Config c, const std::string& path) {
  try {
    const auto data = toml::parse(path);
    for (const auto& [name, value] : data.as_table()) {
      const auto row = std::ranges::find_if(keys<Config>(), [&](const auto& k) { return k.toml == name; });
      if (row == keys<Config>().end()) return fail("INVALID_CONFIG", path + ": unknown key '" + name + "'");
      const std::string where = path + ": " + name;
      try {
        if (auto st = set_from_toml(*row, c, value, where); !st) return fail(st.error());
      } catch (const toml::type_error&) {
        return fail("INVALID_CONFIG", where + " must be " + type_name(*row));
      }
    }
  } catch (const std::exception& e) {
    return fail("INVALID_CONFIG", "config file " + path + ": " + e.what());
  }
  return c;
}

template <class Config>
Result<Config> apply_env(Config c) {
  for (const auto& k : keys<Config>()) {
    if (k.env.empty()) continue;
    const std::string name(k.env);
    if (k.kind == Kind::secret || k.kind == Kind::secret_file) {
      auto secret = secret_from_environment(name);  // NAME or NAME_FILE
      if (!secret) return fail("INVALID_CONFIG", secret.error().message);
      if (!secret->empty()) c.*std::get<std::string Config::*>(k.field) = std::move(secret).value();
      continue;
    }
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') continue;
    if (auto st = set_from_text(k, c, v, name); !st) return fail(st.error());
  }
  return c;
}

template <class Config>
std::string describe_config(const Config& c) {
  std::string out;
  std::set<std::string> shown;  // api_token and api_token_file set one field: shown once
  for (const auto& k : keys<Config>()) {
    std::string name(k.toml);
    if (k.kind == Kind::secret_file && name.ends_with("_file")) name.resize(name.size() - 5);
    if (!shown.insert(name).second) continue;
    const std::string text = std::visit(
        [&](auto member) -> std::string {
          using T = std::remove_cvref_t<decltype(c.*member)>;
          if constexpr (std::is_same_v<T, std::string>) {
            const std::string& v = c.*member;
            if (k.kind == Kind::secret || k.kind == Kind::secret_file) return v.empty() ? "(none)" : "***";
            if (v.empty()) return "\"\"";
            return k.kind == Kind::url ? mask_url(v) : v;
          } else {
            return fmt::format("{}", c.*member);
          }
        },
        k.field);
    out += (out.empty() ? "" : " ") + name + "=" + text;
  }
  return out;
}

template <class Config>
std::string reference(const Config& defaults) {
  std::string out = "| TOML key | Environment | Default | Range | Meaning |\n|---|---|---|---|---|\n";
  for (const auto& k : keys<Config>()) {
    std::string def = std::visit(
        [&](auto member) -> std::string {
          using T = std::remove_cvref_t<decltype(defaults.*member)>;
          if constexpr (std::is_same_v<T, std::string>) {
            const std::string& v = defaults.*member;
            return v.empty() ? "\"\"" : fmt::format("`{}`", v);
          } else {
            return fmt::format("`{}`", defaults.*member);
          }
        },
        k.field);
    if (k.kind == Kind::secret || k.kind == Kind::secret_file) def = "\"\"";
    // fmt rather than string concatenation: GCC 12 warns falsely (-Wrestrict) on the latter here.
    std::string range;
    if (!k.choices.empty()) {
      for (const auto part : std::views::split(k.choices, '|'))
        range += fmt::format("{}`{}`", range.empty() ? "" : ", ", std::string_view(part.begin(), part.end()));
    } else if (k.min != k.max) {
      range = fmt::format("{}..{}", k.min, k.max);
    }
    std::string env;
    if (!k.env.empty())
      env = (k.kind == Kind::secret || k.kind == Kind::secret_file)
                ? fmt::format("`{0}` or `{0}_FILE`", k.env)
                : fmt::format("`{}`", k.env);
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", k.toml, env, def, range, k.help);
  }
  return out;
}

}  // namespace

Result<EngineConfig> apply_toml_file(EngineConfig c, const std::string& path) {
  return apply_toml(std::move(c), path);
}
Result<AppConfig> apply_toml_file(AppConfig c, const std::string& path) {
  return apply_toml(std::move(c), path);
}
Result<EngineConfig> apply_environment(EngineConfig c) { return apply_env(std::move(c)); }
Result<AppConfig> apply_environment(AppConfig c) { return apply_env(std::move(c)); }

Status<> check_config(const EngineConfig& c) {
  for (const auto& k : kEngineKeys)
    if (auto st = check(k, c, std::string(k.toml)); !st) return st;
  return Ok{};
}

std::string describe(const EngineConfig& c) { return describe_config(c); }
std::string describe(const AppConfig& c) { return describe_config(c); }

std::string config_reference() {
  return "### Engine (`tickstock engine`, `tickstock up`)\n\n" + reference(EngineConfig{}) +
         "\n### Dashboard (`tickstock app`)\n\n" + reference(AppConfig{});
}

Result<std::string> sqlite_path(const std::string& db_url) {
  std::string path = db_url.starts_with("sqlite:") ? db_url.substr(7) : db_url;
  if (path.starts_with("//")) path = path.substr(2);
  if (path.empty() || (db_url.find("://") != std::string::npos && !db_url.starts_with("sqlite:")))
    return fail("INVALID_CONFIG", "the app's database must be sqlite:PATH, not '" + mask_url(db_url) + "'");
  return path;
}

}  // namespace ts::app
