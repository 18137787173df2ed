#pragma once
// The csv provider: spec "csv:DIR", one file per symbol, DIR/<SYMBOL>.csv, in any
// format parse_bars_csv() accepts.
//
// Path safety: the symbol grammar already excludes '/' and leading dots; on top
// of that the file path is resolved (std::filesystem::weakly_canonical, which
// follows symlinks) and must stay under canonical(DIR). A symlink that leads
// outside DIR fails with BAD_DATA "... path escapes the directory ..." rather
// than SYMBOL_NOT_FOUND: the file exists but is refused, and the operator should
// see that instead of a "missing" symbol. Symlinks that stay inside DIR are fine.
// The resolved path is the one opened, so swapping the link afterwards has no effect.
//
// The whole file is parsed and validated before the from/to/after filters are
// applied, so a bad row anywhere fails the symbol even when outside the window.
#include <memory>
#include <string>

#include "core/result.hpp"
#include "ingest/provider.hpp"

namespace ts::ingest {

/// INVALID_PROVIDER when dir is empty, missing or not a directory.
Result<std::unique_ptr<BarProvider>> make_csv_provider(const std::string& dir);

}  // namespace ts::ingest
