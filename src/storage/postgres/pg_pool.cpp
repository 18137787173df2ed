#include "storage/postgres/pg_pool.hpp"

#include <chrono>
#include <pqxx/except>
#include <stdexcept>
#include <thread>

#include "storage/storage.hpp"

namespace ts::storage::postgres {
namespace {

// Idle connections beyond this are closed on release: the engine runs one
// worker per core, so more would only hold server backends open.
constexpr std::size_t kMaxIdle = 16;

bool transient_state(const std::string& state) {
  // 08xxx: connection exceptions; 57P01-57P03: the server is shutting down or
  // restarting (a terminated backend reports 57P01); 40001/40P01: the server
  // aborted the transaction to keep concurrent ones consistent.
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "40001" || state == "40P01";
}

}  // namespace

Pool::Pool(std::string url, std::function<void(pqxx::connection&)> setup)
    : url_(std::move(url)), setup_(std::move(setup)) {}

Pool::~Pool() = default;

std::size_t Pool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

std::unique_ptr<pqxx::connection> Pool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<pqxx::connection>(url_);
  // libpqxx 6 silently reconnects a broken connection on its next use, which
  // would lose the session's temporary tables and settings mid-way; a broken
  // connection must fail instead so that attempt() discards it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  c->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  if (setup_) setup_(*c);
  return c;
}

void Pool::release(std::unique_ptr<pqxx::connection> c) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(c));
}

void Pool::attempt(const std::function<void(pqxx::connection&)>& f) {
  std::string last;
  for (int n = 1;; ++n) {
    std::unique_ptr<pqxx::connection> c;
    try {
      c = acquire();
      f(*c);
      release(std::move(c));
      return;
    } catch (const pqxx::in_doubt_error& e) {
      last = e.what();  // outcome unknown; the unit is an upsert, redo it
    } catch (const pqxx::broken_connection& e) {
      last = e.what();
    } catch (const pqxx::sql_error& e) {
      if (!transient_state(e.sqlstate())) {
        if (c && c->is_open()) release(std::move(c));  // the session is fine; the statement was not
        throw StorageError("PostgreSQL (" + redact_url(url_) + "): " + e.what() +
                           (e.sqlstate().empty() ? "" : " [SQLSTATE " + e.sqlstate() + "]"));
      }
      last = e.what();
    } catch (const pqxx::failure& e) {
      // Other libpqxx failures (usage errors, conversion) are not transient.
      throw StorageError("PostgreSQL (" + redact_url(url_) + "): " + e.what());
    } catch (const std::logic_error& e) {
      // libpqxx's usage_error and conversion_error (a value that does not
      // read as the column's type): not transient either.
      throw StorageError("PostgreSQL (" + redact_url(url_) + "): " + e.what());
    }
    // A transient failure: the connection may be half-dead, so it is dropped
    // (c goes out of scope) and the next attempt starts on a fresh one.
    if (n >= kMaxAttempts)
      throw StorageError("PostgreSQL (" + redact_url(url_) + ") failed " + std::to_string(n) +
                         " times: " + last);
    std::this_thread::sleep_for(std::chrono::milliseconds(10) * (1 << (n - 1)));
  }
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  // A "password=..." parameter (libpq accepts one in the query string).
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p > 0 && out[p - 1] != '?' && out[p - 1] != '&') continue;
    const auto end = out.find('&', p);
    out.erase(p, end == std::string::npos ? std::string::npos : end - p);
    if (p > 0 && (out.size() == p || out[p] == '&')) {
      if (out.size() == p)
        out.erase(p - 1);  // the separator before a now-empty tail
      else
        out.erase(p, 1);
    }
  }
  // scheme://user:password@host... -> scheme://user@host...
  const auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const auto auth_end = out.find('@', scheme + 3);
  const auto path = out.find('/', scheme + 3);
  if (auth_end == std::string::npos || (path != std::string::npos && path < auth_end)) return out;
  const auto colon = out.find(':', scheme + 3);
  if (colon == std::string::npos || colon > auth_end) return out;
  return out.substr(0, colon) + out.substr(auth_end);
}

}  // namespace ts::storage::postgres
