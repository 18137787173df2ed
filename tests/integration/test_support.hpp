#pragma once
// Helpers shared by the integration tests: temporary directories and running
// the real `tickstock` binary with captured output.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "backend.hpp"
#include "core/uuid.hpp"

namespace ts::testing {

namespace fs = std::filesystem;

/// A fresh directory under /tmp, removed when the object goes away.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("tickstock_it_" + make_uuid_v4())) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string str(const std::string& child = "") const {
    return child.empty() ? path_.string() : (path_ / child).string();
  }

 private:
  fs::path path_;
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

/// Runs `tickstock ARGS` (args already shell-quoted) and captures stdout, stderr and the exit code.
/// `env`: variable assignments for it alone, e.g. "TICKSTOCK_REDIS_URL=redis://...".
inline CommandResult run_tickstock(const std::string& args, const TempDir& scratch, const std::string& env = "") {
  const std::string out = scratch.str("stdout.txt"), err = scratch.str("stderr.txt");
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(TICKSTOCK_BINARY) + " " + args +
                          " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace ts::testing
