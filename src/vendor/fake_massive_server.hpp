#pragma once
// Test helper: runs tests/fake_vendor/fake_massive.py on a free loopback port
// for the lifetime of the object, and talks to its admin endpoints.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "vendor/http_client.hpp"

namespace ts::vendor::testing {

class FakeMassive {
 public:
  /// `tls` = {cert, key} PEM files: serve HTTPS instead of HTTP.
  /// `extra`: more fake_massive.py options, e.g. {"--latency-ms", "20"}.
  explicit FakeMassive(const std::string& key, int page_size = 100,
                       std::pair<std::string, std::string> tls = {}, std::vector<std::string> extra = {})
      : https_(!tls.first.empty()), ca_(tls.first) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const std::string script = std::string(TICKSTOCK_SOURCE_DIR) + "/tests/fake_vendor/fake_massive.py";
      const std::string pages = std::to_string(page_size);
      std::vector<std::string> args{"python3", script, "--key", key, "--page-size", pages};
      if (!tls.first.empty()) args.insert(args.end(), {"--tls-cert", tls.first, "--tls-key", tls.second});
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c = 0;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    if (line.empty()) {
      stop();
      throw std::runtime_error("fake_massive.py did not start");
    }
    port_ = std::stoi(line);
  }
  ~FakeMassive() { stop(); }
  FakeMassive(const FakeMassive&) = delete;
  FakeMassive& operator=(const FakeMassive&) = delete;

  std::string base() const {
    return (https_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
  }

  /// GET an admin path ("/admin/..."); the body.
  std::string admin(const std::string& path) const {
    HttpClient http(1, ca_);  // a self-signed certificate is its own CA
    auto url = parse_url(base() + path);
    auto r = http.get(*url, {}, HttpTimeouts{});
    if (!r || r->status != 200) throw std::runtime_error("admin call failed: " + path);
    return r->body;
  }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  bool https_ = false;
  std::string ca_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace ts::vendor::testing
