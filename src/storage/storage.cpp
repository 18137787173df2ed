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

std::unique_ptr<Storage> open_storage(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    // Accept sqlite:///abs/path and sqlite://rel as well as sqlite:PATH.
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) throw StorageError("database URL '" + url + "' has no file path");
    return open_sqlite(path);
  }
  // libpq reads both URI schemes itself (user, password, host, port, database, parameters).
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url);
  throw StorageError("unknown database URL '" + url + "' (expected sqlite:PATH or postgresql://...)");
}

}  // namespace ts::storage
