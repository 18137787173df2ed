// Saved stream states as the engine reads them back from the database:
// whatever bytes a corrupt row holds. Input: two bytes choosing a registry
// function (at its default options), then the state bytes. Invariants:
// restore() accepts, or refuses with BAD_STATE; a stream that accepted runs
// peek/update over 40 bars without a sanitizer report, and what it saves
// then restores again or is refused with BAD_STATE. (That a restored stream
// continues bit for bit is src/ta/stream_state_test.cpp's job.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ta/function.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ts::ta;
  static const std::vector<Call> calls = [] {
    std::vector<Call> out;
    for (const auto& f : registry()) {
      auto call = parse_call(f.name);
      if (!call) std::abort();
      out.push_back(std::move(call).value());
    }
    return out;
  }();
  if (size < 2) return 0;
  const Call& call = calls[(data[0] | (static_cast<std::size_t>(data[1]) << 8)) % calls.size()];
  auto stream = make_stream(call);
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (auto st = stream->restore(bytes); !st) {
    if (st.error().code != "BAD_STATE") std::abort();
    return 0;
  }
  double out[16];
  const std::span<double> outs(out, call.spec->outputs.size());
  StreamBar bar;
  for (int i = 0; i < 40; ++i) {
    bar.open = 100.0 + i % 7;
    bar.high = bar.open + 2.0;
    bar.low = bar.open - 1.5;
    bar.close = bar.open + (i % 3) - 1.0;
    bar.volume = 1000.0 * (i % 5);
    bar.real0 = bar.close;
    bar.real1 = bar.low;
    bar.periods = 2 + i % 40;
    stream->peek(bar, outs);
    stream->update(bar, outs);
  }
  std::string again;
  if (!stream->save(again)) std::abort();
  // Its own state restores again, or (a corrupt counter pushed past the
  // range restore accepts by the bars just fed) is refused as BAD_STATE.
  if (auto st = make_stream(call)->restore(again); !st && st.error().code != "BAD_STATE") {
    std::fprintf(stderr, "%s: %s\n", std::string(call.spec->name).c_str(), st.error().message.c_str());
    std::abort();
  }
  return 0;
}
