#include "scheduler/schedule.hpp"

#include <gtest/gtest.h>

namespace ts::scheduler {
namespace {

using namespace std::chrono_literals;

TEST(Schedule, DefaultsMatchTheIssue) {
  const Schedule s;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.trigger_time, 16h + 10min);
  EXPECT_EQ(s.timezone, "America/New_York");
  EXPECT_EQ(s.universes, std::vector<std::string>{"dow30"});
  EXPECT_TRUE(s.market_check);
  EXPECT_EQ(s.phases.size(), kAllPhases.size());
  EXPECT_EQ(s.catch_up_window, 6h);
  EXPECT_TRUE(validate(s).ok());
}

TEST(Schedule, ParsesHhMm) {
  EXPECT_EQ(parse_hhmm("16:10").value(), 16h + 10min);
  EXPECT_EQ(parse_hhmm("00:00").value(), 0min);
  EXPECT_EQ(parse_hhmm("23:59").value(), 23h + 59min);
  EXPECT_EQ(parse_hhmm("9:05").value(), 9h + 5min);
  for (const char* bad : {"", "24:00", "16:60", "16:1", "1610", " 16:10", "16:10 ", "16-10", "a6:10", "16:1x",
                          "016:10", ":10", "16:", "-1:10"}) {
    const auto r = parse_hhmm(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "INVALID_PARAMETER");
    EXPECT_NE(r.error().message.find("trigger_time"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos) << r.error().message;
  }
}

TEST(Schedule, FormatsHhMm) {
  EXPECT_EQ(format_hhmm(16h + 10min), "16:10");
  EXPECT_EQ(format_hhmm(0min), "00:00");
  EXPECT_EQ(format_hhmm(9h + 5min), "09:05");
  for (int m = 0; m < 24 * 60; m += 7)
    EXPECT_EQ(parse_hhmm(format_hhmm(std::chrono::minutes{m})).value().count(), m);
}

std::string error_of(const Schedule& s) {
  const auto r = validate(s);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "INVALID_PARAMETER");
  return r.error().message;
}

bool mentions(const std::string& message, const char* what) {
  return message.find(what) != std::string::npos;
}

TEST(Schedule, ValidationErrorsNameTheField) {
  Schedule s;
  s.trigger_time = 24h;
  EXPECT_TRUE(mentions(error_of(s), "trigger_time"));
  s.trigger_time = -1min;
  EXPECT_TRUE(mentions(error_of(s), "trigger_time"));

  s = Schedule{};
  s.timezone = "Mars/Olympus_Mons";
  const std::string tz_error = error_of(s);
  EXPECT_TRUE(mentions(tz_error, "timezone")) << tz_error;
  EXPECT_TRUE(mentions(tz_error, "Mars/Olympus_Mons")) << tz_error;
  s.timezone = "";
  EXPECT_TRUE(mentions(error_of(s), "timezone"));

  s = Schedule{};
  s.universes.clear();
  EXPECT_TRUE(mentions(error_of(s), "universes"));
  s.universes = {"dow30", ""};
  EXPECT_TRUE(mentions(error_of(s), "universes"));
  s.universes = {"dow 30"};
  EXPECT_TRUE(mentions(error_of(s), "universes"));
  s.universes = {"dow30", "sp500", "dow30"};
  EXPECT_TRUE(mentions(error_of(s), "listed twice"));

  s = Schedule{};
  s.phases.clear();
  EXPECT_TRUE(mentions(error_of(s), "phases"));
  s.phases = {Phase::import, Phase::import};
  EXPECT_TRUE(mentions(error_of(s), "'import' is listed twice"));

  s = Schedule{};
  s.catch_up_window = -1min;
  EXPECT_TRUE(mentions(error_of(s), "catch_up_window"));
  s.catch_up_window = 25h;
  EXPECT_TRUE(mentions(error_of(s), "catch_up_window"));
}

TEST(Schedule, ValidSchedulesPass) {
  Schedule s;
  s.enabled = false;
  s.trigger_time = 0min;
  s.timezone = "Europe/London";
  s.universes = {"dow30", "sp500", "my-list_2"};
  s.market_check = false;
  s.phases = {Phase::indicators, Phase::patterns};
  s.catch_up_window = 0min;
  const auto r = validate(s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->timezone, "Europe/London");
  s.trigger_time = 23h + 59min;
  s.catch_up_window = kMaxCatchUpWindow;
  EXPECT_TRUE(validate(s).ok());
}

}  // namespace
}  // namespace ts::scheduler
