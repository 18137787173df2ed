#include "app/cli.hpp"

int main(int argc, char** argv) { return ts::app::run_cli(argc, argv); }
