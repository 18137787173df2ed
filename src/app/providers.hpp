#pragma once
// Provider factory for the commands: every kind ingest knows (synthetic, csv)
// plus the vendor providers, which live above ingest in the module graph.
//   "massive", "massive:base=URL,rpm=N"  (vendor/massive_provider.hpp)
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "ingest/provider.hpp"

namespace ts::app {

/// Error code INVALID_PROVIDER for an unknown kind or a bad option.
/// `vendor_url` (the --vendor-url flag) sets the vendor API's base URL; it is
/// an error with a provider that is not a vendor, or with a spec naming base= too.
Result<std::unique_ptr<ingest::BarProvider>> make_any_provider(std::string_view spec,
                                                               std::string_view vendor_url = {});

}  // namespace ts::app
