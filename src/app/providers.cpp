#include "app/providers.hpp"

#include <string>

#include "vendor/massive_provider.hpp"

namespace ts::app {

Result<std::unique_ptr<ingest::BarProvider>> make_any_provider(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  if (spec.substr(0, colon) == "massive") {
    if (colon == std::string_view::npos) return vendor::make_massive_provider(std::nullopt);
    return vendor::make_massive_provider(spec.substr(colon + 1));
  }
  auto p = ingest::make_provider(spec);
  if (!p && p.error().code == "INVALID_PROVIDER" && p.error().message.rfind("unknown provider", 0) == 0)
    return fail("INVALID_PROVIDER",
                "unknown provider '" + std::string(spec) +
                    "' (expected synthetic, synthetic:seed=N, csv:DIR or massive[:base=URL,rpm=N])");
  return p;
}

}  // namespace ts::app
