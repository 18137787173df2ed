#pragma once
// `tickstock ctl`: the command-line arguments of each subcommand and their
// mapping to a protocol::CommandRequest. Pure (apart from the request id and
// timestamp make_request draws), so every mapping is unit-tested.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "protocol/commands.hpp"

namespace ts::app {

/// Everything the ctl subcommands accept. Strings are "" and lists empty when
/// not given; numbers and booleans are kept as typed so the messages can quote them.
struct CtlArgs {
  /// trigger, cancel, status, history, run, retry, indicators, patterns,
  /// schedule-get, schedule-set (watch sends no command).
  std::string subcommand;

  // trigger, indicators, patterns, retry
  std::string universe;
  std::vector<std::string> symbols;  // each item may itself be comma-separated
  std::vector<std::string> phases;   // trigger; schedule set
  bool skip_market_check = false;
  bool full = false;
  bool publish_indicator_values = false;
  std::string run_id;  // trigger --run-id; the RUN_ID of cancel, run, retry
  std::vector<std::string> indicators;
  std::vector<std::string> patterns;
  std::string timeframe;
  bool wait = false;

  // history
  std::string days, limit, cursor, status, trigger_type;

  // schedule set
  std::string time, enabled, timezone, market_check;
  std::vector<std::string> universes;
};

/// Splits list arguments: each item on commas outside parentheses (so
/// "SMA(timeperiod=20),RSI" is two items), trimmed, empty items dropped.
std::vector<std::string> split_list(const std::vector<std::string>& items);

/// The request for `args.subcommand`, its parameters checked against the
/// command's table (protocol::validate_parameters) but sent as given. Error
/// code USAGE, with a message naming the option, for anything the engine would
/// reject as INVALID_PARAMETER.
Result<protocol::CommandRequest> build_request(const CtlArgs& args);

/// true/false, yes/no, on/off, 1/0 (any case).
Result<bool> parse_bool_arg(std::string_view option, std::string_view text);

}  // namespace ts::app
