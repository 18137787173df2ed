#pragma once
// PostgreSQL schema migrations: the same versions and descriptions as the
// SQLite ones (storage/sqlite/migrations.cpp), written in PostgreSQL's
// dialect, applied in order at start-up, each in its own transaction and
// recorded in schema_migrations. Never edit a shipped migration: append one.
//
// Concurrency: migrate() takes a transaction-scoped advisory lock, so several
// processes opening one database at once apply each migration exactly once.
#include <pqxx/connection>
#include <span>
#include <string_view>

#include "storage/sqlite/migrations.hpp"

namespace ts::storage::postgres {

using sqlite::Migration;

std::span<const Migration> migrations();

/// Applies every migration newer than the database's version, then makes
/// `ohlcv` a TimescaleDB hypertable when that extension is installed in the
/// database. Throws StorageError when the database is newer than this binary.
void migrate(pqxx::connection& c);

}  // namespace ts::storage::postgres
