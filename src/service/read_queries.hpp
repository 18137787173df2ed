#pragma once
// The read-only commands of the dashboard: get_bars, get_indicator_values,
// get_pattern_detections, screen, list_universes, list_symbols. Each takes the
// validated parameters (protocol::validate_parameters) and answers the result
// object of docs/schemas/commands/<command>.result.json, or a CommandError:
// NOT_FOUND for a symbol without bars or an unknown universe,
// INVALID_PARAMETER for what only the engine can check (an indicator call, a
// screen expression with details.position, a cursor it did not issue).
//
// Replies are bounded: at most protocol::detail::kMaxBarsPerReply bars or
// values per indicator (the newest in the range), a page of detections, the
// `limit` of screen and list_symbols.
//
// Storage errors throw (StorageError); the dispatcher turns them into INTERNAL.
// Thread-safety: stateless apart from the storage reference; callable from
// any thread.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "protocol/commands.hpp"
#include "storage/storage.hpp"

namespace ts::service {

class ReadQueries {
 public:
  ReadQueries(storage::Storage& db, std::string default_universe)
      : db_(db), default_universe_(std::move(default_universe)) {}

  using Reply = Result<nlohmann::json, protocol::CommandError>;
  Reply get_bars(const nlohmann::json& p);
  Reply get_indicator_values(const nlohmann::json& p);
  Reply get_pattern_detections(const nlohmann::json& p);
  Reply screen(const nlohmann::json& p);
  Reply list_universes();
  Reply list_symbols(const nlohmann::json& p);

  /// A universe's symbols, sorted: the members the database recorded for it
  /// (what runs processed), else the built-in list's. nullopt when neither
  /// knows the name.
  std::optional<std::vector<std::string>> universe_members(const std::string& name);

 private:
  storage::Storage& db_;
  std::string default_universe_;
};

}  // namespace ts::service
