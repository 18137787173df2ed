#pragma once
// Dispatcher: executes protocol commands. One instance serves both transports
// (Redis command channel and the HTTP API), so both behave identically.
//
// handle() never throws: failures become error replies (INTERNAL for
// unexpected exceptions, with the engine still serving).
//
// Idempotent re-send: a client whose reply was lost (Redis restarted, reply
// channel dropped) sends the same command again with the same request_id. For
// mutating commands (CommandSpec::mutating) the dispatcher remembers the last
// `remembered_replies` request_ids with the command, its parameters and its
// reply; a repeat of the same request_id, command and parameters gets the
// remembered reply, byte for byte, and is not executed again. The same
// request_id with a different command or parameters is executed as a new
// command (the id was reused, not re-sent). The memory is per process: after
// an engine restart a trigger is still idempotent by its run_id (RunManager),
// a cancel by the run's terminal state. Read-only commands simply run again.
// Thread-safety: handle() may be called concurrently from any thread
// (mutating commands with a request_id are executed one at a time).
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/run_manager.hpp"
#include "protocol/commands.hpp"
#include "service/event_publisher.hpp"
#include "service/read_queries.hpp"
#include "service/schedule_service.hpp"

namespace ts::service {

struct DispatcherOptions {
  std::string source;  // envelope/reply source
  std::string default_universe = "dow30";
  std::string provider_description;
  unsigned threads = 0;
  double min_success_ratio = 0.8;
  int alert_bars = engine::kDefaultAlertBars;  // see engine::RunRequest::alert_bars
  int default_history_years = 2;               // a trigger's range when the universe is new
  std::size_t remembered_replies = 1024;       // request_ids whose replies answer a re-send
};

class Dispatcher {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  Dispatcher(storage::Storage& db, engine::RunManager& runs, EventPublisher& events,
             ScheduleService& schedule, DispatcherOptions options, Clock clock);

  /// `via` is the trigger type recorded for runs this request starts
  /// (manual over Redis, api over HTTP).
  protocol::Reply handle(const protocol::CommandRequest& r, TriggerType via);

  /// The remembered reply that handle() would give a re-send of `r` (a
  /// mutating command with the same request_id, command and parameters), or
  /// nullopt; executes nothing. The engine answers a signed re-send with it,
  /// which the signature check refuses as replayed otherwise.
  std::optional<protocol::Reply> remembered_reply(const protocol::CommandRequest& r);

  /// Run request for a universe or symbol list with the configured defaults.
  /// A universe name is a built-in list, else a registered one (`tickstock
  /// universe add`); "a+b" joins several. Errors: NOT_FOUND (unknown
  /// universe), INVALID_PARAMETER.
  Result<engine::RunRequest> make_request(const std::string& universe,
                                          const std::vector<std::string>& symbols,
                                          const std::vector<Phase>& phases) const;
  /// The request that finishes `parent` (an interrupted run): trigger
  /// `resume`, parent_run_id = parent.run_id, the parent's universe (its name
  /// resolved again, or its recorded symbol list) and recorded parameters, so
  /// it covers exactly the parent's work. Errors: NOT_FOUND (the universe no
  /// longer resolves), INVALID_PARAMETER (unreadable recorded parameters).
  Result<engine::RunRequest> make_resume_request(const storage::RunRecord& parent) const;

 private:
  protocol::Reply execute_reply(const protocol::CommandRequest& r, TriggerType via);
  Result<nlohmann::json, protocol::CommandError> execute(const protocol::CommandRequest& r, TriggerType via);
  Result<nlohmann::json, protocol::CommandError> start(engine::RunRequest req, bool skip_market_check,
                                                       std::vector<std::string> retried = {});

  storage::Storage& db_;
  engine::RunManager& runs_;
  EventPublisher& events_;
  ScheduleService& schedule_;
  DispatcherOptions opt_;
  Clock clock_;
  ReadQueries reads_;

  struct Remembered {
    std::string fingerprint;  // command name + canonical parameters
    protocol::Reply reply;
  };
  std::mutex replay_mu_;  // held while a mutating command with a request_id executes
  std::map<std::string, Remembered> replies_;
  std::deque<std::string> reply_order_;  // oldest first, for the bound
};

/// Keyset cursor <-> opaque token ("started_at|run_id", hex-encoded).
std::string encode_cursor(std::string_view started_at, std::string_view run_id);
std::string decode_cursor(std::string_view token);

}  // namespace ts::service
