#include "engine/run_manager.hpp"

#include <spdlog/spdlog.h>

#include "core/calendar.hpp"
#include "core/uuid.hpp"

namespace ts::engine {

/// Forwards every callback to the outer observer and keeps the manager's live
/// view of the run current.
class RunManager::Tap final : public RunObserver {
 public:
  explicit Tap(RunManager& m) : m_(m) {}
  void on_run_started(const storage::RunRecord& r) override {
    {
      std::lock_guard lock(m_.mu_);
      m_.active_ = ActiveRun{r, std::nullopt};
      m_.recorded_ = true;
    }
    m_.cv_.notify_all();
    forward([&](RunObserver& o) { o.on_run_started(r); });
  }
  void on_phase_started(const storage::RunRecord& r, Phase p, int total) override {
    update(r, std::nullopt);
    forward([&](RunObserver& o) { o.on_phase_started(r, p, total); });
  }
  void on_progress(const storage::RunRecord& r, const ProgressUpdate& u) override {
    update(r, u);
    forward([&](RunObserver& o) { o.on_progress(r, u); });
  }
  void on_symbol_failed(const storage::RunRecord& r, const storage::SymbolOutcome& o) override {
    forward([&](RunObserver& x) { x.on_symbol_failed(r, o); });
  }
  void on_storage_failed(const storage::RunRecord& r, const std::string& symbol,
                         const std::string& message) override {
    forward([&](RunObserver& o) { o.on_storage_failed(r, symbol, message); });
  }
  void on_detections(const storage::RunRecord& r, const Symbol& s, Timeframe tf,
                     const std::vector<storage::DetectionRow>& rows, std::string_view worker) override {
    forward([&](RunObserver& o) { o.on_detections(r, s, tf, rows, worker); });
  }
  void on_indicator_values(const storage::RunRecord& r, const Symbol& s,
                           const std::vector<storage::TimeframeIndicators>& rows,
                           std::string_view worker) override {
    forward([&](RunObserver& o) { o.on_indicator_values(r, s, rows, worker); });
  }
  void on_phase_completed(const storage::RunRecord& r, const storage::PhaseSummary& s) override {
    update(r, std::nullopt);
    forward([&](RunObserver& o) { o.on_phase_completed(r, s); });
  }
  void on_run_finished(const storage::RunRecord& r) override {
    // Before the terminal event goes out, so a client reacting to it already
    // gets the true status from get_run.
    m_.keep_if_unrecorded(r);
    forward([&](RunObserver& o) { o.on_run_finished(r); });
  }

 private:
  void update(const storage::RunRecord& r, std::optional<ProgressUpdate> u) {
    std::lock_guard lock(m_.mu_);
    if (!m_.active_) return;
    m_.active_->record = r;
    if (u) m_.active_->progress = std::move(u);
  }
  template <class F>
  void forward(F&& f) {
    if (m_.observer_) f(*m_.observer_);
  }
  RunManager& m_;
};

RunManager::RunManager(storage::Storage& db, const ingest::BarProvider& provider, RunObserver* observer,
                       Clock clock)
    : db_(db), provider_(provider), observer_(observer), clock_(std::move(clock)) {}

RunManager::~RunManager() { shutdown(); }

Result<StartOutcome, ManagerError> RunManager::start(RunRequest req, bool skip_market_check) {
  std::unique_lock lock(mu_);
  if (!req.run_id.empty()) {
    if (active_ && active_->record.run_id == req.run_id)
      return StartOutcome{req.run_id, active_->record.status, true};
    if (unrecorded_ && unrecorded_->run_id == req.run_id)
      return StartOutcome{req.run_id, unrecorded_->status, true};
    if (auto existing = db_.get_run(req.run_id)) return StartOutcome{req.run_id, existing->status, true};
  }
  if (running_) {
    const std::string id = active_ ? active_->record.run_id : std::string();
    return fail(ManagerError{"ALREADY_RUNNING", "run " + id + " is active; only one run at a time", id});
  }
  if (!skip_market_check) {
    const TradingDate today = new_york_date(clock_());
    if (!is_trading_day(today))
      return fail(
          ManagerError{"MARKET_CLOSED",
                       format_date(today) + " is not an NYSE trading day" +
                           (holiday_name(today) ? " (" + std::string(*holiday_name(today)) + ")" : "") +
                           "; send skip_market_check to run anyway",
                       ""});
  }
  if (req.run_id.empty()) req.run_id = make_uuid_v4();
  if (thread_.joinable()) thread_.join();  // the previous run's thread has finished
  // The previous run's terminal state first: a fixed database must not keep
  // showing it `running` next to the new run.
  record_unrecorded_locked();
  running_ = true;
  recorded_ = false;
  start_error_.clear();
  start_storage_error_ = false;
  active_.reset();
  token_ = std::make_unique<CancellationToken>();
  const std::string id = req.run_id;
  thread_ = std::thread([this, r = std::move(req)]() mutable { worker(std::move(r)); });
  cv_.wait(lock, [&] { return recorded_ || !running_; });
  if (!recorded_)
    return fail(ManagerError{start_storage_error_ ? "STORAGE_FAILED" : "INTERNAL",
                             "run could not be recorded: " + start_error_, ""});
  return StartOutcome{id, RunStatus::running, false};
}

void RunManager::worker(RunRequest req) {
  Tap tap(*this);
  if (!req.executor) req.executor = executor_;
  try {
    run_pipeline(req, db_, provider_, *token_, &tap);
  } catch (const std::exception& e) {
    spdlog::error("run {} could not run: {}", req.run_id, e.what());
    std::lock_guard lock(mu_);
    start_error_ = e.what();
    start_storage_error_ = dynamic_cast<const storage::StorageError*>(&e) != nullptr;
  }
  {
    std::lock_guard lock(mu_);
    running_ = false;
    active_.reset();
  }
  cv_.notify_all();
}

Result<std::string, ManagerError> RunManager::cancel(const std::optional<std::string>& run_id) {
  std::lock_guard lock(mu_);
  if (!running_ || !active_) return fail(ManagerError{"NOT_FOUND", "no run is active", ""});
  if (run_id && !run_id->empty() && *run_id != active_->record.run_id)
    return fail(
        ManagerError{"NOT_FOUND", "run " + *run_id + " is not the active run", active_->record.run_id});
  token_->request(StopReason::cancel);
  return active_->record.run_id;
}

std::optional<ActiveRun> RunManager::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

void RunManager::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (running_ && token_) token_->request(StopReason::shutdown);
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  record_unrecorded_locked();
}

void RunManager::keep_if_unrecorded(const storage::RunRecord& done) {
  // Did the terminal state reach the database? Not when the run failed
  // because the database refused writes; then it waits in memory.
  bool stored = false;
  try {
    const auto row = db_.get_run(done.run_id);
    stored = row && is_terminal(row->status);
  } catch (const std::exception& e) {
    spdlog::warn("run {}: cannot read back its record: {}", done.run_id, e.what());
  }
  if (stored) return;
  spdlog::warn("run {} ended {} but the database does not show it yet; it is written before the next run",
               done.run_id, to_string(done.status));
  std::lock_guard lock(mu_);
  unrecorded_ = done;
}

void RunManager::record_unrecorded_locked() {
  if (!unrecorded_) return;
  try {
    db_.update_run(*unrecorded_);
    spdlog::info("run {}: terminal state {} recorded", unrecorded_->run_id, to_string(unrecorded_->status));
    unrecorded_.reset();
  } catch (const std::exception& e) {
    spdlog::warn("run {}: terminal state still not recorded: {}", unrecorded_->run_id, e.what());
  }
}

std::optional<storage::RunRecord> RunManager::unrecorded() const {
  std::lock_guard lock(mu_);
  return unrecorded_;
}

void RunManager::wait_idle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !running_; });
}

}  // namespace ts::engine
