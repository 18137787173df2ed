#include "storage/sqlite/sqlite_db.hpp"

namespace ts::storage::sqlite {

void throw_error(sqlite3* db, std::string_view what) {
  std::string msg = "sqlite: ";
  msg += what;
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : "out of memory";
  throw StorageError(msg);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    throw_error(db, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int idx, std::string_view v) {
  if (sqlite3_bind_text(stmt_, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    throw_error(db_, "bind text");
  return *this;
}
Statement& Statement::bind_static(int idx, std::string_view v) {
  if (sqlite3_bind_text(stmt_, idx, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    throw_error(db_, "bind text");
  return *this;
}
Statement& Statement::bind(int idx, double v) {
  if (sqlite3_bind_double(stmt_, idx, v) != SQLITE_OK) throw_error(db_, "bind real");
  return *this;
}
Statement& Statement::bind(int idx, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, idx, v) != SQLITE_OK) throw_error(db_, "bind integer");
  return *this;
}
Statement& Statement::bind_blob_static(int idx, std::string_view bytes) {
  if (sqlite3_bind_blob64(stmt_, idx, bytes.data(), bytes.size(), SQLITE_STATIC) != SQLITE_OK)
    throw_error(db_, "bind blob");
  return *this;
}
Statement& Statement::bind_null(int idx) {
  if (sqlite3_bind_null(stmt_, idx) != SQLITE_OK) throw_error(db_, "bind null");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  sqlite3_reset(stmt_);
  throw_error(db_, "step '" + sql.substr(0, 60) + "'");
}

void Statement::exec() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}
std::string_view Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

namespace {
/// SQLite keeps memory statistics behind a global mutex taken on every
/// allocation (a tenth of a bulk insert's CPU in perf); nothing here reads
/// them. Only possible before the library's first use: later calls return
/// SQLITE_MISUSE and change nothing, which is harmless.
const int kMemstatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}  // namespace

Connection::Connection(const std::string& path, bool read_only) {
  (void)kMemstatusOff;
  // Every connection is used by one thread at a time (its owner serialises
  // access), so SQLite's per-connection mutex is not needed.
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = "cannot open database '" + path + "'";
    sqlite3* db = db_;
    db_ = nullptr;
    try {
      throw_error(db, msg);
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StorageError("sqlite: exec '" + s.substr(0, 60) + "': " + msg);
  }
}

Transaction::Transaction(Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(c_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

}  // namespace ts::storage::sqlite
