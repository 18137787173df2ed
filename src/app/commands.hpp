#pragma once
// Subcommand registration. Each add_* defines its options on the parent app
// and installs a callback that stores the exit code.
#include <CLI/CLI.hpp>

namespace ts::app {

void add_run_command(CLI::App& app, int& exit_code);
void add_import_csv_command(CLI::App& app, int& exit_code);
void add_ta_command(CLI::App& app, int& exit_code);
void add_engine_command(CLI::App& app, int& exit_code);
void add_up_command(CLI::App& app, int& exit_code);
void add_ctl_command(CLI::App& app, int& exit_code);
void add_app_command(CLI::App& app, int& exit_code);
void add_universe_command(CLI::App& app, int& exit_code);
void add_worker_command(CLI::App& app, int& exit_code);

}  // namespace ts::app
