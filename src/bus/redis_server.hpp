#pragma once
// RedisServer: runs a private redis-server process on a loopback port. Tests
// use it (via redis_fixture.hpp), and so can `tickstock up` when no Redis is
// configured.
//
//   redis-server --port P --bind 127.0.0.1 --save "" --appendonly no --dir DIR
//                [--requirepass PASSWORD] [extra args...]
//
// The server's output goes to DIR/redis.log. It is killed if the thread that
// started it exits (PR_SET_PDEATHSIG), so a crashed test leaves no server
// behind; start it from a thread that outlives it (the main thread).
// Not thread-safe: one owner.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "bus/url.hpp"
#include "core/result.hpp"

namespace ts::bus {

struct RedisServerOptions {
  /// "" = $TICKSTOCK_REDIS_SERVER, else redis-server from PATH.
  std::string executable;
  int port = 0;                         ///< 0 = a free loopback port, chosen at the first start
  std::string password;                 ///< requirepass ("" = none)
  std::filesystem::path dir;            ///< "" = a new temporary directory, removed with the server
  std::vector<std::string> extra_args;  ///< e.g. {"--stream-node-max-entries", "10"}
  std::chrono::milliseconds start_timeout{10'000};
};

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();  ///< stop(), then removes the temporary directory
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// Starts it and waits until PING answers. Errors: REDIS_SERVER_FAILED with
  /// the reason (not installed, exited early: the log's last lines, timeout).
  Status<> start();
  /// SIGTERM (SIGKILL with hard = true; also after 5 s) and waits for the exit.
  void stop(bool hard = false);
  /// Stops and starts again on the same port and directory (data is not kept:
  /// persistence is off).
  Status<> restart();

  bool running() const noexcept { return pid_ > 0; }
  int port() const noexcept { return port_; }
  /// redis://[:password@]127.0.0.1:port/0
  RedisUrl url() const;
  const std::filesystem::path& dir() const noexcept { return dir_; }
  std::string log_tail(std::size_t lines = 20) const;

 private:
  RedisServerOptions opt_;
  int port_ = 0;
  std::filesystem::path dir_;
  bool own_dir_ = false;
  pid_t pid_ = -1;
};

/// A loopback TCP port that was free a moment ago (bind 127.0.0.1:0, close).
Result<int> pick_free_port();

}  // namespace ts::bus
