// Pure tests of the bus (no server): backoff, stream ids, gap detection, reply parsing.
#include <gtest/gtest.h>

#include "bus/detail/commands.hpp"
#include "bus/options.hpp"
#include "bus/reply.hpp"

namespace ts::bus {
namespace {

using std::chrono::milliseconds;

TEST(BusBackoff, GrowsExponentiallyUpToTheCap) {
  Backoff b{milliseconds(100), milliseconds(1000), 2.0, 0.0};
  EXPECT_EQ(b.delay(0, 0.3), milliseconds(100));
  EXPECT_EQ(b.delay(1, 0.3), milliseconds(200));
  EXPECT_EQ(b.delay(3, 0.3), milliseconds(800));
  EXPECT_EQ(b.delay(4, 0.3), milliseconds(1000));
  EXPECT_EQ(b.delay(1000, 0.3), milliseconds(1000));  // no overflow
}

TEST(BusBackoff, JitterStaysWithinItsBand) {
  Backoff b{milliseconds(100), milliseconds(1000), 2.0, 0.5};
  EXPECT_EQ(b.delay(2, 0.0), milliseconds(400));    // unit 0: the full delay
  EXPECT_EQ(b.delay(2, 0.999), milliseconds(200));  // unit ~1: (1 - jitter) of it
  for (double u : {0.1, 0.5, 0.9}) {
    auto d = b.delay(10, u);
    EXPECT_GE(d, milliseconds(500));
    EXPECT_LE(d, milliseconds(1000));
  }
}

TEST(BusStreamId, ParsesAndOrders) {
  EXPECT_EQ(StreamId::parse("1712-3")->ms, 1712u);
  EXPECT_EQ(StreamId::parse("1712-3")->seq, 3u);
  EXPECT_EQ(*StreamId::parse("5"), (StreamId{5, 0}));
  EXPECT_EQ(*StreamId::parse("0"), StreamId{});
  EXPECT_FALSE(StreamId::parse("$"));
  EXPECT_FALSE(StreamId::parse("1-"));
  EXPECT_FALSE(StreamId::parse("x-1"));
  EXPECT_LT(*StreamId::parse("9-9"), *StreamId::parse("10-0"));
  EXPECT_LT(*StreamId::parse("10-2"), *StreamId::parse("10-10"));
  EXPECT_EQ(StreamId::parse("7-1")->str(), "7-1");
}

StreamInfo info(std::string first, std::string max_deleted = "0-0", long long added = 3,
                long long length = 3) {
  StreamInfo i;
  i.exists = true;
  i.length = length;
  i.entries_added = added;
  i.first_id = std::move(first);
  i.last_generated_id = "20-0";
  i.max_deleted_id = std::move(max_deleted);
  return i;
}

TEST(BusStreamGap, TrimmedPastThePosition) {
  auto gap = detect_gap(info("10-0"), "5-0");
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->after_id, "5-0");
  EXPECT_EQ(gap->first_id, "10-0");
  EXPECT_FALSE(detect_gap(info("10-0"), "10-0"));  // the position's entry is still there
  EXPECT_FALSE(detect_gap(info("10-0"), "15-3"));
}

TEST(BusStreamGap, DeletedAfterThePosition) {
  EXPECT_TRUE(detect_gap(info("1-0", "7-0"), "5-0"));
  EXPECT_FALSE(detect_gap(info("1-0", "7-0"), "8-0"));
  EXPECT_FALSE(detect_gap(info("1-0", ""), "8-0"));  // Redis < 7 does not say
}

TEST(BusStreamGap, FromTheStart) {
  EXPECT_FALSE(detect_gap(info("10-0", "0-0", 3, 3), "0"));
  EXPECT_TRUE(detect_gap(info("10-0", "0-0", 5, 3), "0-0"));
  EXPECT_FALSE(detect_gap(info("10-0", "", -1, 3), "0"));  // Redis < 7: unknown, assume none
}

TEST(BusStreamGap, EmptiedStream) {
  EXPECT_TRUE(detect_gap(info("", "0-0", 9, 0), "5-0"));  // last generated 20-0 is gone
  EXPECT_FALSE(detect_gap(info("", "0-0", 9, 0), "20-0"));
}

TEST(BusStreamGap, NeverForMissingStreamsOrDollar) {
  StreamInfo none;
  EXPECT_FALSE(detect_gap(none, "5-0"));
  EXPECT_FALSE(detect_gap(info("10-0"), "$"));
  EXPECT_FALSE(detect_gap(info("10-0"), "garbage"));
}

Reply str(std::string s) { return Reply{Reply::Type::string, std::move(s), 0, {}}; }
Reply integer(long long v) { return Reply{Reply::Type::integer, "", v, {}}; }
Reply array(std::vector<Reply> e) { return Reply{Reply::Type::array, "", 0, std::move(e)}; }
Reply error(std::string s) { return Reply{Reply::Type::error, std::move(s), 0, {}}; }

TEST(BusReply, ParsesStreamInfo) {
  Reply r = array({str("length"), integer(2), str("last-generated-id"), str("8-0"),
                   str("max-deleted-entry-id"), str("3-0"), str("first-entry"),
                   array({str("4-0"), array({str("data"), str("x")})}), str("last-entry"), Reply{}});
  auto i = parse_stream_info(r);
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_TRUE(i->exists);
  EXPECT_EQ(i->length, 2);
  EXPECT_EQ(i->first_id, "4-0");
  EXPECT_EQ(i->last_generated_id, "8-0");
  EXPECT_EQ(i->max_deleted_id, "3-0");
  EXPECT_EQ(i->entries_added, -1);  // not in this (pre-7.0 shaped) reply
  auto missing = parse_stream_info(error("ERR no such key"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->exists);
  EXPECT_FALSE(parse_stream_info(error("WRONGTYPE Operation against a key holding the wrong kind of value")));
}

TEST(BusReply, ParsesEntriesTakingThePayloadField) {
  Reply entries = array({array({str("1-0"), array({str("data"), str("a")})}),
                         array({str("2-0"), array({str("other"), str("z")})}),  // no payload: skipped
                         array({str("3-0"), array({str("k"), str("v"), str("data"), str("c")})})});
  auto e = parse_stream_entries(entries);
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0], (StreamEntry{"1-0", "a"}));
  EXPECT_EQ((*e)[1], (StreamEntry{"3-0", "c"}));
  auto x = parse_xread(array({array({str("s"), entries})}));
  ASSERT_TRUE(x);
  EXPECT_EQ(x->size(), 2u);
  EXPECT_TRUE(parse_xread(Reply{})->empty());  // BLOCK timed out
}

TEST(BusReply, PublishEventReceipt) {
  auto ok = detail::parse_publish_event(array({str("5-1"), integer(2)}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->id, "5-1");
  EXPECT_EQ(ok->receivers, 2);
  auto bad =
      detail::parse_publish_event(error("WRONGTYPE Operation against a key holding the wrong kind of value"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "REDIS_ERROR");
  EXPECT_NE(bad.error().message.find("WRONGTYPE"), std::string::npos);
}

TEST(BusCommands, WireSyntax) {
  using V = std::vector<std::string>;
  EXPECT_EQ(detail::set_if_absent_cmd("k", "v", milliseconds(1500)),
            (V{"SET", "k", "v", "NX", "PX", "1500"}));
  EXPECT_EQ(detail::xread_cmd("s", "1-0", 10, milliseconds(200)),
            (V{"XREAD", "COUNT", "10", "BLOCK", "200", "STREAMS", "s", "1-0"}));
  EXPECT_EQ(detail::xread_cmd("s", "1-0", 10, std::nullopt),
            (V{"XREAD", "COUNT", "10", "STREAMS", "s", "1-0"}));
  EXPECT_EQ(detail::xrange_cmd("s", "-", "+", 0), (V{"XRANGE", "s", "-", "+"}));
  EXPECT_EQ(detail::set_cmd("k", "v", milliseconds(0)), (V{"SET", "k", "v"}));
}

}  // namespace
}  // namespace ts::bus
