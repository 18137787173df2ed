#include "protocol/envelope.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "protocol/test_support.hpp"

namespace ts::protocol {
namespace {

using nlohmann::json;

Envelope sample() {
  Envelope e;
  e.id = "6f1c2a9e-4b7d-4f3e-9a51-0c2d8e7f1a23";
  e.event = Event::import_progress;
  e.timestamp = "2026-03-09T20:11:02.417Z";
  e.source = make_source("ts1", 4242);
  e.seq = 7;
  e.payload = {{"run_id", "uuid-here"}, {"phase", "import"}};
  return e;
}

TEST(Envelope, EncodesInDocumentedKeyOrder) {
  const std::string s = encode_event(sample());
  EXPECT_EQ(s, R"({"id":"6f1c2a9e-4b7d-4f3e-9a51-0c2d8e7f1a23","event":"import_progress","version":"1.0",)"
               R"("timestamp":"2026-03-09T20:11:02.417Z","source":"tickstock-engine/ts1:4242","seq":7,)"
               R"("payload":{"phase":"import","run_id":"uuid-here"}})");
  EXPECT_TRUE(testing::schemas().is_valid("envelope.json", json::parse(s)))
      << to_string(testing::schemas().validate("envelope.json", json::parse(s)));
}

TEST(Envelope, RoundTrips) {
  const auto d = decode_event(encode_event(sample()));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id, sample().id);
  EXPECT_EQ(d->event, Event::import_progress);
  EXPECT_EQ(d->version, "1.0");
  EXPECT_EQ(d->timestamp, sample().timestamp);
  EXPECT_EQ(d->source, "tickstock-engine/ts1:4242");
  EXPECT_EQ(d->seq, 7u);
  EXPECT_EQ(d->payload, sample().payload);
}

TEST(Envelope, InvalidUtf8NeverThrows) {
  Envelope e = sample();
  e.payload["current_symbol"] = std::string("A\xff");
  const std::string s = encode_event(e);
  EXPECT_NE(s.find("A\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_TRUE(decode_event(s).ok());
}

struct BadCase {
  const char* what;
  std::function<void(json&)> mutate;
  const char* code;
  const char* message_part;
};

TEST(Envelope, DecoderRejectsEachViolation) {
  const std::vector<BadCase> cases = {
      {"extra field", [](json& j) { j["extra"] = 1; }, "INVALID_EVENT", "unknown envelope field 'extra'"},
      {"missing id", [](json& j) { j.erase("id"); }, "INVALID_EVENT", "missing envelope field 'id'"},
      {"bad id", [](json& j) { j["id"] = "not-a-uuid"; }, "INVALID_EVENT", "'id'"},
      {"unknown event", [](json& j) { j["event"] = "indicators.progress"; }, "UNKNOWN_EVENT",
       "indicators.progress"},
      {"event not string", [](json& j) { j["event"] = 3; }, "INVALID_EVENT", "'event' must be a string"},
      {"other version", [](json& j) { j["version"] = "2.0"; }, "UNSUPPORTED_VERSION", "'2.0'"},
      {"numeric version", [](json& j) { j["version"] = 1.0; }, "INVALID_EVENT", "'version' must be a string"},
      {"timestamp without ms", [](json& j) { j["timestamp"] = "2026-03-09T20:11:02Z"; }, "INVALID_EVENT",
       "'timestamp'"},
      {"timestamp with offset", [](json& j) { j["timestamp"] = "2026-03-09T20:11:02.417+01:00"; },
       "INVALID_EVENT", "'timestamp'"},
      {"impossible date", [](json& j) { j["timestamp"] = "2026-02-30T20:11:02.417Z"; }, "INVALID_EVENT",
       "'timestamp'"},
      {"bad source", [](json& j) { j["source"] = "someone"; }, "INVALID_EVENT", "'source'"},
      {"seq zero", [](json& j) { j["seq"] = 0; }, "INVALID_EVENT", "'seq'"},
      {"seq negative", [](json& j) { j["seq"] = -3; }, "INVALID_EVENT", "'seq'"},
      {"seq string", [](json& j) { j["seq"] = "7"; }, "INVALID_EVENT", "'seq'"},
      {"payload array", [](json& j) { j["payload"] = json::array(); }, "INVALID_EVENT",
       "'payload' must be an object"},
      {"run event without run_id", [](json& j) { j["payload"].erase("run_id"); }, "INVALID_EVENT",
       "must carry payload.run_id"},
      {"run_id not string", [](json& j) { j["payload"]["run_id"] = 5; }, "INVALID_EVENT", "payload.run_id"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json j = json::parse(encode_event(sample()));
    c.mutate(j);
    const auto d = decode_event(j.dump());
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, c.code);
    EXPECT_NE(d.error().message.find(c.message_part), std::string::npos) << d.error().message;
  }
}

TEST(Envelope, DecoderRejectsMalformedAndOversized) {
  auto d = decode_event(R"({"id": "x",)");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "INVALID_JSON");
  EXPECT_NE(d.error().message.find("byte"), std::string::npos) << d.error().message;

  d = decode_event("[1,2]");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "INVALID_EVENT");

  const std::string big = encode_event(sample());
  d = decode_event(big, big.size() - 1);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "PAYLOAD_TOO_LARGE");
  EXPECT_TRUE(decode_event(big, big.size()).ok());
  // The limit is checked before parsing: garbage over the limit is "too large", not "malformed".
  d = decode_event(std::string(100, '{'), 10);
  EXPECT_EQ(d.error().code, "PAYLOAD_TOO_LARGE");
}

TEST(Envelope, NonRunEventsNeedNoRunId) {
  Envelope e = sample();
  e.event = Event::heartbeat;
  e.payload = json::object();
  EXPECT_TRUE(decode_event(encode_event(e)).ok());
}

TEST(Timestamps, Forms) {
  EXPECT_EQ(format_timestamp(std::chrono::sys_days{std::chrono::year{2026} / 3 / 9} + std::chrono::hours{20} +
                             std::chrono::milliseconds{417}),
            "2026-03-09T20:00:00.417Z");
  EXPECT_TRUE(is_event_timestamp("2026-03-09T20:11:02.417Z"));
  EXPECT_FALSE(is_event_timestamp("2026-03-09T20:11:02.41Z"));
  EXPECT_FALSE(is_event_timestamp("2026-03-09 20:11:02.417Z"));
  EXPECT_FALSE(is_event_timestamp("2026-13-09T20:11:02.417Z"));
  EXPECT_FALSE(is_event_timestamp("2026-03-09T24:11:02.417Z"));
  EXPECT_TRUE(is_rfc3339("2025-09-26T16:00:00Z"));
  EXPECT_TRUE(is_rfc3339("2026-03-09T16:10:00-04:00"));
  EXPECT_TRUE(is_rfc3339("2026-03-09T16:10:00.123456+05:30"));
  EXPECT_FALSE(is_rfc3339("2026-03-09T16:10:00"));
  EXPECT_FALSE(is_rfc3339("2026-03-09T16:10:00.Z"));
  EXPECT_FALSE(is_rfc3339("2026-03-09T16:10:00+0400"));
  EXPECT_FALSE(is_rfc3339("yesterday"));
}

TEST(Sequencer, CountsPerRunAndPerEngine) {
  Sequencer s;
  EXPECT_EQ(s.next("run-a"), 1u);
  EXPECT_EQ(s.next("run-a"), 2u);
  EXPECT_EQ(s.next(), 1u);
  EXPECT_EQ(s.next("run-b"), 1u);
  EXPECT_EQ(s.next("run-a"), 3u);
  EXPECT_EQ(s.next(), 2u);
  s.finish("run-a");
  EXPECT_EQ(s.next("run-a"), 1u);  // a finished run's counter is gone
  s.finish("never-seen");
}

}  // namespace
}  // namespace ts::protocol
