#pragma once
// Row conversions every backend shares (internal to storage/): the phase list
// of processing_runs as a JSON array and the wall-clock stamp written into
// updated_at / detected_at columns. Pure functions, thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "core/run_types.hpp"

namespace ts::storage {

/// The current time as RFC 3339 UTC with milliseconds (what every *_at column holds).
std::string now_utc();
/// ["import","indicators",...] for processing_runs.phases.
std::string phases_json(const std::vector<Phase>& phases);
/// The inverse; unknown names and malformed text yield fewer (or no) phases.
std::vector<Phase> parse_phases_json(std::string_view text);

}  // namespace ts::storage
