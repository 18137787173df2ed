// The event decoder consumers use (ctl watch, the dashboard): any bytes found
// in the stream. A decoded envelope must re-encode to something that decodes
// to the same id, event and seq.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ts::protocol;
  auto e = decode_event(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!e) return 0;
  auto again = decode_event(encode_event(*e));
  if (!again || again->id != e->id || again->event != e->event || again->seq != e->seq) std::abort();
  return 0;
}
