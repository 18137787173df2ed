#include "storage/storage.hpp"

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
    if (path.empty()) throw StorageError("database URL '" + url + "' has no file path");
    return open_sqlite(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    throw StorageError("the PostgreSQL backend is not built into this version; use sqlite:PATH");
  throw StorageError("unknown database URL '" + url + "' (expected sqlite:PATH)");
}

}  // namespace ts::storage
