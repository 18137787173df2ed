#include "app/cli.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

#include "app/commands.hpp"

namespace ts::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"TickStock: end-of-day market processing (import, indicators, patterns, run history)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tickstock 0.1.0");
  int exit_code = 0;
  add_run_command(app, exit_code);
  add_import_csv_command(app, exit_code);
  add_universe_command(app, exit_code);
  add_ta_command(app, exit_code);
  add_engine_command(app, exit_code);
  add_up_command(app, exit_code);
  add_ctl_command(app, exit_code);
  add_app_command(app, exit_code);
  add_worker_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, whatever CLI11's own code.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}

}  // namespace ts::app
