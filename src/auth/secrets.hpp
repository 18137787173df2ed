#pragma once
// Password hashing and random tokens for the auth module (internal).
// Every function here is thread-safe; none logs its inputs.
#include <string>
#include <string_view>

namespace ts::auth::detail {

struct Argon2Cost {
  unsigned memory_kib, iterations, parallelism;
};

/// argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash), fresh 16-byte salt.
/// Throws std::runtime_error when hashing fails (out of memory).
std::string hash_password(std::string_view password, const Argon2Cost& cost);
/// True when `password` matches the PHC string (false for malformed strings).
bool verify_password(std::string_view password, const std::string& phc);

/// `bytes` random bytes from OpenSSL's CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes);
/// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view data);
/// Constant-time equality (length leaks, content does not).
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace ts::auth::detail
