#pragma once
// Helpers shared by the bus's own tests (not part of the library).
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "bus/options.hpp"
#include "bus/redis_fixture.hpp"

namespace ts::bus::testing {

/// Options that retry quickly, so reconnection tests finish fast.
inline ConnectionOptions fast(const RedisUrl& url, std::string name) {
  ConnectionOptions o;
  o.url = url;
  o.name = std::move(name);
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.command_timeout = std::chrono::milliseconds(3000);
  o.backoff.initial = std::chrono::milliseconds(10);
  o.backoff.max = std::chrono::milliseconds(100);
  return o;
}

/// Success if the future becomes ready within `timeout` holding a success;
/// otherwise a failure naming the error (or the timeout).
template <class T>
::testing::AssertionResult succeeds(std::future<Result<T>>& f,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto r = get_within(f, timeout);
  if (!r) return ::testing::AssertionFailure() << "not ready within " << timeout.count() << " ms";
  if (!*r) return ::testing::AssertionFailure() << r->error().code << ": " << r->error().message;
  return ::testing::AssertionSuccess();
}

/// A thread-safe list that callbacks on the loop thread append to.
template <class T>
class Collected {
 public:
  void add(T v) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(v));
  }
  std::vector<T> items() const {
    std::lock_guard lock(mu_);
    return items_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  bool wait_size(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15)) const {
    return wait_for([&] { return size() >= n; }, timeout);
  }

 private:
  mutable std::mutex mu_;
  std::vector<T> items_;
};

/// The id of the client connection named `name` (CLIENT LIST), or "" if none.
inline std::string client_id(SyncClient& c, const std::string& name) {
  auto r = c.command({"CLIENT", "LIST"});
  if (!r) return "";
  const std::string& text = r->str;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(line_start, end - line_start);
    if (line.find(" name=" + name + " ") != std::string::npos) {
      auto id_start = line.find("id=") + 3;
      return line.substr(id_start, line.find(' ', id_start) - id_start);
    }
    line_start = end + 1;
  }
  return "";
}

/// Drops the server side of the client named `name`, as a network failure would.
inline bool kill_client(SyncClient& c, const std::string& name) {
  std::string id = client_id(c, name);
  if (id.empty()) return false;
  auto r = c.command({"CLIENT", "KILL", "ID", id});
  return r && r->integer == 1;
}

}  // namespace ts::bus::testing
