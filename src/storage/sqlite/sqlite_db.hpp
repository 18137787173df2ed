#pragma once
// Thin RAII over the SQLite C API. Every failure throws StorageError with the
// SQLite message and the statement that failed. Not thread-safe by itself: the
// owner serialises access.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/storage.hpp"

namespace ts::storage::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int idx, std::string_view v);  // copies the text
  /// Hot-path variant: the text is NOT copied and must stay alive until the
  /// statement has been stepped (exec/step) or reset.
  Statement& bind_static(int idx, std::string_view v);
  Statement& bind(int idx, double v);
  Statement& bind(int idx, std::int64_t v);
  Statement& bind(int idx, int v) { return bind(idx, static_cast<std::int64_t>(v)); }
  Statement& bind_null(int idx);
  /// Binds bytes as a BLOB, NOT copied (same lifetime rule as bind_static).
  Statement& bind_blob_static(int idx, std::string_view bytes);
  /// Returns true while a row is available.
  bool step();
  /// Runs to completion (for writes), then resets for reuse.
  void exec();
  void reset();

  std::string_view text(int col) const;
  /// A BLOB column's bytes (valid until the next step or reset).
  std::string_view blob(int col) const;
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  /// Opens (and creates) `path` for reading and writing; `read_only` opens an
  /// existing database for reads only (the WAL readers of SqliteStorage).
  explicit Connection(const std::string& path, bool read_only = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);
  sqlite3* handle() const noexcept { return db_; }
  int changes() const noexcept { return sqlite3_changes(db_); }

 private:
  sqlite3* db_ = nullptr;
};

/// BEGIN IMMEDIATE on construction, ROLLBACK in the destructor unless commit()
/// ran: an exception anywhere inside leaves nothing behind.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

[[noreturn]] void throw_error(sqlite3* db, std::string_view what);

}  // namespace ts::storage::sqlite
