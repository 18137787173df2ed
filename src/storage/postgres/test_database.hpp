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
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

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

}  // namespace ts::storage::testing
