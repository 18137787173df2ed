// Signed commands: canonical bytes, HMAC-SHA256 known answers computed outside
// this code base, and the verifier's refusals (unsigned, wrong, stale, replayed,
// bounded memory).
#include "protocol/signing.hpp"

#include <gtest/gtest.h>

#include "protocol/envelope.hpp"

namespace ts::protocol {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr std::string_view kSecret = "test-secret-0123456789abcdef";

std::chrono::system_clock::time_point at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

TEST(Signing, HmacMatchesRfc4231TestCase2) {
  // RFC 4231 section 4.3 (key "Jefe").
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signing, CanonicalBytesAndSignatureMatchPythonsHmac) {
  // python3 -c 'import hmac,hashlib,json; c=json.dumps(["tickstock-command-v1",
  //   "trigger_daily_processing","req-1","2025-06-03T21:00:00.000Z","ctl","tickstock:commands:replies",
  //   {"universe":"dow30","skip_market_check":True,"phases":["import","patterns"],"days":7}],
  //   ensure_ascii=False,separators=(",",":"),sort_keys=True).encode();
  //   print(c.decode()); print(hmac.new(b"test-secret-0123456789abcdef",c,hashlib.sha256).hexdigest())'
  const json params = {
      {"universe", "dow30"}, {"skip_market_check", true}, {"phases", {"import", "patterns"}}, {"days", 7}};
  const CommandEnvelope e{"trigger_daily_processing",
                          "req-1",
                          "2025-06-03T21:00:00.000Z",
                          "ctl",
                          "tickstock:commands:replies",
                          params,
                          ""};
  const std::string canonical = canonical_command(e);
  EXPECT_EQ(
      canonical,
      R"(["tickstock-command-v1","trigger_daily_processing","req-1","2025-06-03T21:00:00.000Z","ctl",)"
      R"("tickstock:commands:replies",{"days":7,"phases":["import","patterns"],"skip_market_check":true,)"
      R"("universe":"dow30"}])");
  EXPECT_EQ(hmac_sha256_hex(kSecret, canonical),
            "3d5dca460953766298fb833a1f261649471fdc439e6b32f5ec8b87fe51be5774");
}

TEST(Signing, EscapesMatchOpensslDgst) {
  // echo -n '["tickstock-command-v1","get_processing_status","r:2","2025-06-03T21:00:00Z",
  //   "line\nbreak \"q\" é","tickstock:commands:replies:ctl-x",{}]' |
  //   openssl dgst -sha256 -hmac test-secret-0123456789abcdef
  const json params = json::object();
  const CommandEnvelope e{"get_processing_status",
                          "r:2",
                          "2025-06-03T21:00:00Z",
                          "line\nbreak \"q\" \xc3\xa9",
                          "tickstock:commands:replies:ctl-x",
                          params,
                          ""};
  EXPECT_EQ(hmac_sha256_hex(kSecret, canonical_command(e)),
            "d8ed92de37f72d92ef1c9c031ef6bedbe82eef39704b27842b9740de04432618");
}

TEST(Signing, TheDocumentedExampleVerifies) {
  // docs/protocol.md#signed-commands, docs/asyncapi.yaml and commands/request.json carry this message.
  const std::string raw =
      R"({"command":"get_processing_status","request_id":"r:2","parameters":{},"source":"ctl",)"
      R"("timestamp":"2025-06-03T21:00:00Z","reply_to":"tickstock:commands:replies:ctl-x",)"
      R"("signature":"5d901cdb6e0f9f27c9ebd1c94db1df085ca59c2778ed2263fcb9c2639de974fc"})";
  CommandVerifier v{{.secret = std::string(kSecret)}};
  const auto now = at("2025-06-03T21:00:30Z");
  const auto r = decode_command(
      raw, [] { return std::string("g"); }, kMaxCommandBytes,
      [&](const CommandEnvelope& e) { return v.verify(e, now); });
  EXPECT_TRUE(r) << (r ? "" : r.error().error.message);
}

CommandRequest request(std::string id) {
  CommandRequest r;
  r.command = Command::trigger_daily_processing;
  r.request_id = std::move(id);
  r.parameters = {{"universe", "dow30"}};
  r.source = "ctl";
  return r;
}

/// What the engine sees: the signed request encoded and decoded again, the
/// verifier called from decode_command.
Result<CommandRequest, CommandFailure> deliver(const std::string& raw, CommandVerifier& v,
                                               std::chrono::system_clock::time_point now) {
  return decode_command(
      raw, [] { return std::string("generated"); }, kMaxCommandBytes,
      [&](const CommandEnvelope& e) { return v.verify(e, now); });
}

std::string reason(const Result<CommandRequest, CommandFailure>& r) {
  if (r) return "accepted";
  EXPECT_EQ(r.error().error.code, ErrorCode::unauthorized) << r.error().error.message;
  return r.error().error.details.value("reason", "");
}

class Verifier : public ::testing::Test {
 protected:
  const std::chrono::system_clock::time_point now = at("2025-06-03T21:00:00Z");
  CommandVerifier v{{.secret = std::string(kSecret)}};

  std::string signed_message(std::string id, std::chrono::system_clock::time_point when,
                             std::string_view secret = kSecret) {
    auto r = request(std::move(id));
    sign_command(r, secret, when);
    return encode_command(r);
  }
};

TEST_F(Verifier, AcceptsASignedCommandOnceAndKeepsItsFields) {
  auto r = deliver(signed_message("a-1", now), v, now);
  ASSERT_TRUE(r) << r.error().error.message;
  EXPECT_EQ(r->request_id, "a-1");
  EXPECT_EQ(r->timestamp, "2025-06-03T21:00:00.000Z");
  EXPECT_EQ(r->signature.size(), 64u);
  EXPECT_EQ(v.remembered(), 1u);
}

TEST_F(Verifier, RefusesUnsignedCommands) {
  auto r = request("u-1");
  r.timestamp = format_timestamp(now);
  const auto d = deliver(encode_command(r), v, now);
  EXPECT_EQ(reason(d), "unsigned");
  EXPECT_EQ(d.error().request_id, "u-1");  // the refusal reaches the sender
  EXPECT_EQ(v.remembered(), 0u);
}

TEST_F(Verifier, RefusesAWrongSecretAndAnyAlteredField) {
  EXPECT_EQ(reason(deliver(signed_message("w-1", now, "another-secret-0123456789"), v, now)),
            "bad_signature");

  auto base = request("w-2");
  sign_command(base, kSecret, now);
  auto altered = [&](auto&& change) {
    json j = json::parse(encode_command(base));
    change(j);
    return reason(deliver(j.dump(), v, now));
  };
  EXPECT_EQ(altered([](json& j) { j["parameters"]["universe"] = "sp500"; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["parameters"]["full"] = true; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["command"] = "cancel_processing"; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["request_id"] = "w-3"; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["timestamp"] = "2025-06-03T21:00:01.000Z"; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["source"] = "mallory"; }), "bad_signature");
  EXPECT_EQ(altered([](json& j) { j["reply_to"] = "tickstock:commands:replies:elsewhere"; }),
            "bad_signature");
  EXPECT_EQ(altered([](json& j) { j.erase("request_id"); }), "missing_field");
  EXPECT_EQ(altered([](json& j) { j.erase("timestamp"); }), "missing_field");
  // Unchanged, it is accepted (so the refusals above are about the changes).
  EXPECT_EQ(altered([](json&) {}), "accepted");
}

TEST_F(Verifier, AbsentAndDefaultReplyChannelSignTheSame) {
  auto r = request("d-1");
  r.reply_to = std::string(kDefaultReplyChannel);  // encode_command leaves it out
  sign_command(r, kSecret, now);
  EXPECT_EQ(encode_command(r).find("reply_to"), std::string::npos);
  EXPECT_EQ(reason(deliver(encode_command(r), v, now)), "accepted");
}

TEST_F(Verifier, RefusesStaleCommandsOutsideTheWindowBothWays) {
  EXPECT_EQ(reason(deliver(signed_message("s-1", now - seconds(61)), v, now)), "stale");
  EXPECT_EQ(reason(deliver(signed_message("s-2", now + seconds(61)), v, now)), "stale");
  EXPECT_EQ(reason(deliver(signed_message("s-3", now - seconds(60)), v, now)), "accepted");
  EXPECT_EQ(reason(deliver(signed_message("s-4", now + seconds(60)), v, now)), "accepted");
}

TEST_F(Verifier, RefusesAReplayEvenWithAFreshSignature) {
  EXPECT_EQ(reason(deliver(signed_message("r-1", now), v, now)), "accepted");
  EXPECT_EQ(reason(deliver(signed_message("r-1", now), v, now)), "replayed");  // identical bytes
  EXPECT_EQ(reason(deliver(signed_message("r-1", now + seconds(5)), v, now + seconds(5))),
            "replayed");  // re-signed
}

TEST_F(Verifier, ForgetsIdsOnceTheyWouldBeStale) {
  const std::string old = signed_message("f-1", now);
  EXPECT_EQ(reason(deliver(old, v, now)), "accepted");
  EXPECT_EQ(v.remembered(), 1u);
  const auto later = now + seconds(200);
  EXPECT_EQ(reason(deliver(signed_message("f-2", later), v, later)), "accepted");
  EXPECT_EQ(v.remembered(), 1u);                       // f-1 was forgotten...
  EXPECT_EQ(reason(deliver(old, v, later)), "stale");  // ...and its replay is still refused
}

TEST(VerifierMemory, IsBoundedAndNeverLetsAForgottenIdThrough) {
  const auto now = at("2025-06-03T21:00:00Z");
  CommandVerifier v{{.secret = std::string(kSecret), .max_remembered = 3}};
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    auto r = request("m-" + std::to_string(i));
    sign_command(r, kSecret, now + seconds(i));
    sent.push_back(encode_command(r));
    EXPECT_EQ(reason(deliver(sent.back(), v, now + seconds(i))), "accepted") << i;
  }
  EXPECT_EQ(v.remembered(), 3u);
  // m-0 and m-1 were dropped to make room: replaying them is refused (as stale), not accepted.
  EXPECT_EQ(reason(deliver(sent[0], v, now + seconds(5))), "stale");
  EXPECT_EQ(reason(deliver(sent[1], v, now + seconds(5))), "stale");
  EXPECT_EQ(reason(deliver(sent[4], v, now + seconds(5))), "replayed");
}

TEST(VerifierSecret, ShortSecretsAreRefused) {
  EXPECT_THROW(CommandVerifier({.secret = "short"}), std::invalid_argument);
}

TEST(VerifierMessages, NeverContainTheSecretOrTheExpectedSignature) {
  const auto now = at("2025-06-03T21:00:00Z");
  CommandVerifier v{{.secret = std::string(kSecret)}};
  auto r = request("x-1");
  sign_command(r, kSecret, now);
  const std::string good = r.signature;
  r.signature = std::string(64, '0');
  const auto d = deliver(encode_command(r), v, now);
  ASSERT_FALSE(d);
  const std::string all = d.error().error.message + d.error().error.details.dump();
  EXPECT_EQ(all.find(kSecret), std::string::npos) << all;
  EXPECT_EQ(all.find(good), std::string::npos) << all;
}

TEST(SignatureField, MalformedSignaturesAreInvalidCommands) {
  auto r = request("f-1");
  r.timestamp = "2025-06-03T21:00:00Z";
  json j = json::parse(encode_command(r));
  for (const json& bad : {json("ABCDEF"), json(std::string(64, 'G')), json(42), json(std::string(63, 'a'))}) {
    j["signature"] = bad;
    auto d = decode_command(j.dump(), [] { return std::string("g"); });
    ASSERT_FALSE(d) << bad.dump();
    EXPECT_EQ(d.error().error.code, ErrorCode::invalid_command);
    EXPECT_EQ(d.error().error.details.value("field", ""), "signature");
  }
  // Without a verifier (no secret configured) a well-formed signature is accepted and ignored.
  j["signature"] = std::string(64, 'a');
  EXPECT_TRUE(decode_command(j.dump(), [] { return std::string("g"); }));
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  const auto z = at("2025-06-03T21:00:00Z");
  EXPECT_EQ(at("2025-06-03T23:00:00+02:00"), z);
  EXPECT_EQ(at("2025-06-03T16:30:00-04:30"), z);
  EXPECT_EQ(at("2025-06-03T21:00:00.250Z") - z, std::chrono::milliseconds(250));
  EXPECT_FALSE(parse_rfc3339("2025-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-06-03T21:00:00"));
  EXPECT_FALSE(parse_rfc3339("3592-10-26T16:00:00Z"));  // beyond system_clock (fuzz_command found the UB)
  EXPECT_FALSE(parse_rfc3339("2025-06-03T21:00:00.Z"));
}

}  // namespace
}  // namespace ts::protocol
