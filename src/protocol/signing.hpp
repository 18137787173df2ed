#pragma once
// Signed commands: HMAC-SHA256 over a command's canonical bytes, so that only
// holders of the shared command secret can drive the engine over Redis (where
// anyone who may PUBLISH could otherwise start or cancel runs).
// docs/security.md and docs/protocol.md ("Signed commands") specify the same.
//
// Canonical bytes (version 1): the compact JSON text (no spaces, UTF-8, keys of
// objects sorted byte-wise, strings escaped as nlohmann::json and Python's
// json.dumps(..., ensure_ascii=False, separators=(",", ":"), sort_keys=True)
// both do) of the array
//
//   ["tickstock-command-v1", command, request_id, timestamp, source, reply_to, parameters]
//
// with the values as sent: request_id and timestamp are required; source ""
// when absent; reply_to the effective channel ("tickstock:commands:replies"
// when absent); parameters {} when absent. Parameters hold booleans, integers,
// strings and arrays only (no floats), so the text is the same in any language.
//
//   signature = lowercase hex(HMAC-SHA256(key = the secret's bytes, canonical bytes))
//
// The verifier accepts a command when the signature matches (compared in
// constant time), its timestamp is within +-window of the verifier's clock,
// and its request_id was not used before within the window. Memory is bounded:
// ids are forgotten once their timestamp is older than the window (they would
// be stale then), and when max_remembered ids are held the oldest is dropped
// and every command not newer than it is refused as stale.
//
// Pure: the clock is passed in. Nothing here logs, and no error message or
// detail contains the secret or an expected signature.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/commands.hpp"

namespace ts::protocol {

inline constexpr std::string_view kSignatureScheme = "tickstock-command-v1";
/// Commands whose timestamp is further than this from the engine's clock are stale.
inline constexpr std::chrono::seconds kSignatureWindow{60};
/// A shorter command secret is a configuration error (it could be guessed).
inline constexpr std::size_t kMinCommandSecretBytes = 16;

/// The canonical bytes of an envelope (see above).
std::string canonical_command(const CommandEnvelope& e);
/// Lowercase hex HMAC-SHA256 of `data` under `key`. Throws std::runtime_error
/// only if OpenSSL fails (out of memory).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Signs a request for sending: sets its timestamp to `now` (RFC 3339 UTC ms)
/// and its signature. request_id must be set (it is signed).
void sign_command(CommandRequest& r, std::string_view secret, std::chrono::system_clock::time_point now);

/// Why a command was refused: details.reason of the UNAUTHORIZED error.
enum class SignatureFault : unsigned char { unsigned_command, missing_field, bad_signature, stale, replayed };
std::string_view to_string(
    SignatureFault f) noexcept;  // unsigned, missing_field, bad_signature, stale, replayed

struct VerifierOptions {
  std::string secret;  ///< at least kMinCommandSecretBytes
  std::chrono::seconds window = kSignatureWindow;
  std::size_t max_remembered = 100'000;  ///< request ids held for replay detection
};

/// Thread-safe.
class CommandVerifier {
 public:
  /// Throws std::invalid_argument when the secret is shorter than kMinCommandSecretBytes.
  explicit CommandVerifier(VerifierOptions options);

  /// nullopt: authentic, fresh and first seen (its request_id is now
  /// remembered). Otherwise UNAUTHORIZED with details.reason (to_string of a
  /// SignatureFault) and a message naming the command and request_id.
  std::optional<CommandError> verify(const CommandEnvelope& e, std::chrono::system_clock::time_point now);

  /// Request ids currently remembered (for tests and /metrics).
  std::size_t remembered() const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;
  void forget_older_than(TimePoint horizon);

  VerifierOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, TimePoint> seen_;  // request_id -> its timestamp
  std::multimap<TimePoint, std::string> by_time_;    // the same, oldest first
  std::optional<TimePoint> floor_;                   // commands not newer than this are refused
};

}  // namespace ts::protocol
