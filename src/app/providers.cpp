#include "app/providers.hpp"

#include <string>

#include "vendor/massive_provider.hpp"

namespace ts::app {

Result<std::unique_ptr<ingest::BarProvider>> make_any_provider(std::string_view spec, std::string_view vendor_url) {
  const std::size_t colon = spec.find(':');
  const bool massive = spec.substr(0, colon) == "massive";
  if (!vendor_url.empty() && !massive)
    return fail("INVALID_PROVIDER", "--vendor-url applies to the massive provider, not '" + std::string(spec) + "'");
  if (massive) {
    std::string options(colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1));
    if (!vendor_url.empty()) {
      if (("," + options).find(",base=") != std::string::npos)
        return fail("INVALID_PROVIDER", "give the vendor URL once: --vendor-url or base= in --provider, not both");
      options = "base=" + std::string(vendor_url) + (options.empty() ? "" : "," + options);
    }
    if (options.empty()) return vendor::make_massive_provider(std::nullopt);
    return vendor::make_massive_provider(options);
  }
  auto p = ingest::make_provider(spec);
  if (!p && p.error().code == "INVALID_PROVIDER" && p.error().message.rfind("unknown provider", 0) == 0)
    return fail("INVALID_PROVIDER",
                "unknown provider '" + std::string(spec) +
                    "' (expected synthetic, synthetic:seed=N, csv:DIR or massive[:base=URL,rpm=N])");
  return p;
}

}  // namespace ts::app
