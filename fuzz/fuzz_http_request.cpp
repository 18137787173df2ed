// HTTP API request decoding: method, path, query string and body as a client
// controls them. Input layout: first byte picks the method, then the path,
// query and body separated by NUL bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ts::protocol;
  if (size == 0) return 0;
  static constexpr std::array<std::string_view, 4> kMethods{"GET", "POST", "DELETE", "PUT"};
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::array<std::string_view, 3> parts{};
  for (auto& p : parts) {
    const auto nul = rest.find('\0');
    p = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  }
  HttpRequestView req{kMethods[data[0] % kMethods.size()], parts[0], parts[1], parts[2]};
  (void)match_route(req.method, req.path);
  (void)decode_http_command(req, [] { return std::string("fuzz-id"); });
  return 0;
}
