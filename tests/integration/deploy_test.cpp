// The systemd units the repository ships (deploy/systemd/*.service, installed
// by `cmake --install`; docs/deployment.md) start commands that exist: every
// ExecStart runs a `tickstock` subcommand whose --help lists each flag the unit
// passes, every TICKSTOCK_* / MASSIVE_* variable a unit sets is one the source
// reads, and every credential a unit points at (%d/NAME) is one it loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ts::testing {
namespace {

const fs::path kSource(TICKSTOCK_SOURCE_DIR);

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Every source file's text, concatenated (to ask "does the code read NAME?").
const std::string& source_text() {
  static const std::string text = [] {
    std::string all;
    for (const auto& e : fs::recursive_directory_iterator(kSource / "src"))
      if (e.is_regular_file() && (e.path().extension() == ".cpp" || e.path().extension() == ".hpp"))
        all += read_file(e.path());
    return all;
  }();
  return text;
}

struct Unit {
  fs::path path;
  std::vector<std::string> exec;          // ExecStart's words
  std::vector<std::string> environment;   // NAME=VALUE of Environment= lines
  std::set<std::string> credentials;      // LoadCredential= ids
};

std::vector<Unit> shipped_units() {
  std::vector<Unit> units;
  for (const auto& e : fs::directory_iterator(kSource / "deploy/systemd")) {
    if (e.path().extension() != ".service") continue;
    Unit u{e.path(), {}, {}, {}};
    std::istringstream in(read_file(e.path()));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("ExecStart=", 0) == 0) u.exec = words(line.substr(10));
      if (line.rfind("Environment=", 0) == 0) u.environment.push_back(line.substr(12));
      if (line.rfind("LoadCredential=", 0) == 0) u.credentials.insert(line.substr(15, line.find(':') - 15));
    }
    units.push_back(std::move(u));
  }
  return units;
}

TEST(Deploy, EveryProcessHasAUnit) {
  std::set<std::string> subcommands;
  for (const auto& u : shipped_units())
    if (u.exec.size() >= 2) subcommands.insert(u.exec[1]);
  EXPECT_EQ(subcommands, (std::set<std::string>{"engine", "worker", "app"}));
}

TEST(Deploy, UnitsPassOnlyFlagsTheirSubcommandAccepts) {
  TempDir dir;
  const auto units = shipped_units();
  ASSERT_GE(units.size(), 3u);
  for (const auto& u : units) {
    SCOPED_TRACE(u.path.filename().string());
    ASSERT_GE(u.exec.size(), 2u);
    EXPECT_EQ(fs::path(u.exec[0]).filename(), "tickstock");
    const auto help = run_tickstock(u.exec[1] + " --help", dir);
    ASSERT_EQ(help.exit_code, 0) << help.err;
    for (const auto& w : u.exec)
      if (w.rfind("--", 0) == 0) {
        EXPECT_NE(help.out.find(w + " "), std::string::npos) << w << " is not a flag of " << u.exec[1];
      }
  }
}

TEST(Deploy, UnitsSetOnlyVariablesTheCodeReadsAndLoadEveryCredentialTheyName) {
  for (const auto& u : shipped_units()) {
    SCOPED_TRACE(u.path.filename().string());
    for (const auto& assignment : u.environment) {
      const std::string name = assignment.substr(0, assignment.find('='));
      const std::string value = assignment.substr(assignment.find('=') + 1);
      if (name.rfind("PG", 0) == 0) {
        EXPECT_EQ(name, "PGPASSFILE");  // libpq's own: the only one the docs use
      } else {
        // core/secret reads NAME or the file named by NAME_FILE.
        const bool file_form = name.ends_with("_FILE");
        const bool read = source_text().find('"' + name + '"') != std::string::npos ||
                          (file_form && source_text().find('"' + name.substr(0, name.size() - 5) + '"') !=
                                            std::string::npos);
        EXPECT_TRUE(read) << name << " is read nowhere in src/";
      }
      if (value.rfind("%d/", 0) == 0) {
        EXPECT_TRUE(u.credentials.count(value.substr(3))) << name << " points at a credential the unit does not load";
      }
    }
  }
}

}  // namespace
}  // namespace ts::testing
