// Universes registered from files: `tickstock universe add|list|show` with the
// real binary on real SQLite, then the registered name where every universe
// name is accepted: `tickstock run --universe` and the engine's trigger over
// Redis (EngineFixture).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine_support.hpp"
#include "storage/storage.hpp"
#include "test_support.hpp"

namespace ts {
namespace {

using nlohmann::json;
using testing::run_tickstock;
using testing::TempDir;
using testing::engine_db;

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.path() / name) << text;
  return dir.str(name);
}

TEST(CliUniverse, AddListShowReplaceAndRun) {
  TempDir dir;
  const std::string db = " --db " + engine_db(dir.str("ts.db"));
  const auto file = write(dir, "tech.csv",
                          "# My tech basket.\n"
                          "symbol,name,weight\n"
                          "AAPL,Apple Inc.,0.5\n"
                          "MSFT,Microsoft,0.3\n"
                          "NVDA,,0.2\n");
  auto r = run_tickstock("universe add tech " + file + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("universe tech registered: 3 symbols"), std::string::npos) << r.out;

  r = run_tickstock("universe list --json" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json listed = json::parse(r.out);
  std::map<std::string, json> by_name;
  for (const auto& u : listed["universes"]) by_name[u["name"]] = u;
  ASSERT_TRUE(by_name.contains("tech"));
  EXPECT_EQ(by_name["tech"]["symbols"], 3);
  EXPECT_EQ(by_name["tech"]["description"], "My tech basket.");
  EXPECT_EQ(by_name["dow30"]["symbols"], 30);  // built-ins too
  r = run_tickstock("universe list" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tech"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sp500"), std::string::npos) << r.out;

  // A run of the registered name; show then reports each member's last bar.
  r = run_tickstock("run" + db + " --universe tech --from 2025-01-02 --to 2025-03-31 --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto run = json::parse(r.out);
  EXPECT_EQ(run["universe"], "tech");
  EXPECT_EQ(run["symbols_total"], 3);
  r = run_tickstock("universe show tech --json" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto shown = json::parse(r.out);
  ASSERT_EQ(shown["members"].size(), 3u);
  EXPECT_EQ(shown["members"][0]["symbol"], "AAPL");
  EXPECT_EQ(shown["members"][0]["name"], "Apple Inc.");
  EXPECT_EQ(shown["members"][0]["weight"], 0.5);
  EXPECT_EQ(shown["members"][0]["last_date"], "2025-03-31");
  EXPECT_EQ(shown["members"][2]["weight"], 0.2);
  r = run_tickstock("universe show tech" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("MSFT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0.3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-03-31"), std::string::npos) << r.out;

  // Re-adding replaces the membership: NVDA leaves (kept inactive), KO joins without bars.
  const auto v2 = write(dir, "tech2.csv", "symbol,weight\nAAPL,0.6\nMSFT,0.2\nKO,0.2\n");
  r = run_tickstock("universe add tech " + v2 + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("replaced: 3 symbols (1 left the list)"), std::string::npos) << r.out;
  r = run_tickstock("universe show tech --json" + db, dir);
  shown = json::parse(r.out);
  ASSERT_EQ(shown["members"].size(), 3u);
  EXPECT_EQ(shown["members"][0]["symbol"], "AAPL");
  EXPECT_EQ(shown["members"][0]["weight"], 0.6);
  EXPECT_EQ(shown["members"][1]["symbol"], "KO");
  EXPECT_TRUE(shown["members"][1]["last_date"].is_null());
  auto store = storage::open_storage(engine_db(dir.str("ts.db")));
  EXPECT_EQ(store->universe_symbols("tech"), (std::vector<std::string>{"AAPL", "KO", "MSFT"}));

  // Built-in names show their list; unknown names fail clearly.
  r = run_tickstock("universe show dow30 --json" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["members"].size(), 30u);
  r = run_tickstock("universe show nope" + db, dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown universe 'nope'"), std::string::npos) << r.err;
  r = run_tickstock("run" + db + " --universe nope", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("registered: tech"), std::string::npos) << r.err;
}

TEST(CliUniverse, BadNamesAndFilesAreRefusedNamingFileAndLine) {
  TempDir dir;
  const std::string db = " --db " + engine_db(dir.str("ts.db"));
  const auto good = write(dir, "good.csv", "symbol\nAAPL\n");
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases{
      {"sp500 " + good, "'sp500' is a built-in universe"},
      {"custom " + good, "'custom' is reserved"},
      {"-bad " + good, ""},  // CLI11 takes it for an option: a usage error
      {"'a b' " + good, "invalid universe name 'a b'"},
      {"x " + write(dir, "sym.csv", "symbol\nAAPL\nbad!\n"), "sym.csv:3: "},
      {"x " + write(dir, "neg.csv", "symbol,weight\nAAPL,1\nMSFT,-2\n"),
       "neg.csv:3: MSFT: weight -2 is negative"},
      {"x " + write(dir, "nan.csv", "symbol,weight\nAAPL,heavy\n"),
       "nan.csv:2: AAPL: weight 'heavy' is not a number"},
      {"x " + write(dir, "dup.csv", "symbol\nAAPL\nMSFT\nAAPL\n"),
       "dup.csv:4: AAPL is listed twice (first on line 2)"},
      {"x " + write(dir, "empty.csv", ""), "empty.csv: empty file"},
      {"x " + write(dir, "header.csv", "symbol,weight\n"), "header.csv: universe 'x' has no symbols"},
      {"x " + dir.str("missing.csv"), "cannot read universe file"},
  };
  for (const auto& c : cases) {
    const auto r = run_tickstock("universe add " + c.args + db, dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
  }
  // Nothing was registered.
  const auto r = run_tickstock("universe list --json" + db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json listed = json::parse(r.out);
  for (const auto& u : listed["universes"]) EXPECT_NE(u["name"], "x");
}

class RegisteredUniverseEngineTest : public testing::EngineFixture {};

TEST_F(RegisteredUniverseEngineTest, ATriggerOverRedisRunsARegisteredUniverse) {
  TempDir scratch;
  const auto file =
      write(scratch, "mine.csv", "# Three names.\nsymbol,name,weight\nKO,Coca-Cola,1\nPG,,2\nXOM,,3\n");
  // Registered by the CLI while the engine runs on the same database.
  const auto added = run_tickstock("universe add mine " + file + " --db " + config_.db_url, scratch);
  ASSERT_EQ(added.exit_code, 0) << added.err;

  const auto started = call("trigger_daily_processing", {{"universe", "mine"}, {"skip_market_check", true}});
  ASSERT_TRUE(started.value("ok", false)) << started.dump();
  const std::string run_id = started["result"]["run_id"];
  const auto end = wait_terminal(run_id);
  ASSERT_TRUE(end);
  EXPECT_EQ(protocol::to_string(end->event), "processing_completed") << end->payload.dump();
  const auto run = call("get_run", {{"run_id", run_id}});
  EXPECT_EQ(run["result"]["run"]["universe"], "mine") << run.dump();
  EXPECT_EQ(run["result"]["run"]["symbols_total"], 3);
  for (const char* s : {"KO", "PG", "XOM"})
    EXPECT_TRUE(daemon_->storage().last_bar_date(Symbol::parse(s).value(), Timeframe::daily)) << s;
  // The run recorded the universe without touching its registration.
  const auto reg = daemon_->storage().registered_universe("mine");
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->members[2].weight, 3.0);

  const auto listed = call("list_universes");
  bool found = false;
  for (const auto& u : listed["result"]["universes"])
    if (u["name"] == "mine") {
      found = true;
      EXPECT_EQ(u["symbols"], 3);
      EXPECT_EQ(u["description"], "Three names.");
    }
  EXPECT_TRUE(found) << listed.dump();
  const auto symbols = call("list_symbols", {{"universe", "mine"}});
  ASSERT_EQ(symbols["result"]["symbols"].size(), 3u) << symbols.dump();
  EXPECT_EQ(symbols["result"]["symbols"][0]["name"], "Coca-Cola");  // known: the list named it
  EXPECT_FALSE(symbols["result"]["symbols"][1].contains("name"));   // unknown: absent

  // Built-in names come first; unknown ones are NOT_FOUND.
  const auto unknown =
      call("trigger_daily_processing", {{"universe", "theirs"}, {"skip_market_check", true}});
  EXPECT_EQ(unknown["error"]["code"], "NOT_FOUND") << unknown.dump();
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("registered: mine"), std::string::npos);
}

}  // namespace
}  // namespace ts
