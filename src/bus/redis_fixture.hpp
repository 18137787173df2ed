#pragma once
// RedisFixture: a gtest fixture giving each test its own redis-server on a
// free loopback port (started in SetUp, killed in TearDown). For unit tests
// of src/bus and the integration tests under tests/. Link ts_bus and GTest.
//
//   class MyTest : public ts::bus::testing::RedisFixture {};
//   TEST_F(MyTest, Works) { auto c = sync(); ... server().restart(); ... }
//
// Override server_options() for a password or extra redis-server arguments.
// Waits are bounded waits for a condition (wait_for), never timing assertions.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bus/redis_server.hpp"
#include "bus/sync_client.hpp"

namespace ts::bus::testing {

/// Polls `cond` every few milliseconds until it holds or `timeout` passes.
template <class Cond>
bool wait_for(Cond&& cond, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// The future's value, or nullopt if it is not ready within `timeout`.
template <class T>
std::optional<T> get_within(std::future<T>& f, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  if (f.wait_for(timeout) != std::future_status::ready) return std::nullopt;
  return f.get();
}

/// redis-server arguments that create the users of an ACL file (lines
/// "user NAME RULE...", '#' comments; docs/security/redis-users.acl), with each
/// rule equal to a key of `replace` (e.g. "><engine-password>") replaced by its value.
/// Throws std::runtime_error when the file cannot be read or holds no user.
inline std::vector<std::string> acl_user_args(const std::filesystem::path& file,
                                              const std::map<std::string, std::string>& replace) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> args;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string word;
    if (!(words >> word) || word != "user") continue;
    args.push_back("--user");
    while (words >> word) {
      const auto it = replace.find(word);
      args.push_back(it == replace.end() ? word : it->second);
    }
  }
  if (args.empty()) throw std::runtime_error(file.string() + " defines no user");
  return args;
}

/// What Redis refused since it started (ACL LOG, newest first), one line per
/// entry: "count 1 reason command ... username NAME ...".
inline std::vector<std::string> acl_refusals(SyncClient& admin) {
  auto log = admin.command({"ACL", "LOG"});
  if (!log) return {"ACL LOG failed: " + log.error().message};
  std::vector<std::string> out;
  for (const auto& entry : log->elements) {
    std::string line;
    for (const auto& field : entry.elements) line += field.str + " ";
    out.push_back(line);
  }
  return out;
}

class RedisFixture : public ::testing::Test {
 protected:
  virtual RedisServerOptions server_options() const { return {}; }

  void SetUp() override {
    server_ = std::make_unique<RedisServer>(server_options());
    auto s = server_->start();
    ASSERT_TRUE(s) << s.error().message;
  }
  void TearDown() override { server_.reset(); }

  RedisServer& server() { return *server_; }
  RedisUrl url() const { return server_->url(); }

  /// A connected blocking client; throws (failing the test) if it cannot connect.
  SyncClient sync() {
    auto c = SyncClient::connect(url());
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(c).value();
  }

 private:
  std::unique_ptr<RedisServer> server_;
};

}  // namespace ts::bus::testing
