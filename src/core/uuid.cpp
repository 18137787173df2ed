#include "core/uuid.hpp"

#include <random>

namespace ts {

std::string make_uuid_v4() {
  // One generator per thread, seeded from the OS: no lock, no shared state.
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10xx
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 15; i >= 0; --i) {
    s += hex[(hi >> (i * 4)) & 15];
    if (i == 8 || i == 4) s += '-';
  }
  s += '-';
  for (int i = 15; i >= 0; --i) {
    s += hex[(lo >> (i * 4)) & 15];
    if (i == 12) s += '-';
  }
  return s;
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace ts
