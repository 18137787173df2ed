#pragma once
// ScheduleService: the engine owns the schedule. It persists it (engine_settings
// "schedule"), decides fires with scheduler::decide on an injectable clock,
// starts scheduled runs through the RunManager, and publishes schedule_updated
// and schedule_skipped events.
//
// Several engines may share one Redis: only the holder of the leader lock
// (`tickstock:scheduler:leader`, SET NX PX with the engine's token, renewed on
// every tick, expiring after `lock_ttl`) evaluates fires, so exactly one engine
// runs each scheduled fire.
// Thread-safety: every method may be called from any thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "bus/async_client.hpp"
#include "engine/run_manager.hpp"
#include "protocol/payloads.hpp"
#include "scheduler/decide.hpp"
#include "service/event_publisher.hpp"

namespace ts::service {

inline constexpr std::string_view kLeaderLockKey = "tickstock:scheduler:leader";

struct ScheduleServiceOptions {
  std::string engine_token;  // unique per engine process: the lock's value
  std::chrono::milliseconds lock_ttl{30000};
  std::chrono::milliseconds max_sleep{5000};  // re-check at least this often (lock renewal)
};

class ScheduleService {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  /// Builds the run for a fire (universe resolution lives with the dispatcher).
  using RequestFactory = std::function<Result<engine::RunRequest>(const scheduler::Schedule&)>;

  ScheduleService(storage::Storage& db, engine::RunManager& runs, EventPublisher& events,
                  bus::AsyncClient* redis, RequestFactory make_request, Clock clock,
                  ScheduleServiceOptions options);
  ~ScheduleService();

  scheduler::Schedule get() const;
  /// The schedule with its next fire, as the protocol sends it.
  protocol::Schedule describe() const;
  /// Applies the given fields (update_schedule parameters), validates, persists,
  /// publishes schedule_updated and re-plans. INVALID_PARAMETER on bad values.
  Result<protocol::Schedule> update(const nlohmann::json& params, std::string_view updated_by);

  /// One decision step at the clock's now (the loop calls it; tests too).
  /// Returns the decision taken (nullopt when this engine is not the leader).
  std::optional<scheduler::Decision> tick();
  void start();  // background loop
  void stop();
  bool is_leader() const;

 private:
  void loop();
  bool acquire_or_renew();
  void publish_skip(const scheduler::FireTime& t, scheduler::SkipReason why, std::string detail);
  void refresh_next_locked();

  storage::Storage& db_;
  engine::RunManager& runs_;
  EventPublisher& events_;
  bus::AsyncClient* redis_;
  RequestFactory make_request_;
  Clock clock_;
  ScheduleServiceOptions opt_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  scheduler::Schedule schedule_;
  std::optional<std::chrono::sys_seconds> last_handled_;
  bool leader_ = false;
  bool stop_ = false;
  bool replan_ = false;
  std::thread thread_;
};

/// Schedule <-> JSON stored in engine_settings.
nlohmann::json schedule_to_json(const scheduler::Schedule& s);
Result<scheduler::Schedule> schedule_from_json(const nlohmann::json& j, scheduler::Schedule base);

}  // namespace ts::service
