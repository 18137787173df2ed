#pragma once
// A pool of libpqxx connections to one PostgreSQL database, with retries.
//
// Ownership: the pool owns every connection. `run(f)` lends one connection to
// the calling thread for the duration of `f` and takes it back afterwards, so
// each thread working concurrently holds its own connection (the engine's
// phase workers therefore write in parallel, one connection each) and a
// connection is never used by two threads at once.
//
// Retries: `f` must be a complete unit of work (it opens and commits its own
// transaction, or is one statement, which is its own) and safe to repeat,
// because a transient failure makes `run` call it again on a fresh connection
// after a backoff (10, 20, 40, ... ms, at most kMaxAttempts calls).
// Transient means: the connection broke (pqxx::broken_connection, SQLSTATE
// class 08, 57P01-57P03 server shutdown), serialization failure (40001),
// deadlock (40P01), or a commit whose outcome is unknown (in_doubt_error;
// every write here is an upsert, so redoing it is harmless). Any other
// failure, and a transient one that persists, throws StorageError carrying
// the server's message (never the password).
//
// Thread-safety: every member may be called from any thread.
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <type_traits>
#include <vector>

namespace ts::storage::postgres {

class Pool {
 public:
  static constexpr int kMaxAttempts = 6;

  /// `setup` runs once on every new connection (session settings, temporary
  /// tables); `url` is a libpq connection URI. Connects nothing yet.
  Pool(std::string url, std::function<void(pqxx::connection&)> setup);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Runs `f` on a pooled connection, retrying transient failures as above.
  template <class F>
  auto run(F&& f) -> decltype(f(std::declval<pqxx::connection&>())) {
    using R = decltype(f(std::declval<pqxx::connection&>()));
    if constexpr (std::is_void_v<R>) {
      attempt([&](pqxx::connection& c) { f(c); });
    } else {
      R out{};
      attempt([&](pqxx::connection& c) { out = f(c); });
      return out;
    }
  }

  /// Connections currently idle in the pool (for tests and metrics).
  std::size_t idle() const;

 private:
  void attempt(const std::function<void(pqxx::connection&)>& f);
  std::unique_ptr<pqxx::connection> acquire();
  void release(std::unique_ptr<pqxx::connection> c);

  std::string url_;
  std::function<void(pqxx::connection&)> setup_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
};

/// A connection URL with any password removed: what describe() and error
/// messages may show.
std::string redact_url(const std::string& url);

}  // namespace ts::storage::postgres
