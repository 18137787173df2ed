#pragma once
// The engine database of an integration test, on either backend.
//
// ctest registers the integration suite twice: once on SQLite files (the
// default) and once, prefixed `pg.` and with TICKSTOCK_TEST_BACKEND=postgresql,
// on fresh databases of the private PostgreSQL test server (fixture PgServer).
// Tests name their engine database by a path in their TempDir; engine_db()
// turns that path into the URL of the backend under test, so one test body
// runs on both. Tests of SQLite-only behaviour (file faults, busy timeouts)
// keep "sqlite:" URLs and are filtered out of the PostgreSQL pass.
//
// Thread-safety: engine_db() may be called from any test thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/postgres/test_database.hpp"

namespace ts::testing {

/// Whether this pass of the suite runs on PostgreSQL.
inline bool on_postgres() {
  const char* b = std::getenv("TICKSTOCK_TEST_BACKEND");
  return b != nullptr && std::string_view(b) == "postgresql";
}

namespace detail {
/// The PostgreSQL databases engine_db() created, by path. Dropped by the
/// global test environment below, inside RUN_ALL_TESTS: dropping them from a
/// static destructor instead ran libpq after its own teardown at exit.
struct PgDatabases {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<storage::testing::PgTestDatabase>> by_path;
};
inline PgDatabases& pg_databases() {
  static PgDatabases d;
  return d;
}
class DropPgDatabases : public ::testing::Environment {
 public:
  void TearDown() override {
    auto& d = pg_databases();
    std::lock_guard lock(d.mu);
    d.by_path.clear();
  }
};
inline ::testing::Environment* const kDropPgDatabases = ::testing::AddGlobalTestEnvironment(new DropPgDatabases);
}  // namespace detail

/// The URL of the engine database a test keeps at `path`: "sqlite:PATH", or on
/// the PostgreSQL pass a fresh database of the test server, the same one for
/// the same path until the test program ends.
inline std::string engine_db(const std::string& path) {
  if (!on_postgres()) return "sqlite:" + path;
  auto& d = detail::pg_databases();
  std::lock_guard lock(d.mu);
  auto& db = d.by_path[path];
  if (!db) db = std::make_unique<storage::testing::PgTestDatabase>();
  return db->url();
}

/// Every row of `sql` on the database at `url` (sqlite:PATH, opened read-only,
/// or postgresql://…), each row as its columns' text joined by '|' (NULL as
/// "NULL"). Throws std::runtime_error naming the URL and the statement.
inline std::vector<std::string> query_lines(const std::string& url, const std::string& sql) {
  std::vector<std::string> lines;
  if (url.rfind("postgresql://", 0) == 0) {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec(sql)) {
      std::string line;
      for (pqxx::row::size_type c = 0; c < row.size(); ++c) {
        if (c) line += '|';
        line += row[c].is_null() ? "NULL" : row[c].c_str();
      }
      lines.push_back(std::move(line));
    }
    return lines;
  }
  if (url.rfind("sqlite:", 0) != 0) throw std::runtime_error("not a database URL: " + url);
  const std::string path = url.substr(7);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    const std::string msg = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error(path + ": " + sql + ": " + msg);
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string line;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      if (c) line += '|';
      const auto* text = sqlite3_column_text(st, c);
      line += text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    lines.push_back(std::move(line));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return lines;
}

}  // namespace ts::testing
