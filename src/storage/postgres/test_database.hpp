#pragma once
// For tests only: a fresh, empty PostgreSQL database per test on the private
// test server (scripts/pg-test-server.sh, started by ctest's PgServer
// fixture), dropped again when the object goes away.
//
// The server's URL is read from the file named by TICKSTOCK_TEST_PG_STATE.
// When it is not there, construction throws std::runtime_error saying how to
// start the server: PostgreSQL tests fail rather than skip.
// Thread-safety: none needed (one object per test).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/uuid.hpp"

namespace ts::storage::testing {

/// The test server's base URL (its `postgres` database).
inline std::string pg_test_server_url() {
  const char* state = std::getenv("TICKSTOCK_TEST_PG_STATE");
  std::string url;
  if (state) {
    std::ifstream in(state);
    std::getline(in, url);
  }
  if (url.empty())
    throw std::runtime_error(
        "no PostgreSQL test server: run the tests through ctest (fixture PgServer starts one with "
        "scripts/pg-test-server.sh), or run `scripts/pg-test-server.sh start DIR` and set "
        "TICKSTOCK_TEST_PG_STATE=DIR/url" +
        std::string(state ? " (" + std::string(state) + " is missing or empty)" : ""));
  return url;
}

class PgTestDatabase {
 public:
  PgTestDatabase() : server_(pg_test_server_url()) {
    std::string id = make_uuid_v4();
    for (char& c : id)
      if (c == '-') c = '_';
    name_ = "ts_test_" + id;
    admin("CREATE DATABASE " + name_ + " TEMPLATE template0 ENCODING 'UTF8'");
    const auto slash = server_.rfind('/');
    url_ = server_.substr(0, slash + 1) + name_;
  }
  ~PgTestDatabase() {
    try {
      admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
      // The server is going away with its data directory anyway.
    }
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  /// Runs SQL on this database in its own connection; returns the rows.
  pqxx::result query(const std::string& sql) const {
    pqxx::connection c(url_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql);
  }

  /// Runs SQL on the server's maintenance database (no transaction).
  void admin(const std::string& sql) const {
    pqxx::connection c(server_);
    pqxx::nontransaction tx(c);
    tx.exec(sql);
  }

 private:
  std::string server_, name_, url_;
};

/// Fresh, empty databases of one backend ("sqlite" or "postgresql") for a
/// test that runs on either: SQLite files under a temporary directory, or
/// PostgreSQL databases on the test server. All removed with the object.
class TestDatabases {
 public:
  explicit TestDatabases(std::string backend)
      : backend_(std::move(backend)),
        dir_(std::filesystem::temp_directory_path() / ("ts_db_" + make_uuid_v4())) {}
  ~TestDatabases() {
    pg_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestDatabases(const TestDatabases&) = delete;
  TestDatabases& operator=(const TestDatabases&) = delete;

  const std::string& backend() const { return backend_; }
  bool sqlite() const { return backend_ == "sqlite"; }
  /// The URL of a new, empty database (open_storage creates a SQLite file's
  /// parent directories itself).
  std::string fresh_url() {
    if (sqlite()) return "sqlite:" + (dir_ / "sub" / (make_uuid_v4() + ".db")).string();
    pg_.push_back(std::make_unique<PgTestDatabase>());
    return pg_.back()->url();
  }

 private:
  std::string backend_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<PgTestDatabase>> pg_;
};

/// The backends a parameterised suite runs on (also its test-name suffixes).
inline const std::vector<std::string> kBackends{"sqlite", "postgresql"};

}  // namespace ts::storage::testing
