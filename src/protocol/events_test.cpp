#include "protocol/events.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ts::protocol {
namespace {

TEST(EventRegistry, TableOrderMatchesEnum) {
  for (std::size_t i = 0; i < kEvents.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(kEvents[i].event), i);
}

TEST(EventRegistry, NamesAndChannelsFollowTheNamingRule) {
  std::set<std::string_view> names;
  for (const auto& e : kEvents) {
    SCOPED_TRACE(std::string(e.name));
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate name";
    EXPECT_EQ(parse_event(e.name), e.event);
    EXPECT_TRUE(e.channel.starts_with("tickstock:"));
    if (e.phase) {
      // tickstock:<domain>:<event> carries <domain>_<event>, with the domain from core's phase table.
      const std::string domain(kPhaseInfo[static_cast<std::size_t>(*e.phase)].event_domain);
      ASSERT_TRUE(e.name.starts_with(domain + "_"));
      const std::string_view suffix = e.name.substr(domain.size() + 1);
      EXPECT_EQ(e.channel, "tickstock:" + domain + ":" + std::string(suffix));
      EXPECT_TRUE(e.run_scoped);
    } else if (e.name.starts_with("processing_")) {
      EXPECT_EQ(e.channel, "tickstock:processing:status");
      EXPECT_TRUE(e.run_scoped);
    } else if (e.name.starts_with("schedule_")) {
      EXPECT_EQ(e.channel, "tickstock:processing:schedule");
      EXPECT_FALSE(e.run_scoped);
    } else if (e.name == "heartbeat") {
      EXPECT_EQ(e.channel, "tickstock:monitoring");
    } else {
      EXPECT_EQ(e.name, "error");
      EXPECT_EQ(e.channel, "tickstock:errors");
    }
  }
  EXPECT_EQ(parse_event("indicators.progress"), std::nullopt);
  EXPECT_EQ(parse_event(""), std::nullopt);
}

TEST(EventRegistry, EveryPhaseHasItsLifecycleEvents) {
  for (const auto p : kAllPhases) {
    for (const auto stage : {PhaseStage::started, PhaseStage::progress, PhaseStage::completed}) {
      const Event e = phase_event(p, stage);
      EXPECT_EQ(info(e).phase, p);
      EXPECT_NE(e, Event::error);
    }
  }
  EXPECT_EQ(to_string(phase_event(Phase::cache_sync, PhaseStage::progress)), "cache_progress");
  EXPECT_EQ(channel_of(phase_event(Phase::import, PhaseStage::progress)), "tickstock:import:progress");
  static_assert(phase_event(Phase::patterns, PhaseStage::completed) == Event::patterns_completed);
}

TEST(EventRegistry, TerminalEvents) {
  EXPECT_EQ(terminal_event(RunStatus::completed), Event::processing_completed);
  EXPECT_EQ(terminal_event(RunStatus::completed_with_errors), Event::processing_completed);
  EXPECT_EQ(terminal_event(RunStatus::failed), Event::processing_failed);
  EXPECT_EQ(terminal_event(RunStatus::cancelled), Event::processing_cancelled);
  EXPECT_EQ(terminal_event(RunStatus::interrupted), Event::processing_interrupted);
  for (const auto& e : kEvents) {
    if (e.kind == PayloadKind::run_finished) {
      EXPECT_TRUE(e.name.starts_with("processing_"));
    }
  }
}

TEST(EventRegistry, CountFieldPerPhase) {
  EXPECT_EQ(phase_count_field(Phase::import), "records_imported");
  EXPECT_EQ(phase_count_field(Phase::cache_sync), "bars_resampled");
  EXPECT_EQ(phase_count_field(Phase::indicators), "indicators_calculated");
  EXPECT_EQ(phase_count_field(Phase::patterns), "patterns_detected");
}

TEST(Channels, Constants) {
  EXPECT_EQ(kStreamKey, "tickstock:events");
  EXPECT_EQ(kStreamDataField, "data");
  EXPECT_EQ(kStatusSnapshotKey, "tickstock:status:current");
  EXPECT_EQ(kCommandChannel, "tickstock:commands");
  EXPECT_EQ(kDefaultReplyChannel, "tickstock:commands:replies");
  EXPECT_EQ(kLegacyPatternsChannel, "tickstock.events.patterns");
  EXPECT_EQ(kProtocolVersion, "1.0");
}

TEST(Channels, CommandAndReplyChannels) {
  EXPECT_TRUE(is_command_channel("tickstock:commands"));
  EXPECT_TRUE(is_command_channel("tickstock:commands:trigger"));
  EXPECT_TRUE(is_command_channel("tickstock:commands:anything:else"));
  EXPECT_TRUE(is_command_channel("tickstock:commands:repliesX"));
  EXPECT_FALSE(is_command_channel("tickstock:commands:"));
  EXPECT_FALSE(is_command_channel("tickstock:commands:replies"));
  EXPECT_FALSE(is_command_channel("tickstock:commands:replies:dashboard-1"));
  EXPECT_FALSE(is_command_channel("tickstock:commandsX"));
  EXPECT_FALSE(is_command_channel("tickstock:processing:status"));
  EXPECT_TRUE(is_reply_channel("tickstock:commands:replies"));
  EXPECT_TRUE(is_reply_channel("tickstock:commands:replies:dashboard-1"));
  EXPECT_FALSE(is_reply_channel("tickstock:commands:replies:"));
  EXPECT_FALSE(is_reply_channel("tickstock:commands:trigger"));
}

TEST(Channels, SchemaPaths) {
  EXPECT_EQ(payload_schema_path(Event::import_progress), "events/import_progress.json");
}

}  // namespace
}  // namespace ts::protocol
