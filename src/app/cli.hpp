#pragma once
// The `tickstock` command line: one function per subcommand, wired together in
// cli.cpp. apps/tickstock/main.cpp only calls run_cli.

namespace ts::app {

/// Parses argv, runs the subcommand and returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace ts::app
