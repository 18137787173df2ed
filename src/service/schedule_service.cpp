#include "service/schedule_service.hpp"

#include <spdlog/spdlog.h>

#include "protocol/events.hpp"
#include "scheduler/fire_time.hpp"

namespace ts::service {
namespace {

constexpr std::string_view kScheduleKey = "schedule";
constexpr std::string_view kLastHandledKey = "scheduler.last_handled";
constexpr std::size_t kPreviewFires = 10;  // what the dashboard's schedule page shows

std::chrono::sys_seconds to_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

protocol::NextFire next_fire_of(const scheduler::FireTime& f) {
  return {scheduler::format_local(f), protocol::format_timestamp(f.utc), f.early_close};
}

}  // namespace

nlohmann::json schedule_to_json(const scheduler::Schedule& s) {
  nlohmann::json phases = nlohmann::json::array();
  for (const Phase p : s.phases) phases.push_back(std::string(to_string(p)));
  return {{"enabled", s.enabled},
          {"trigger_time", scheduler::format_hhmm(s.trigger_time)},
          {"timezone", s.timezone},
          {"universes", s.universes},
          {"market_check", s.market_check},
          {"phases", phases},
          {"catch_up_window_minutes", s.catch_up_window.count()}};
}

Result<scheduler::Schedule> schedule_from_json(const nlohmann::json& j, scheduler::Schedule s) {
  if (!j.is_object()) return fail("INVALID_PARAMETER", "schedule must be a JSON object");
  try {
    if (j.contains("enabled")) s.enabled = j.at("enabled").get<bool>();
    if (j.contains("trigger_time")) {
      auto t = scheduler::parse_hhmm(j.at("trigger_time").get<std::string>());
      if (!t) return fail("INVALID_PARAMETER", "trigger_time: " + t.error().message);
      s.trigger_time = *t;
    }
    if (j.contains("timezone")) s.timezone = j.at("timezone").get<std::string>();
    if (j.contains("universes")) s.universes = j.at("universes").get<std::vector<std::string>>();
    if (j.contains("market_check")) s.market_check = j.at("market_check").get<bool>();
    if (j.contains("phases")) {
      s.phases.clear();
      for (const auto& p : j.at("phases")) {
        const auto name = p.get<std::string>();
        if (name == "all") {
          s.phases.assign(kAllPhases.begin(), kAllPhases.end());
          continue;
        }
        const auto phase = parse_phase(name);
        if (!phase) return fail("INVALID_PARAMETER", "phases: unknown phase '" + name + "'");
        if (std::find(s.phases.begin(), s.phases.end(), *phase) == s.phases.end()) s.phases.push_back(*phase);
      }
      std::sort(s.phases.begin(), s.phases.end());
    }
    if (j.contains("catch_up_window_minutes"))
      s.catch_up_window = std::chrono::minutes{j.at("catch_up_window_minutes").get<long>()};
  } catch (const nlohmann::json::exception& e) {
    return fail("INVALID_PARAMETER", std::string("schedule: ") + e.what());
  }
  return scheduler::validate(std::move(s));
}

ScheduleService::ScheduleService(storage::Storage& db, engine::RunManager& runs, EventPublisher& events,
                                 bus::AsyncClient* redis, RequestFactory make_request, Clock clock,
                                 ScheduleServiceOptions options)
    : db_(db),
      runs_(runs),
      events_(events),
      redis_(redis),
      make_request_(std::move(make_request)),
      clock_(std::move(clock)),
      opt_(std::move(options)) {
  if (const auto stored = db_.get_setting(kScheduleKey)) {
    auto s = schedule_from_json(nlohmann::json::parse(*stored, nullptr, false), scheduler::Schedule{});
    if (s)
      schedule_ = std::move(s).value();
    else
      spdlog::error("stored schedule is invalid ({}); using the default", s.error().message);
  } else {
    db_.put_setting(kScheduleKey, schedule_to_json(schedule_).dump());
  }
  if (const auto stored = db_.get_setting(kLastHandledKey)) {
    try {
      last_handled_ = std::chrono::sys_seconds{std::chrono::seconds{std::stoll(*stored)}};
    } catch (const std::exception&) {
      spdlog::warn("stored scheduler state '{}' is invalid; starting afresh", *stored);
    }
  }
  std::lock_guard lock(mu_);
  refresh_next_locked();
}

ScheduleService::~ScheduleService() { stop(); }

scheduler::Schedule ScheduleService::get() const {
  std::lock_guard lock(mu_);
  return schedule_;
}

protocol::Schedule ScheduleService::describe() const {
  std::lock_guard lock(mu_);
  protocol::Schedule p;
  p.enabled = schedule_.enabled;
  p.trigger_time = scheduler::format_hhmm(schedule_.trigger_time);
  p.timezone = schedule_.timezone;
  p.universes = schedule_.universes;
  p.market_check = schedule_.market_check;
  p.phases = schedule_.phases;
  if (schedule_.enabled)
    if (const auto f = scheduler::next_fire(schedule_, to_seconds(clock_()))) p.next_fire = next_fire_of(*f);
  for (const auto& f : scheduler::preview(schedule_, to_seconds(clock_()), kPreviewFires)) {
    protocol::PreviewFire pf{next_fire_of(f), f.zone_abbrev, f.dst_change, {}};
    for (const auto& d : f.skipped) pf.skipped.emplace_back(format_date(d.date), std::string(d.reason));
    p.preview.push_back(std::move(pf));
  }
  return p;
}

void ScheduleService::refresh_next_locked() {
  std::string next;
  if (schedule_.enabled)
    if (const auto f = scheduler::next_fire(schedule_, to_seconds(clock_())))
      next = protocol::format_timestamp(f->utc);
  events_.set_next_scheduled_run(next);
}

Result<protocol::Schedule> ScheduleService::update(const nlohmann::json& params,
                                                   std::string_view updated_by) {
  {
    std::lock_guard lock(mu_);
    auto s = schedule_from_json(params, schedule_);
    if (!s) return fail(s.error());
    schedule_ = std::move(s).value();
    db_.put_setting(kScheduleKey, schedule_to_json(schedule_).dump());
    // A changed schedule owes nothing for the past: fires are counted from now.
    last_handled_ = to_seconds(clock_());
    db_.put_setting(kLastHandledKey, std::to_string(last_handled_->time_since_epoch().count()));
    refresh_next_locked();
    replan_ = true;
  }
  cv_.notify_all();
  auto described = describe();
  events_.publish(protocol::Event::schedule_updated,
                  protocol::schedule_updated_payload({described, std::string(updated_by)}));
  return described;
}

bool ScheduleService::acquire_or_renew() {
  if (!redis_) return true;  // a single engine without Redis is always the leader
  try {
    auto renewed =
        bus::as_future<bool>([&](auto cb) {
          redis_->renew_if_equal(std::string(kLeaderLockKey), opt_.engine_token, opt_.lock_ttl, cb);
        }).get();
    if (renewed && *renewed) return true;
    auto acquired =
        bus::as_future<bool>([&](auto cb) {
          redis_->set_if_absent(std::string(kLeaderLockKey), opt_.engine_token, opt_.lock_ttl, cb);
        }).get();
    return acquired && *acquired;
  } catch (const std::exception& e) {
    spdlog::warn("scheduler lock: {}", e.what());
    return false;
  }
}

bool ScheduleService::is_leader() const {
  std::lock_guard lock(mu_);
  return leader_;
}

void ScheduleService::publish_skip(const scheduler::FireTime& t, scheduler::SkipReason why,
                                   std::string detail) {
  protocol::ScheduleSkipped s;
  s.fire_time = protocol::format_timestamp(t.utc);
  s.fire_time_local = scheduler::format_local(t);
  switch (why) {
    case scheduler::SkipReason::holiday:
      s.reason = protocol::SkipReason::holiday;
      break;
    case scheduler::SkipReason::run_already_active:
      s.reason = protocol::SkipReason::run_active;
      break;
    case scheduler::SkipReason::missed_window:
      s.reason = protocol::SkipReason::missed_window;
      break;
  }
  s.detail = std::move(detail);
  if (why == scheduler::SkipReason::run_already_active)
    if (const auto a = runs_.active()) s.active_run_id = a->record.run_id;
  {
    std::lock_guard lock(mu_);
    if (schedule_.enabled)
      if (const auto f = scheduler::next_fire(schedule_, to_seconds(clock_())))
        s.next_fire = next_fire_of(*f);
  }
  events_.publish(protocol::Event::schedule_skipped, protocol::schedule_skipped_payload(s));
}

std::optional<scheduler::Decision> ScheduleService::tick() {
  const bool leader = acquire_or_renew();
  scheduler::Schedule schedule;
  std::optional<std::chrono::sys_seconds> last;
  {
    std::lock_guard lock(mu_);
    leader_ = leader;
    schedule = schedule_;
    last = last_handled_;
    refresh_next_locked();
  }
  if (!leader) return std::nullopt;
  const auto now = to_seconds(clock_());
  const bool active = runs_.active().has_value();
  auto d = scheduler::decide(schedule, last, now, active);
  for (const auto& p : d.passed) publish_skip(p.time, p.reason, "");
  if (d.occurrence && d.skip_reason)
    publish_skip(*d.occurrence, *d.skip_reason, d.holiday ? std::string(*d.holiday) : std::string());
  if (d.action == scheduler::Action::fire || d.action == scheduler::Action::catch_up) {
    auto req = make_request_(schedule);
    if (!req) {
      spdlog::error("scheduled run not started: {}", req.error().message);
    } else {
      req->trigger = TriggerType::scheduled;
      auto started = runs_.start(std::move(req).value(), /*skip_market_check=*/true);
      if (!started)
        spdlog::warn("scheduled run not started: {} {}", started.error().code, started.error().message);
      else
        spdlog::info("scheduled run {} started ({})", started->run_id, scheduler::to_string(d.action));
    }
  }
  if (d.handled) {
    std::lock_guard lock(mu_);
    last_handled_ = *d.handled;
    db_.put_setting(kLastHandledKey, std::to_string(d.handled->time_since_epoch().count()));
  }
  return d;
}

void ScheduleService::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ScheduleService::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (redis_ && leader_) {
    try {
      bus::as_future<bool>([&](auto cb) {
        redis_->delete_if_equal(std::string(kLeaderLockKey), opt_.engine_token, cb);
      }).wait_for(std::chrono::seconds(2));
    } catch (const std::exception&) {
    }
  }
}

void ScheduleService::loop() {
  while (true) {
    std::optional<scheduler::Decision> d;
    try {
      d = tick();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: {}", e.what());
    }
    std::unique_lock lock(mu_);
    if (stop_) return;
    // Wake for the next occurrence, but at least every max_sleep to renew the
    // lock; the wall clock (not steady) decides, so DST and clock steps are fine.
    auto wake = std::chrono::system_clock::now() + opt_.max_sleep;
    if (d && d->wake_at) {
      const auto now = clock_();
      const auto until = std::chrono::system_clock::time_point(d->wake_at->time_since_epoch()) - now;
      if (until < opt_.max_sleep)
        wake = std::chrono::system_clock::now() + std::max(until, decltype(until){0});
    }
    cv_.wait_until(lock, wake, [&] { return stop_ || replan_; });
    replan_ = false;
    if (stop_) return;
  }
}

}  // namespace ts::service
