// `tickstock universe add|list|show`: named universes registered from CSV files.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/commands.hpp"
#include "service/read_queries.hpp"
#include "storage/storage.hpp"

namespace ts::app {
namespace {

using nlohmann::json;

constexpr const char* kDefaultDb = "sqlite:./tickstock-data/tickstock.db";

/// Opens the database; nullptr (with the reason on stderr) when it cannot.
std::unique_ptr<storage::Storage> open_db(const std::string& url) {
  try {
    return storage::open_storage(url);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return nullptr;
  }
}

/// universe add NAME FILE: validates the name and every row, then registers
/// (or replaces) the universe. Exit 2 for a bad name or file, 1 for storage.
int add(const std::string& name, const std::string& file, const std::string& db_url) {
  if (auto ok = validate_universe_name(name); !ok) {
    std::cerr << "error: " << ok.error().message << "\n";
    return 2;
  }
  auto u = load_universe_file(name, file);
  if (!u) {
    std::cerr << "error: " << u.error().message << "\n";
    return 2;
  }
  auto db = open_db(db_url);
  if (!db) return 1;
  try {
    const auto before = db->registered_universe(name);
    db->register_universe(*u);
    std::size_t left = 0;
    if (before) {
      std::set<Symbol> now;
      for (const auto& m : u->members) now.insert(m.symbol);
      for (const auto& m : before->members) left += !now.count(m.symbol);
    }
    std::cout << "universe " << name << (before ? " replaced" : " registered") << ": " << u->members.size()
              << " symbols" << (before ? fmt::format(" ({} left the list)", left) : "") << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

/// universe list: the same rows as the engine's list_universes.
int list(const std::string& db_url, bool as_json) {
  auto db = open_db(db_url);
  if (!db) return 1;
  try {
    service::ReadQueries reads(*db, "dow30");
    const auto reply = reads.list_universes();
    if (!reply) {
      std::cerr << "error: " << reply.error().message << "\n";
      return 1;
    }
    if (as_json) {
      std::cout << reply->dump(2) << "\n";
      return 0;
    }
    std::cout << fmt::format("{:<24} {:>7}  {}\n", "NAME", "SYMBOLS", "DESCRIPTION");
    for (const auto& u : (*reply)["universes"])
      std::cout << fmt::format("{:<24} {:>7}  {}\n", u["name"].get<std::string>(),
                               u["symbols"].get<long long>(), u["description"].get<std::string>());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

/// universe show NAME: members with weights and each one's last stored daily
/// bar date. Built-in names show the built-in list. Exit 1 for an unknown name.
int show(const std::string& name, const std::string& db_url, bool as_json) {
  auto db = open_db(db_url);
  if (!db) return 1;
  try {
    auto u = storage::resolve_universe(*db, name);
    if (!u) {
      std::cerr << "error: " << u.error().message << "\n";
      return 1;
    }
    json members = json::array();
    for (const auto& m : u->members) {
      const auto last = db->last_bar_date(m.symbol, Timeframe::daily);
      const auto rec = db->symbol_record(m.symbol.str());
      const std::string& nm = rec && !rec->name.empty() ? rec->name : m.name;
      members.push_back({{"symbol", m.symbol.str()},
                         {"name", nm},
                         {"weight", m.weight ? json(*m.weight) : json(nullptr)},
                         {"last_date", last ? json(format_date(*last)) : json(nullptr)}});
    }
    if (as_json) {
      std::cout << json{{"name", u->name},
                        {"description", u->description},
                        {"as_of", u->as_of},
                        {"builtin", builtin_universe(name).ok()},
                        {"members", std::move(members)}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::cout << u->name << ": " << u->members.size() << " symbols"
              << (u->description.empty() ? "" : " — " + u->description)
              << (u->as_of.empty() ? "" : " (as of " + u->as_of + ")") << "\n";
    std::cout << fmt::format("{:<10} {:>10}  {:<10}  {}\n", "SYMBOL", "WEIGHT", "LAST BAR", "NAME");
    for (const auto& m : members)
      std::cout << fmt::format("{:<10} {:>10}  {:<10}  {}\n", m["symbol"].get<std::string>(),
                               m["weight"].is_null() ? "-" : fmt::format("{:g}", m["weight"].get<double>()),
                               m["last_date"].is_null() ? "-" : m["last_date"].get<std::string>(),
                               m["name"].get<std::string>());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_universe_command(CLI::App& app, int& exit_code) {
  struct Flags {
    std::string name, file, db = kDefaultDb;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("universe", "Named universes: register one from a CSV file, list, show");
  cmd->require_subcommand(1);

  auto* a = cmd->add_subcommand(
      "add",
      "Register (or replace) a universe from a CSV with a 'symbol' column and optionally 'weight', "
      "'name', 'sector'; usable wherever a universe name is");
  a->add_option("name", f->name, "Universe name: 1-64 of A-Z a-z 0-9 _ . - (not a built-in name)")
      ->required();
  a->add_option("file", f->file, "CSV file")->required();
  a->add_option("--db", f->db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)")->capture_default_str();
  a->callback([f, &exit_code] { exit_code = add(f->name, f->file, f->db); });

  auto* l = cmd->add_subcommand("list", "Built-in, registered and run-recorded universes with member counts");
  l->add_option("--db", f->db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)")->capture_default_str();
  l->add_flag("--json", f->json, "Print JSON");
  l->callback([f, &exit_code] { exit_code = list(f->db, f->json); });

  auto* s = cmd->add_subcommand("show", "A universe's members with weights and their last stored daily bar");
  s->add_option("name", f->name, "Universe name")->required();
  s->add_option("--db", f->db, "Database URL (sqlite:PATH or postgresql://user:pass@host:5432/db)")->capture_default_str();
  s->add_flag("--json", f->json, "Print JSON");
  s->callback([f, &exit_code] { exit_code = show(f->name, f->db, f->json); });
}

}  // namespace ts::app
