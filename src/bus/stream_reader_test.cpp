// StreamReader against a real redis-server: resumption, exactly-once, trimming.
#include "bus/stream_reader.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "bus/test_support.hpp"

namespace ts::bus {
namespace {

using namespace std::chrono_literals;
using testing::Collected;
using testing::fast;
using testing::succeeds;
using testing::wait_for;

constexpr const char* kStream = "tickstock:events";

std::string entry(int i) {
  std::string s = "e";  // not "e" + to_string(i): g++ 12 warns falsely (-Wrestrict) on that
  s += std::to_string(i);
  return s;
}

class RedisStream : public testing::RedisFixture {
 protected:
  RedisServerOptions server_options() const override {
    RedisServerOptions o;
    o.extra_args = {"--stream-node-max-entries", "4"};  // MAXLEN ~ trims close to the limit
    return o;
  }

  StreamReaderOptions reader_options(std::string from, std::string name = "reader") {
    StreamReaderOptions o;
    o.connection = fast(url(), std::move(name));
    o.stream_key = kStream;
    o.from_id = std::move(from);
    o.block = 200ms;
    o.batch = 7;  // small batches: several rounds per test
    return o;
  }

  std::vector<std::string> append(SyncClient& c, int from, int to, std::size_t maxlen = 0) {
    std::vector<std::string> ids;
    for (int i = from; i < to; ++i)
      ids.push_back(c.publish_event("tickstock:x", kStream, maxlen, entry(i))->id);
    return ids;
  }

  EventLoop loop;
};

std::vector<std::string> payloads(const std::vector<StreamEntry>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.payload);
  return out;
}

std::vector<std::string> expected(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(entry(i));
  return out;
}

TEST_F(RedisStream, ResumesFromAnIdAndSeesEachEntryOnce) {
  auto redis = sync();
  auto ids = append(redis, 0, 10);
  Collected<StreamEntry> got;
  StreamReader reader(loop, reader_options(ids[3], "resumer"), [&](const StreamEntry& e) { got.add(e); });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(got.wait_size(6));

  // Drop the reader's connection twice while entries keep coming.
  append(redis, 10, 30);
  ASSERT_TRUE(testing::kill_client(redis, "resumer"));
  append(redis, 30, 50);
  ASSERT_TRUE(wait_for([&] { return reader.reconnects() >= 1 && reader.connected(); }));
  ASSERT_TRUE(testing::kill_client(redis, "resumer"));
  append(redis, 50, 60);

  ASSERT_TRUE(got.wait_size(56));
  EXPECT_EQ(reader.last_id(), redis.xrange(kStream)->back().id);
  EXPECT_EQ(payloads(got.items()), expected(4, 60));  // in order, none missing, none twice
  EXPECT_GE(reader.reconnects(), 2u);
}

TEST_F(RedisStream, DollarDeliversOnlyNewEntriesEvenAcrossAReconnect) {
  auto redis = sync();
  append(redis, 0, 5);
  Collected<StreamEntry> got;
  StreamReader reader(loop, reader_options("$", "tail"), [&](const StreamEntry& e) { got.add(e); });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(wait_for([&] { return reader.last_id() != "$"; }));  // "$" resolved to the current end
  ASSERT_TRUE(testing::kill_client(redis, "tail"));
  append(redis, 5, 8);  // written while the reader may be away: still delivered
  ASSERT_TRUE(got.wait_size(3));
  EXPECT_EQ(payloads(got.items()), expected(5, 8));
}

TEST_F(RedisStream, FromZeroReadsEverything) {
  auto redis = sync();
  append(redis, 0, 20);
  Collected<StreamEntry> got;
  StreamReader reader(loop, reader_options("0"), [&](const StreamEntry& e) { got.add(e); });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(got.wait_size(20));
  EXPECT_EQ(payloads(got.items()), expected(0, 20));
}

TEST_F(RedisStream, ReportsATrimmedPositionBeforeTheEntriesAfterTheHole) {
  auto redis = sync();
  auto early = append(redis, 0, 3);
  append(redis, 3, 200, 10);  // MAXLEN ~ 10: e0.. are trimmed away
  auto first = redis.xrange(kStream, "-", "+", 1);
  ASSERT_TRUE(first);
  ASSERT_NE(first->at(0).payload, "e0");

  using Item = std::variant<StreamGap, StreamEntry>;
  Collected<Item> log;
  StreamReader reader(
      loop, reader_options(early[0], "late"), [&](const StreamEntry& e) { log.add(e); },
      [&](const StreamGap& g) { log.add(g); });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(wait_for([&] {
    auto items = log.items();
    return !items.empty() && std::holds_alternative<StreamEntry>(items.back()) &&
           std::get<StreamEntry>(items.back()).payload == "e199";
  }));
  auto items = log.items();
  ASSERT_TRUE(std::holds_alternative<StreamGap>(items[0])) << "the gap must come first";
  const auto& gap = std::get<StreamGap>(items[0]);
  EXPECT_EQ(gap.after_id, early[0]);
  EXPECT_EQ(gap.first_id, first->at(0).id);
  EXPECT_EQ(std::get<StreamEntry>(items[1]).id, first->at(0).id);  // then what is left, from the oldest
  for (std::size_t i = 1; i < items.size(); ++i) EXPECT_TRUE(std::holds_alternative<StreamEntry>(items[i]));
}

TEST_F(RedisStream, NoGapWhenNothingAfterThePositionWasTrimmed) {
  auto redis = sync();
  auto ids = append(redis, 0, 100, 10);
  int gaps = 0;
  Collected<StreamEntry> got;
  StreamReader reader(
      loop, reader_options(ids[98], "current"), [&](const StreamEntry& e) { got.add(e); },
      [&](const StreamGap&) { ++gaps; });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(got.wait_size(1));
  EXPECT_EQ(got.items()[0].payload, "e99");
  EXPECT_EQ(gaps, 0);
}

TEST_F(RedisStream, ContinuesAfterAServerRestart) {
  auto redis = sync();
  append(redis, 0, 3);
  Collected<StreamEntry> got;
  StreamReader reader(loop, reader_options("0", "survivor"), [&](const StreamEntry& e) { got.add(e); });
  auto started = reader.start();
  ASSERT_TRUE(succeeds(started));
  ASSERT_TRUE(got.wait_size(3));
  ASSERT_TRUE(server().restart());  // no persistence: the stream starts over, with later ids
  ASSERT_TRUE(wait_for([&] { return reader.reconnects() == 1 && reader.connected(); }));
  auto again = sync();
  append(again, 3, 6);
  ASSERT_TRUE(got.wait_size(6));
  EXPECT_EQ(payloads(got.items()), expected(0, 6));
}

}  // namespace
}  // namespace ts::bus
