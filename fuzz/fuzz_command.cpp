// The command decoder and validator: any bytes a Redis publisher can send.
// Invariants beyond "no crash": a decoded request re-encodes and decodes again
// to the same command; a failure always names an error code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ts::protocol;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto r = decode_command(raw, [] { return std::string("fuzz-id"); });
  if (!r) {
    if (to_string(r.error().error.code).empty()) std::abort();
    return 0;
  }
  auto again = decode_command(encode_command(*r), [] { return std::string("fuzz-id"); });
  if (!again || again->command != r->command) std::abort();
  return 0;
}
