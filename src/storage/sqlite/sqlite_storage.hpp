#pragma once
// SQLite backend: WAL mode, synchronous=NORMAL, one connection guarded by a
// mutex (SQLite allows one writer at a time anyway; the engine overlaps
// computation with writes instead). Prepared statements are cached per query.
#include <chrono>
#include <memory>
#include <string>

#include "storage/storage.hpp"

namespace ts::storage {

struct SqliteOptions {
  /// How long a write waits for another connection's write lock before it
  /// fails with StorageError ("database is locked"). The default outlasts any
  /// transaction of ours (one symbol's phase: milliseconds) and a short
  /// maintenance write by another tool, yet stays below the dashboard's 10 s
  /// engine timeout, so a command blocked by a foreign writer still gets its
  /// STORAGE_FAILED reply. URL option: sqlite:PATH?busy_timeout_ms=N.
  std::chrono::milliseconds busy_timeout{5000};
};

/// Opens (creating if needed) the database file at `path` and migrates it.
std::unique_ptr<Storage> open_sqlite(const std::string& path, const SqliteOptions& options = {});

}  // namespace ts::storage
