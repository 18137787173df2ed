#pragma once
// Lowercase hexadecimal text of bytes (digests, signatures).
#include <cstddef>
#include <string>

namespace ts {

/// Two lowercase hex digits per byte, in order.
std::string to_hex(const unsigned char* data, std::size_t size);

}  // namespace ts
