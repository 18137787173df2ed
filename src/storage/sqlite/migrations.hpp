#pragma once
// Versioned schema migrations, applied in order at start-up, each in its own
// transaction and recorded in schema_migrations. Never edit a shipped
// migration: append a new one.
#include <span>
#include <string_view>

namespace ts::storage::sqlite {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
  /// The migration rebuilds a table other tables reference (SQLite cannot
  /// alter a CHECK constraint in place): foreign key enforcement is switched
  /// off around its transaction (the pragma is a no-op inside one) and
  /// PRAGMA foreign_key_check must come back empty before it commits.
  bool rebuilds_referenced_table = false;
};

std::span<const Migration> migrations();

/// The migrations of `all` (ascending) newer than `current`, the database's
/// version; shared by both backends. Throws StorageError when the database is
/// newer than the newest migration this binary knows.
std::span<const Migration> pending(std::span<const Migration> all, int current);

class Connection;
/// Applies every migration newer than the database's version. Throws
/// StorageError when the database is newer than this binary knows.
void migrate(Connection& c);

}  // namespace ts::storage::sqlite
