#include "protocol/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "core/hex.hpp"
#include "protocol/envelope.hpp"
#include "protocol/json_util.hpp"

namespace ts::protocol {

using nlohmann::json;

std::string canonical_command(const CommandEnvelope& e) {
  // A JSON array rather than joined lines: every field is escaped, so no value
  // (a source may hold a newline) can shift bytes from one field into another.
  // nlohmann's objects are std::maps, so dump() sorts keys byte-wise, which for
  // UTF-8 is the code-point order Python's sort_keys uses.
  const json fields = json::array(
      {kSignatureScheme, e.command, e.request_id, e.timestamp, e.source, e.reply_to, e.parameters});
  return dump_json(fields);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  std::string out = to_hex(md.data(), len);
  OPENSSL_cleanse(md.data(), md.size());
  return out;
}

void sign_command(CommandRequest& r, std::string_view secret, std::chrono::system_clock::time_point now) {
  r.timestamp = format_timestamp(now);
  const std::string reply_to = r.reply_to.empty() ? std::string(kDefaultReplyChannel) : r.reply_to;
  const CommandEnvelope e{
      to_string(r.command), r.request_id, r.timestamp, r.source, reply_to, r.parameters, {}};
  r.signature = hmac_sha256_hex(secret, canonical_command(e));
}

std::string_view to_string(SignatureFault f) noexcept {
  constexpr std::string_view names[] = {"unsigned", "missing_field", "bad_signature", "stale", "replayed"};
  return names[static_cast<int>(f)];
}

CommandVerifier::CommandVerifier(VerifierOptions options) : options_(std::move(options)) {
  if (options_.secret.size() < kMinCommandSecretBytes)
    throw std::invalid_argument("the command secret must be at least " +
                                std::to_string(kMinCommandSecretBytes) + " bytes long");
  if (options_.max_remembered == 0) options_.max_remembered = 1;
}

namespace {
CommandError refusal(SignatureFault fault, const CommandEnvelope& e, std::string why) {
  // The message names what the sender sent (quoted, truncated), never what the
  // signature should have been.
  CommandError err = unauthorized(why + " (command " + quote_for_message(e.command) + ", request_id " +
                                  quote_for_message(e.request_id) + "; docs/security.md#signed-commands)");
  err.details["reason"] = to_string(fault);
  return err;
}
}  // namespace

std::optional<CommandError> CommandVerifier::verify(const CommandEnvelope& e, TimePoint now) {
  if (e.signature.empty())
    return refusal(SignatureFault::unsigned_command, e,
                   "unsigned command: this engine requires an HMAC-SHA256 signature");
  if (e.request_id.empty() || e.timestamp.empty())
    return refusal(SignatureFault::missing_field, e, "a signed command must carry request_id and timestamp");
  // The signature is checked before the clock and the replay memory, so only
  // authentic commands are remembered and nobody without the secret can probe them.
  const std::string expected = hmac_sha256_hex(options_.secret, canonical_command(e));
  const bool match = e.signature.size() == expected.size() &&
                     CRYPTO_memcmp(e.signature.data(), expected.data(), expected.size()) == 0;
  if (!match) return refusal(SignatureFault::bad_signature, e, "wrong signature");

  const auto sent = parse_rfc3339(e.timestamp);
  if (!sent) return refusal(SignatureFault::missing_field, e, "the timestamp is not RFC 3339");
  const auto skew = *sent > now ? *sent - now : now - *sent;
  if (skew > options_.window)
    return refusal(SignatureFault::stale, e,
                   "stale command: its timestamp " + std::string(e.timestamp) + " is " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(skew).count()) +
                       " s from the engine's clock " + format_timestamp(now) + " (allowed +-" +
                       std::to_string(options_.window.count()) + " s)");

  std::lock_guard lock(mu_);
  forget_older_than(now - options_.window);
  if (floor_ && *sent <= *floor_)
    return refusal(SignatureFault::stale, e,
                   "stale command: too many signed commands within the window to remember this one");
  if (seen_.count(std::string(e.request_id)))
    return refusal(SignatureFault::replayed, e, "replayed command: this request_id was already used");
  while (seen_.size() >= options_.max_remembered) {
    const auto oldest = by_time_.begin();
    floor_ = floor_ ? std::max(*floor_, oldest->first) : oldest->first;
    seen_.erase(oldest->second);
    by_time_.erase(oldest);
  }
  if (floor_ && *sent <= *floor_)
    return refusal(SignatureFault::stale, e,
                   "stale command: too many signed commands within the window to remember this one");
  seen_.emplace(std::string(e.request_id), *sent);
  by_time_.emplace(*sent, std::string(e.request_id));
  return std::nullopt;
}

void CommandVerifier::forget_older_than(TimePoint horizon) {
  // A command older than the horizon is refused as stale anyway, so its id
  // need not be remembered to refuse a replay.
  while (!by_time_.empty() && by_time_.begin()->first < horizon) {
    seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
}

std::size_t CommandVerifier::remembered() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace ts::protocol
