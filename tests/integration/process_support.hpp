#pragma once
// The real `tickstock` binary as a child process (engine or app), for tests
// that kill it (SIGKILL) or stop it (SIGTERM) and start it again, plus a tail
// of the event stream that waits for one event with low latency (XREAD BLOCK).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_fixture.hpp"
#include "bus/sync_client.hpp"
#include "protocol/envelope.hpp"
#include "protocol/events.hpp"
#include "test_support.hpp"

namespace ts::testing {

/// `tickstock ARGS...` with stdout and stderr appended to `log`. The
/// destructor SIGKILLs a child still running, so a failed test leaves no process.
class TickstockProcess {
 public:
  /// `env`: extra NAME=VALUE variables for the child.
  TickstockProcess(const std::vector<std::string>& args, const std::string& log,
                   const std::vector<std::string>& env = {})
      : log_(log) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv{const_cast<char*>(TICKSTOCK_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(TICKSTOCK_BINARY, argv.data());
      _exit(127);
    }
  }
  ~TickstockProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  TickstockProcess(const TickstockProcess&) = delete;
  TickstockProcess& operator=(const TickstockProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Sends `sig` and waits for the process to end; returns its wait status.
  int stop(int sig) {
    if (exited_) return status_;
    ::kill(pid_, sig);
    waitpid(pid_, &status_, 0);
    exited_ = true;
    return status_;
  }
  /// Sends `sig` and waits up to `timeout`: the exit code (128 + the signal
  /// when a signal ended it), or -1 when it is still running.
  int exit_code_after(int sig, std::chrono::milliseconds timeout) {
    if (!exited_) {
      ::kill(pid_, sig);
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!exited_ && waitpid(pid_, &status_, WNOHANG) != pid_) {
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      exited_ = true;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  /// Whether the process has ended (reaped here when it has).
  bool exited() {
    if (!exited_ && waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return exited_;
  }
  /// SIGTERM, and whether the process then exited with status 0.
  bool stop_gracefully() {
    const int st = stop(SIGTERM);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  std::string log() const { return read_file(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

/// The port of the last "Dashboard: http://127.0.0.1:PORT/" line `tickstock
/// app` or `up` printed, or 0 when there is none yet.
inline unsigned short dashboard_port(const std::string& output) {
  const std::string tag = "Dashboard: http://127.0.0.1:";
  const auto at = output.rfind(tag);
  if (at == std::string::npos) return 0;
  return static_cast<unsigned short>(std::atoi(output.c_str() + at + tag.size()));
}

/// Whether an engine listens on the command channel within `timeout` (a
/// status request reaches a subscriber; a killed engine's subscription is gone).
inline bool engine_listening(bus::SyncClient& c,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return bus::testing::wait_for(
      [&] {
        auto n = c.publish("tickstock:commands", R"({"command":"get_processing_status"})");
        return n && *n >= 1;
      },
      timeout);
}

/// Reads tickstock:events from where it last stopped, decoding each entry.
class StreamTail {
 public:
  /// From the stream's current end (only events added from now on).
  explicit StreamTail(bus::SyncClient& c) : c_(c) {
    auto info = c_.stream_info(std::string(protocol::kStreamKey));
    if (!info) throw std::runtime_error("XINFO STREAM failed: " + info.error().message);
    after_ = info->exists ? info->last_generated_id : "0-0";
  }
  /// The first new event matching `match` within `timeout` (events before it are consumed).
  std::optional<protocol::Envelope> wait(const std::function<bool(const protocol::Envelope&)>& match,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto entries =
          c_.xread(std::string(protocol::kStreamKey), after_, 1000, std::chrono::milliseconds(100));
      if (!entries) return std::nullopt;
      for (const auto& e : *entries) {
        after_ = e.id;
        auto env = protocol::decode_event(e.payload);
        if (env && match(*env)) return std::move(env).value();
      }
    }
    return std::nullopt;
  }

 private:
  bus::SyncClient& c_;
  std::string after_;
};

/// Matchers over decoded events of one run.
inline bool is_run_event(const protocol::Envelope& e, protocol::Event name, const std::string& run_id) {
  return e.event == name && e.payload.value("run_id", "") == run_id;
}
/// A terminal run event (processing_completed, _failed, _cancelled, _interrupted) of `run_id`.
inline bool is_terminal_event(const protocol::Envelope& e, const std::string& run_id) {
  return protocol::info(e.event).channel == protocol::kProcessingStatusChannel &&
         e.event != protocol::Event::processing_started && e.payload.value("run_id", "") == run_id;
}

}  // namespace ts::testing
