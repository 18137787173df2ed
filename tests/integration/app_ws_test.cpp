// The dashboard's WebSocket hub against a real engine and Redis: upgrade
// checks, a whole run in order, progress coalescing, resume, snapshots and
// slow readers.
#include "app_support.hpp"

namespace ts::testing {
namespace {

using AppWs = AppFixture;

/// An engine-shaped envelope for entries the test appends itself.
json envelope(const std::string& event, json payload, int seq) {
  return {{"id", make_uuid_v4()},
          {"event", event},
          {"version", "1.0"},
          {"timestamp", "2026-03-09T20:10:00.000Z"},
          {"source", "test"},
          {"seq", seq},
          {"payload", std::move(payload)}};
}

/// Frames until (and including) the first event named `last`, skipping heartbeats.
std::vector<json> events_until(WsTestClient& c, const std::function<bool(const json&)>& last) {
  std::vector<json> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (std::chrono::steady_clock::now() < deadline) {
    auto f = c.next_event(std::chrono::seconds(60));
    if (!f) break;
    out.push_back(*f);
    if (last(*f)) break;
  }
  return out;
}

TEST_F(AppWs, UpgradeNeedsASessionAndOurOrigin) {
  const auto vic = login("vic");
  // The refusal is an HTTP answer: no socket is opened.
  const Headers upgrade{{"Connection", "Upgrade"},
                        {"Upgrade", "websocket"},
                        {"Sec-WebSocket-Version", "13"},
                        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  // Raw: the test HTTP client insists on "Connection: close", which is no upgrade.
  auto with = [&](Headers extra) {
    namespace beast = boost::beast;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket sock(ioc);
    sock.connect({boost::asio::ip::make_address("127.0.0.1"), app_->port()});
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/ws", 11};
    req.set(beast::http::field::host, "127.0.0.1:" + std::to_string(app_->port()));
    for (const auto& [k, v] : upgrade) req.set(k, v);
    for (const auto& [k, v] : extra) req.set(k, v);
    beast::http::write(sock, req);
    beast::flat_buffer buf;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(sock, buf, res);
    return res.result_int();
  };
  EXPECT_EQ(with({{"Origin", origin_}}), 401u);
  EXPECT_EQ(with({{"Origin", "http://evil.example"}, {"Cookie", vic.cookie}}), 403u);
  EXPECT_EQ(with({{"Cookie", vic.cookie}}), 403u);
  EXPECT_EQ(with({{"Origin", origin_}, {"Cookie", "ts_session=forged"}}), 401u);
  WsTestClient anonymous(app_->port(), "", "", origin_);
  EXPECT_FALSE(anonymous.open());
  WsTestClient foreign(app_->port(), "", vic.cookie, "http://evil.example");
  EXPECT_FALSE(foreign.open());
  auto ok = ws(vic);
  ASSERT_TRUE(ok->open());
  auto hello = ok->next();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["type"], "hello");
  EXPECT_EQ((*hello)["username"], "vic");
  EXPECT_EQ((*hello)["role"], "viewer");
  EXPECT_EQ((*hello)["mode"], "snapshot");
  auto snap = ok->next();
  ASSERT_TRUE(snap);
  EXPECT_EQ((*snap)["type"], "snapshot");
  EXPECT_TRUE((*snap)["status"].is_object()) << snap->dump();
  EXPECT_TRUE((*snap)["last_id"].is_string());
  ok->send(R"({"type":"ping"})");
  EXPECT_TRUE(ok->next_of("pong"));
}

TEST_F(AppWs, AWholeRunArrivesInStreamOrderWithProgressCoalesced) {
  const auto otto = login("otto");
  auto c = ws(otto);
  ASSERT_TRUE(c->open());
  ASSERT_TRUE(c->next_of("snapshot"));
  auto started = as(otto, "POST", "/api/processing/trigger-manual",
                    json{{"symbols", {"AAPL", "MSFT", "NVDA"}}, {"skip_market_check", true}}.dump());
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string run_id = body(started)["run_id"];
  auto got = events_until(*c, [&](const json& f) {
    const std::string name = f["event"]["event"];
    return f["event"]["payload"].value("run_id", "") == run_id && name.starts_with("processing_") &&
           name != "processing_started";
  });
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back()["event"]["event"], "processing_completed");
  // Each once; everything but coalesced progress in stream order; progress
  // never after a later phase or run boundary.
  std::vector<bus::StreamId> other_ids;
  std::set<std::string> seen;
  std::optional<bus::StreamId> last_boundary;
  for (const auto& f : got) {
    EXPECT_TRUE(seen.insert(f["id"].get<std::string>()).second) << "twice: " << f["id"];
    const auto id = bus::StreamId::parse(f["id"].get<std::string>()).value();
    const std::string name = f["event"]["event"];
    if (name.ends_with("_progress")) {
      if (last_boundary) {
        EXPECT_LT(*last_boundary, id) << "progress " << f["id"] << " after a later boundary";
      }
      continue;
    }
    if (!other_ids.empty()) {
      EXPECT_LT(other_ids.back(), id);
    }
    other_ids.push_back(id);
    if (name.ends_with("_started") || name.ends_with("_completed") || name.starts_with("processing_"))
      last_boundary = id;
  }
  // Every event of the run that is not progress was delivered, in the same order; progress may be fewer.
  std::vector<std::string> stream_other, ws_other;
  std::size_t stream_progress = 0, ws_progress = 0;
  for (const auto& e : run_events(run_id)) {
    const std::string name(protocol::info(e.event).name);
    if (name.ends_with("_progress"))
      ++stream_progress;
    else
      stream_other.push_back(e.id);
  }
  for (const auto& f : got) {
    if (f["event"]["payload"].value("run_id", "") != run_id) continue;
    if (f["event"]["event"].get<std::string>().ends_with("_progress"))
      ++ws_progress;
    else
      ws_other.push_back(f["event"]["id"]);
  }
  EXPECT_EQ(ws_other, stream_other);
  EXPECT_LE(ws_progress, stream_progress);
  EXPECT_GT(stream_progress, 0u);
}

/// An envelope as a Lua template: the script puts each entry's number where
/// SEQ stands, in `seq` and in the envelope id (the hub drops a repeated id).
std::string templated(json j) {
  j["id"] = j["id"].get<std::string>() + "-SEQ";
  std::string t = j.dump();
  t.replace(t.find("\"seq\":0"), 7, "\"seq\":SEQ");
  return t;
}

TEST_F(AppWs, ProgressIsCoalescedToTheNewestAndFlushedBeforeOtherEvents) {
  const auto vic = login("vic");
  auto c = ws(vic);
  ASSERT_TRUE(c->next_of("snapshot"));
  // 50 progress entries and a completion, appended atomically: the hub reads them in one batch.
  std::string script =
      "for i=1,50 do redis.call('XADD', KEYS[1], '*', 'data', (string.gsub(ARGV[1], 'SEQ', tostring(i)))) "
      "end "
      "return redis.call('XADD', KEYS[1], '*', 'data', ARGV[2])";
  const std::string progress_text = templated(
      envelope("import_progress", {{"run_id", "r1"}, {"phase", "import"}, {"completed_symbols", 0}}, 0));
  const json done = envelope("import_completed", {{"run_id", "r1"}, {"phase", "import"}}, 51);
  auto redis = sync();
  ASSERT_TRUE(
      redis.command({"EVAL", script, "1", std::string(protocol::kStreamKey), progress_text, done.dump()}));
  auto got = events_until(*c, [](const json& f) { return f["event"]["event"] == "import_completed"; });
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got.back()["event"]["event"], "import_completed");
  std::vector<int> seqs;
  for (const auto& f : got)
    if (f["event"]["event"] == "import_progress") seqs.push_back(f["event"]["seq"]);
  // The first goes out at once; the other 49 coalesce into the newest, flushed before the completion.
  EXPECT_EQ(seqs, (std::vector<int>{1, 50}));
}

TEST_F(AppWs, ADetectionBurstDoesNotReleaseProgressEarly) {
  const auto vic = login("vic");
  auto c = ws(vic);
  ASSERT_TRUE(c->next_of("snapshot"));
  // 50 x (progress, detection) and a completion, appended atomically.
  std::string script =
      "for i=1,50 do "
      "redis.call('XADD', KEYS[1], '*', 'data', (string.gsub(ARGV[1], 'SEQ', tostring(2*i-1)))) "
      "redis.call('XADD', KEYS[1], '*', 'data', (string.gsub(ARGV[2], 'SEQ', tostring(2*i)))) end "
      "return redis.call('XADD', KEYS[1], '*', 'data', ARGV[3])";
  const std::string progress =
      templated(envelope("patterns_progress", {{"run_id", "r2"}, {"phase", "patterns"}}, 0));
  const std::string detection = templated(
      envelope("patterns_detected", {{"run_id", "r2"}, {"symbol", "AAPL"}, {"pattern", "doji"}}, 0));
  const json done = envelope("patterns_completed", {{"run_id", "r2"}, {"phase", "patterns"}}, 101);
  auto redis = sync();
  ASSERT_TRUE(redis.command(
      {"EVAL", script, "1", std::string(protocol::kStreamKey), progress, detection, done.dump()}));
  auto got = events_until(*c, [](const json& f) { return f["event"]["event"] == "patterns_completed"; });
  std::vector<int> progress_seqs;
  int detections = 0;
  for (const auto& f : got) {
    if (f["event"]["event"] == "patterns_progress") progress_seqs.push_back(f["event"]["seq"]);
    detections += f["event"]["event"] == "patterns_detected";
  }
  EXPECT_EQ(detections, 50) << "every detection is delivered";
  // The first progress at once, the newest (seq 99) before the completion; the
  // 49 detections in between did not each drag a progress frame out.
  EXPECT_EQ(progress_seqs, (std::vector<int>{1, 99}));
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[got.size() - 2]["event"]["seq"], 99);
}

TEST_F(AppWs, ResumeGetsExactlyTheMissedEventsThenLive) {
  const auto vic = login("vic");
  std::vector<std::string> ids;
  for (int i = 1; i <= 6; ++i) ids.push_back(xadd(envelope("schedule_skipped", {{"n", i}}, i)));
  auto c = ws(vic, "?last_id=" + ids[2]);
  ASSERT_TRUE(c->open());
  auto hello = c->next();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["mode"], "replay");
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto f = c->next_of("event");
    ASSERT_TRUE(f);
    got.push_back((*f)["id"]);
  }
  EXPECT_EQ(got, (std::vector<std::string>{ids[3], ids[4], ids[5]}));
  const auto live = xadd(envelope("schedule_skipped", {{"n", 7}}, 7));
  const auto next = c->next_event();
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["id"], live);  // no duplicate of the replayed ones, no gap

  // Up to date: live mode.
  auto d = ws(vic, "?last_id=" + live);
  auto hello2 = d->next();
  ASSERT_TRUE(hello2);
  // Heartbeats may have been appended in between; then it is a (short) replay.
  EXPECT_TRUE((*hello2)["mode"] == "live" || (*hello2)["mode"] == "replay") << hello2->dump();
}

TEST_F(AppWs, AResumeThousandsOfEventsBehindIsReplayedNotDropped) {
  // More missed entries than a client's send queue holds (4,096 frames): the
  // replay is fed as the queue drains, so the client is not taken for a slow
  // reader, and live events appended meanwhile follow without a gap.
  const auto vic = login("vic");
  const auto first = xadd(envelope("schedule_skipped", {{"n", 0}}, 0));
  const json e = envelope("schedule_skipped", {{"n", 1}}, 1);
  auto redis = sync();
  ASSERT_TRUE(
      redis.command({"EVAL", "for i=1,6000 do redis.call('XADD', KEYS[1], '*', 'data', ARGV[1]) end return 1",
                     "1", std::string(protocol::kStreamKey), e.dump()}));
  auto c = ws(vic, "?last_id=" + first);
  auto hello = c->next();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["mode"], "replay");
  const auto live = xadd(envelope("schedule_skipped", {{"n", 6001}}, 6001));
  std::size_t replayed = 0;
  std::optional<bus::StreamId> last;
  std::optional<json> f;
  while ((f = c->next_event(std::chrono::seconds(30)))) {
    const auto id = bus::StreamId::parse((*f)["id"].get<std::string>()).value();
    if (last) {
      ASSERT_LT(*last, id);
    }
    last = id;
    if ((*f)["id"] == live) break;
    ++replayed;
  }
  ASSERT_TRUE(f) << "disconnected or stalled after " << replayed << " replayed events";
  EXPECT_EQ(replayed, 6000u);
  // Queued frames travel together, one JSON object per line: far fewer messages than events.
  EXPECT_LT(c->messages(), 1000u);
}

TEST_F(AppWs, TrimmedLastIdGetsASnapshot) {
  const auto vic = login("vic");
  const auto first = xadd(envelope("schedule_skipped", {{"n", 1}}, 1));
  for (int i = 2; i <= 20; ++i) xadd(envelope("schedule_skipped", {{"n", i}}, i));
  auto redis = sync();
  ASSERT_TRUE(redis.command({"XTRIM", std::string(protocol::kStreamKey), "MAXLEN", "3"}));
  auto c = ws(vic, "?last_id=" + first);
  auto hello = c->next();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["mode"], "snapshot");
  auto snap = c->next();
  ASSERT_TRUE(snap);
  EXPECT_EQ((*snap)["type"], "snapshot");
  EXPECT_TRUE((*snap)["status"].contains("engine_id") || (*snap)["status"].is_object()) << snap->dump();
  const std::string snap_id = (*snap)["last_id"];
  EXPECT_LT(bus::StreamId::parse(first).value(), bus::StreamId::parse(snap_id).value());
  // Events after the snapshot's id follow.
  const auto after = xadd(envelope("schedule_skipped", {{"n", 21}}, 21));
  const auto f = c->next_event();
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)["id"], after);
}

class AppWsSlow : public AppFixture {
  void customise_app(webapp::AppServerOptions& o) override {
    o.ws_max_queue_frames = 64;
    o.ws_max_queue_bytes = 512 * 1024;
  }
};

TEST_F(AppWsSlow, ASlowReaderIsDisconnectedAndOthersKeepTheirEvents) {
  const auto vic = login("vic");
  auto slow = ws(vic);
  auto fast = ws(vic);
  ASSERT_TRUE(slow->next_of("snapshot"));
  ASSERT_TRUE(fast->next_of("snapshot"));
  // The slow client stops reading; 32 MiB of events cannot sit in its socket buffers.
  constexpr std::size_t kEvents = 2048;
  const std::string filler(16 * 1024, 'x');
  std::string last;
  std::size_t fast_got = 0;
  for (std::size_t i = 1; i <= kEvents; ++i) {
    last = xadd(envelope("schedule_skipped", {{"n", i}, {"filler", filler}}, i));
    while (auto f = fast->next(std::chrono::milliseconds(1))) {  // drain what is there
      if ((*f)["type"] == "event" && (*f)["event"]["event"] != "heartbeat") ++fast_got;
    }
  }
  while (fast_got < kEvents) {
    auto f = fast->next_of("event");
    ASSERT_TRUE(f) << "fast client got " << fast_got;
    if ((*f)["event"]["event"] != "heartbeat") ++fast_got;
  }
  EXPECT_TRUE(slow->closed_by_server(std::chrono::seconds(30)));
  json s;
  ASSERT_TRUE(bus::testing::wait_for([&] {
    s = body(as(vic, "GET", "/api/app/status"));
    return s["clients"] == 1;
  })) << s.dump();
}

// The engine re-sends an event after a lost reply or to a Redis that
// restarted without it: same envelope id, new stream id. Clients get it once.
TEST_F(AppWs, ARepeatedEnvelopeIdIsDeliveredOnce) {
  const auto vic = login("vic");
  auto c = ws(vic);
  ASSERT_TRUE(c->next_of("snapshot"));
  const json detection = envelope("patterns_detected", {{"run_id", "r3"}, {"symbol", "KO"}}, 1);
  const json done = envelope("patterns_completed", {{"run_id", "r3"}, {"phase", "patterns"}}, 2);
  auto redis = sync();
  for (const auto& e : {detection, detection, done})
    ASSERT_TRUE(redis.command({"XADD", std::string(protocol::kStreamKey), "*", "data", e.dump()}));
  auto got = events_until(*c, [](const json& f) { return f["event"]["event"] == "patterns_completed"; });
  int copies = 0;
  for (const auto& f : got) copies += f["event"]["id"] == detection["id"];
  EXPECT_EQ(copies, 1);
}

}  // namespace
}  // namespace ts::testing
