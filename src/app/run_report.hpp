#pragma once
// Shared by CLI commands: building a RunRequest from user options and
// rendering a run record as JSON.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "engine/pipeline.hpp"

namespace ts::app {

/// Universe (a built-in or registered name resolved in `db`, a file or a
/// symbol list; default dow30), the date range (default: two years ending
/// today in New York) and phases ("all" or a list, accepting the aliases
/// data_import and cache). Errors name the bad value.
Result<engine::RunRequest> build_run_request(storage::Storage& db, const std::string& universe,
                                             const std::string& universe_file, const std::string& symbols,
                                             const std::string& from, const std::string& to,
                                             const std::string& phases);

Result<std::vector<Phase>> parse_phase_list(const std::string& text);

nlohmann::json run_to_json(const storage::RunRecord& r, const std::vector<storage::SymbolOutcome>& failures);

}  // namespace ts::app
