#include "storage/storage.hpp"

#include "storage/postgres/pg_storage.hpp"
#include "storage/sqlite/sqlite_storage.hpp"

namespace ts::storage {

Result<Universe> resolve_universe(Storage& db, std::string_view name) {
  auto builtin = builtin_universe(name);
  if (builtin) return builtin;
  if (auto registered = db.registered_universe(name)) return std::move(*registered);
  std::string known;
  for (const auto& n : builtin_universe_names()) known += (known.empty() ? "" : ", ") + n;
  std::string mine;
  for (const auto& u : db.list_universes())
    if (u.registered) mine += (mine.empty() ? "" : ", ") + u.name;
  return fail("UNKNOWN_UNIVERSE", "unknown universe '" + std::string(name) + "' (built-in: " + known +
                                      "; registered: " + (mine.empty() ? "none" : mine) + ")");
}

namespace {

/// The options of a sqlite URL (after '?', '&'-separated): busy_timeout_ms=N.
SqliteOptions sqlite_options(std::string_view query, const std::string& url) {
  SqliteOptions o;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string value(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
    if (key != "busy_timeout_ms")
      throw StorageError("database URL '" + url + "': unknown option '" + std::string(key) +
                         "' (known: busy_timeout_ms)");
    long long ms = -1;
    std::size_t used = 0;
    try {
      ms = std::stoll(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (value.empty() || used != value.size() || ms < 0 || ms > 600000)
      throw StorageError("database URL '" + url + "': busy_timeout_ms must be 0..600000 milliseconds, got '" +
                         value + "'");
    o.busy_timeout = std::chrono::milliseconds(ms);
  }
  return o;
}

[[noreturn]] void unsupported(const Storage& db, const char* what) {
  throw StorageError(std::string(what) + " is not supported by " + db.describe());
}
}  // namespace

// Defaults for backends without migration v5 (see storage.hpp).
void Storage::append_outbox(std::vector<OutboxEvent>&) { unsupported(*this, "the event outbox"); }
std::vector<OutboxEvent> Storage::read_outbox(std::int64_t, std::size_t) {
  unsupported(*this, "the event outbox");
}
long long Storage::delete_outbox(std::int64_t) { unsupported(*this, "the event outbox"); }
long long Storage::count_outbox() { return 0; }  // nothing can have been appended
std::uint64_t Storage::reserve_seq(std::string_view, std::uint64_t) {
  unsupported(*this, "the seq high-water");
}
void Storage::settle_seq(std::string_view, std::uint64_t) { unsupported(*this, "the seq high-water"); }
std::uint64_t Storage::seq_high_water(std::string_view) { return 0; }

std::unique_ptr<Storage> open_storage(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    // Accept sqlite:///abs/path and sqlite://rel as well as sqlite:PATH.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    std::string_view query;
    const auto q = path.find('?');
    if (q != std::string::npos) query = std::string_view(url).substr(url.size() - (path.size() - q - 1));
    path = path.substr(0, q);
    if (path.empty()) throw StorageError("database URL '" + url + "' has no file path");
    return open_sqlite(path, sqlite_options(query, url));
  }
  // libpq reads both URI schemes itself (user, password, host, port, database, parameters).
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url);
  throw StorageError("unknown database URL '" + url + "' (expected sqlite:PATH or postgresql://...)");
}

}  // namespace ts::storage
