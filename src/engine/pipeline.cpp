#include "engine/pipeline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/calendar.hpp"
#include "core/resample.hpp"
#include "core/uuid.hpp"
#include "engine/studies.hpp"
#include "patterns/pattern.hpp"

namespace ts::engine {
namespace {

using Clock = std::chrono::steady_clock;
using storage::SymbolOutcome;

std::string now_utc() { return format_utc_ms(std::chrono::system_clock::now()); }

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Scratch a worker thread reuses across symbols.
struct WorkerScratch {
  std::vector<storage::IndicatorRow> rows;
  std::vector<patterns::Detection> detections;
};

std::string levels_json(const patterns::Levels& l) {
  std::string s = "{";
  auto put = [&](const char* name, const std::optional<double>& v) {
    if (!v) return;
    if (s.size() > 1) s += ',';
    fmt::format_to(std::back_inserter(s), "\"{}\":{}", name, *v);
  };
  put("entry", l.entry);
  put("stop", l.stop);
  put("target", l.target);
  put("level", l.level);
  s += '}';
  return s;
}

/// Charges this thread's CPU time since the previous lap to one layer of a
/// report (LayerSeconds): a few clock reads per symbol, never per bar. CPU
/// time, not wall time, so that waiting (for the database's write lock, or
/// for a core on a busy machine) is not counted as work of the layer.
class LayerClock {
 public:
  explicit LayerClock(storage::LayerSeconds& into) : into_(into), last_(thread_cpu_seconds()) {}
  void lap(double storage::LayerSeconds::*layer) {
    const double now = thread_cpu_seconds();
    into_.*layer += now - last_;
    last_ = now;
  }

 private:
  static double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  storage::LayerSeconds& into_;
  double last_;
};
using L = storage::LayerSeconds;

/// First index whose date is strictly after `d` (n when none).
std::size_t first_after(const std::vector<TradingDate>& dates, TradingDate d) {
  return static_cast<std::size_t>(std::upper_bound(dates.begin(), dates.end(), d) - dates.begin());
}
std::size_t first_at_or_after(const std::vector<TradingDate>& dates, TradingDate d) {
  return static_cast<std::size_t>(std::lower_bound(dates.begin(), dates.end(), d) - dates.begin());
}

/// Runs `f` (returning a SymbolReport) for one symbol: times it and turns an
/// exception into a failed report (a StorageError also sets storage_failure).
template <class F>
SymbolReport guarded(F&& f) {
  const auto ts = Clock::now();
  SymbolReport r;
  try {
    r = f();
  } catch (const storage::StorageError& e) {
    r = {false, "STORAGE_FAILED", e.what(), 0};
    r.storage_failure = true;
  } catch (const std::exception& e) {
    r = {false, "INTERNAL", e.what(), 0};
  }
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - ts).count();
  return r;
}

}  // namespace

/// The per-symbol phases after import (SymbolWork's body).
struct SymbolWork::Impl {
  Impl(const RunRequest& req, std::string run_id, storage::Storage& db)
      : req_(req), run_id_(std::move(run_id)), db_(db) {}

  SymbolReport process(Phase phase, const Symbol& sym) {
    switch (phase) {
      case Phase::cache_sync:
        return do_cache_sync(sym);
      case Phase::indicators:
        return do_indicators(sym);
      case Phase::patterns:
        return do_patterns(sym);
      case Phase::import:
        break;
    }
    throw std::logic_error("import is not per-symbol work of SymbolWork");
  }

  SymbolOutcome ok_outcome(Phase phase, const Symbol& sym) const {
    return {run_id_, phase, sym.str(), "ok", 1, "", "", 0};
  }

  /// The phase's watermark for the symbol; nullopt with --full (everything
  /// is redone). Read once per symbol and phase, and passed on.
  std::optional<TradingDate> phase_watermark(const Symbol& sym, Phase phase) {
    return req_.full ? std::nullopt : db_.watermark(sym, phase);
  }

  /// First daily date after the watermark `wm`, or nullopt when the phase is
  /// up to date. Without a watermark it is the first bar.
  static std::optional<TradingDate> first_new_date(const BarSeries& daily, std::optional<TradingDate> wm) {
    if (daily.empty()) return std::nullopt;
    if (!wm) return daily.date.front();
    const std::size_t i = first_after(daily.date, *wm);
    if (i == daily.size()) return std::nullopt;
    return daily.date[i];
  }

  /// The common start of a phase's symbol: no daily bars fail it; a phase
  /// already up to date records its `ok` outcome and is done. Otherwise sets
  /// `d1` to the first new date and returns nullopt.
  std::optional<SymbolReport> up_to_date(const Symbol& sym, Phase phase, const BarSeries& daily,
                                         std::optional<TradingDate> wm, std::optional<TradingDate>& d1) {
    if (daily.empty())
      return SymbolReport{false, "SYMBOL_NOT_FOUND", "no daily bars stored for " + sym.str(), 0};
    d1 = first_new_date(daily, wm);
    if (d1) return std::nullopt;
    db_.record_outcome(ok_outcome(phase, sym));
    return SymbolReport{};
  }

  SymbolReport do_cache_sync(const Symbol& sym) {
    storage::LayerSeconds layers;
    LayerClock clock(layers);
    // Only the weeks and months touched by days after the watermark are
    // rebuilt, so only their days are read: a daily run reads a month of
    // bars, not the history.
    const auto wm = phase_watermark(sym, Phase::cache_sync);
    std::optional<TradingDate> read_from;
    if (wm) {
      const TradingDate next = *wm + std::chrono::days{1};
      read_from = std::min(week_start(next), month_start(next));
    }
    const BarSeries daily = db_.load_bars(sym, Timeframe::daily, read_from);
    if (daily.empty() && read_from && db_.last_bar_date(sym, Timeframe::daily)) {
      db_.record_outcome(ok_outcome(Phase::cache_sync, sym));  // nothing new since the watermark
      return SymbolReport{};
    }
    std::optional<TradingDate> d1;
    if (auto done = up_to_date(sym, Phase::cache_sync, daily, wm, d1)) return *done;
    clock.lap(&L::load);
    // Re-aggregate only the periods touched by new days; each starts at the
    // period boundary so the rebuilt bars are complete.
    const TradingDate from = std::min(week_start(*d1), month_start(*d1));
    const SeriesView tail = daily.view().tail_from(first_at_or_after(daily.date, from));
    const BarSeries weekly = resample(tail, Timeframe::weekly);
    const BarSeries monthly = resample(tail, Timeframe::monthly);
    const SeriesView w = weekly.view().tail_from(first_at_or_after(weekly.date, week_start(*d1)));
    const SeriesView m = monthly.view().tail_from(first_at_or_after(monthly.date, month_start(*d1)));
    clock.lap(&L::compute);
    db_.commit_resampled(sym, w, m, daily.date.back(), ok_outcome(Phase::cache_sync, sym));
    clock.lap(&L::write);
    SymbolReport r{true, "", "", static_cast<long long>(w.size() + m.size())};
    r.layers = layers;
    return r;
  }

  // Indicators. Values come from the studies' streams (bit-identical to the
  // batch kernels over the whole series). After a run each (symbol,
  // timeframe) keeps its streams' saved state as of its second-to-last bar
  // (the last one may be a period still in progress: this week, this month,
  // or today before the close), so the next run restores it and feeds only
  // the bars after it: a daily run reads a few bars per timeframe instead of
  // the history. The state is used only when it is exactly the prefix of
  // what would be recomputed (StudyStreams::restore checks the bar it was
  // saved after); anything else recomputes that timeframe from its history.
  //
  // The watermark and the saved states stand for the default study list on
  // every timeframe, which the scheduled runs compute. A run of anything less
  // (trigger_indicators: one timeframe, maybe its own list) stores its values
  // but advances neither: had it moved the watermark, the next scheduled run
  // would never compute the default studies for the days it covered; had it
  // saved its states, that run would recompute the history instead of
  // continuing from the default list's states.
  SymbolReport do_indicators(const Symbol& sym) {
    storage::LayerSeconds layers;
    LayerClock clock(layers);
    const auto wm = phase_watermark(sym, Phase::indicators);
    static const std::vector<Timeframe> kAllTimeframes{Timeframe::daily, Timeframe::weekly,
                                                       Timeframe::monthly};
    const auto& timeframes = req_.timeframes.empty() ? kAllTimeframes : req_.timeframes;
    const auto& studies = req_.studies.empty() ? default_studies() : req_.studies;
    const bool whole_set =
        req_.studies.empty() && std::all_of(kAllTimeframes.begin(), kAllTimeframes.end(), [&](Timeframe tf) {
          return std::find(timeframes.begin(), timeframes.end(), tf) != timeframes.end();
        });

    // The daily bars that decide what is new: from the daily state's bar (it
    // is at or before the watermark) or the watermark on; the whole history
    // on a first run or with --full.
    std::optional<storage::StudyStates> daily_state;
    if (wm) daily_state = db_.study_states(sym, Timeframe::daily);
    std::optional<TradingDate> read_from;
    if (wm) read_from = daily_state ? std::min(daily_state->as_of, *wm) : *wm;
    BarSeries daily = db_.load_bars(sym, Timeframe::daily, read_from);
    if (daily.empty() && read_from && db_.last_bar_date(sym, Timeframe::daily)) {
      db_.record_outcome(ok_outcome(Phase::indicators, sym));  // nothing new since the watermark
      return SymbolReport{};
    }
    std::optional<TradingDate> d1;
    if (auto done = up_to_date(sym, Phase::indicators, daily, wm, d1)) return *done;
    const bool first_time = !wm;
    clock.lap(&L::load);

    std::vector<storage::TimeframeIndicators> groups;
    long long rows = 0;
    for (const Timeframe tf : timeframes) {
      // Rows are stored from `emit_from` on: the periods the new days touched,
      // or on a first run the last bar (every bar with --store-history).
      const TradingDate emit_from = first_time ? TradingDate::min() : period_start(*d1, tf);
      std::optional<storage::StudyStates> saved;
      if (wm) saved = tf == Timeframe::daily ? daily_state : db_.study_states(sym, tf);
      BarSeries loaded;
      const BarSeries* bars = &loaded;
      std::optional<StudyStreams> streams;
      std::size_t next = 0;  // the first bar to feed
      if (saved && saved->as_of < emit_from) {
        // The daily bars were read from the daily state's bar on already.
        if (tf == Timeframe::daily)
          bars = &daily;
        else
          loaded = db_.load_bars(sym, tf, saved->as_of);
        const std::size_t at = first_at_or_after(bars->date, saved->as_of);
        if (at < bars->size() && bars->date[at] == saved->as_of) {
          auto restored = StudyStreams::restore(studies, saved->bytes, bars->bar(at));
          if (restored) {
            streams.emplace(std::move(restored).value());
            next = at + 1;
          } else {
            spdlog::debug("{} {}: indicators recomputed from the history ({})", sym.str(), to_string(tf),
                          restored.error().message);
          }
        }
      }
      if (!streams) {
        bars = &loaded;
        if (tf == Timeframe::daily && !read_from)
          bars = &daily;  // the whole history is read already
        else
          loaded = db_.load_bars(sym, tf);
        streams.emplace(studies);
        next = 0;
      }
      clock.lap(&L::load);
      const std::size_t n = bars->size();
      if (n == 0) continue;
      const std::size_t first =
          first_time && !req_.store_history ? n - 1 : first_at_or_after(bars->date, emit_from);
      scratch_.rows.clear();
      std::optional<storage::StudyStates> keep;
      for (std::size_t i = next; i < n; ++i) {
        // The state is saved before the last bar (a period that may still
        // change). When no bar came between, the stored one is that state.
        if (whole_set && i + 1 == n && i > next)
          keep = storage::StudyStates{bars->date[i - 1], streams->save(bars->bar(i - 1))};
        rows += static_cast<long long>(streams->feed(bars->view(), i, i >= first, scratch_.rows));
      }
      // The values' JSON is encoded inside feed, row by row: counted as
      // compute (a backfill stores one as-of date, so it is 27 rows).
      groups.push_back({tf, scratch_.rows, std::move(keep)});
      clock.lap(&L::compute);
    }
    db_.commit_indicators(sym, groups, whole_set ? std::optional(daily.date.back()) : std::nullopt,
                          ok_outcome(Phase::indicators, sym));
    clock.lap(&L::write);
    SymbolReport r{true, "", "", rows};
    r.layers = layers;
    if (req_.publish_indicator_values && rows > 0) {
      for (auto& g : groups) g.states.reset();  // observers get the values, not the engine's states
      r.values = std::move(groups);
    }
    return r;
  }

  /// The daily bars detect_all reads for new bars after the patterns
  /// watermark: those bars and patterns::warmup_bars() before them (it reads
  /// no further back, so the detections are bit-identical to a run over the
  /// whole history). A daily run reads ~500 bars instead of the history; the
  /// whole history when there is no watermark, or when gaps put the warm-up
  /// bars further back than the calendar estimate.
  BarSeries pattern_bars(const Symbol& sym, std::optional<TradingDate> wm) {
    if (!wm) return db_.load_bars(sym, Timeframe::daily);
    // 500 sessions span ~725 calendar days (weekends and ~9 holidays a
    // year); 1.6x + 30 days leaves room for more, and the count below checks.
    const auto span = std::chrono::days{static_cast<int>(patterns::warmup_bars() * 16 / 10) + 30};
    BarSeries tail = db_.load_bars(sym, Timeframe::daily, *wm - span);
    const std::size_t before_new = first_after(tail.date, *wm);
    if (before_new >= patterns::warmup_bars()) return tail;
    const auto first = db_.first_bar_date(sym, Timeframe::daily);
    if (first && !tail.empty() && tail.date.front() == *first) return tail;  // the whole history is short
    return db_.load_bars(sym, Timeframe::daily);
  }

  SymbolReport do_patterns(const Symbol& sym) {
    storage::LayerSeconds layers;
    LayerClock clock(layers);
    const auto wm = phase_watermark(sym, Phase::patterns);
    const BarSeries daily = pattern_bars(sym, wm);
    std::optional<TradingDate> d1;
    if (auto done = up_to_date(sym, Phase::patterns, daily, wm, d1)) return *done;
    clock.lap(&L::load);
    const std::size_t first = first_at_or_after(daily.date, *d1);
    scratch_.detections.clear();
    patterns::detect_all(daily.view(), first, scratch_.detections);
    clock.lap(&L::compute);
    std::vector<storage::DetectionRow> rows;
    rows.reserve(scratch_.detections.size());
    for (const auto& d : scratch_.detections) {
      if (!req_.patterns.empty() &&
          std::find(req_.patterns.begin(), req_.patterns.end(), d.pattern) == req_.patterns.end())
        continue;
      rows.push_back({std::string(d.pattern), daily.date[d.index],
                      std::string(patterns::to_string(d.direction)), d.strength, d.confidence,
                      levels_json(d.levels)});
    }
    clock.lap(&L::encode);
    // As in do_indicators: the watermark stands for every pattern, so a run
    // of a few (trigger_patterns with a list) leaves it where it was.
    const auto wm_after = req_.patterns.empty() ? std::optional(daily.date.back()) : std::nullopt;
    db_.commit_patterns(sym, Timeframe::daily, rows, wm_after, ok_outcome(Phase::patterns, sym));
    clock.lap(&L::write);
    const auto stored = static_cast<long long>(rows.size());
    if (req_.alert_bars > 0 && daily.size() > static_cast<std::size_t>(req_.alert_bars)) {
      const TradingDate cutoff = daily.date[daily.size() - static_cast<std::size_t>(req_.alert_bars)];
      std::erase_if(rows, [&](const storage::DetectionRow& r) { return r.bar_date < cutoff; });
    }
    SymbolReport r{true, "", "", stored};
    r.alerts = std::move(rows);
    r.layers = layers;
    return r;
  }

  const RunRequest& req_;
  std::string run_id_;
  storage::Storage& db_;
  WorkerScratch scratch_;
};

namespace {

class Runner {
 public:
  Runner(const RunRequest& req, storage::Storage& db, const ingest::BarProvider& provider,
         const CancellationToken& cancel, RunObserver* observer)
      : req_(req), db_(db), provider_(provider), cancel_(cancel), observer_(observer) {}

  storage::RunRecord run() {
    start_ = Clock::now();
    init_record();
    db_.insert_run(rec_);  // throws: then the run does not exist at all
    rec_.status = RunStatus::running;

    std::vector<Symbol> symbols;
    for (const auto& m : req_.universe.members) symbols.push_back(m.symbol);
    std::set<std::string> failed_symbols;
    bool started = false;
    try {
      db_.update_run(rec_);
      started = true;
      notify([&](RunObserver& o) { o.on_run_started(rec_); });
      load_committed_by_parent();
      distributed_ = req_.executor && req_.executor->begin_run(rec_, req_);
      for (const Phase phase : kAllPhases) {
        if (std::find(req_.phases.begin(), req_.phases.end(), phase) == req_.phases.end()) continue;
        if (fatal_.load()) break;
        if (cancel_.requested()) {
          if (stopped_.empty()) stopped_ = fmt::format("cancelled before {}", to_string(phase));
          break;
        }
        // A symbol that failed an earlier phase of this run is not processed
        // further: its later results would be built on stale data.
        std::vector<Symbol> todo;
        for (const auto& s : symbols)
          if (!failed_symbols.count(s.str())) todo.push_back(s);
        if (phase == Phase::cache_sync) {
          db_.upsert_universe(req_.universe);
          refresh_symbol_details(todo);
        }
        run_phase(phase, todo, failed_symbols);
      }
    } catch (const std::exception& e) {
      // Only a failure outside per-symbol work gets here (e.g. the database
      // went away while recording the phase): the run fails, with the reason.
      // Observers still see a start before the end, even when recording the
      // start itself failed.
      if (!started) notify([&](RunObserver& o) { o.on_run_started(rec_); });
      if (const auto* se = dynamic_cast<const storage::StorageError*>(&e))
        storage_failed(std::nullopt, std::nullopt, se->what());
      else
        rec_.error = e.what();
      finish(RunStatus::failed, failed_symbols);
      return rec_;
    }
    finish(final_status(), failed_symbols);
    return rec_;
  }

 private:
  void init_record() {
    rec_.run_id = req_.run_id.empty() ? make_uuid_v4() : req_.run_id;
    rec_.trigger_type = req_.trigger;
    rec_.status = RunStatus::queued;
    rec_.phases = req_.phases;
    rec_.universe = req_.universe.name;
    rec_.run_date = format_date(req_.to);
    rec_.started_at = now_utc();
    rec_.symbols_total = static_cast<int>(req_.universe.members.size());
    rec_.parent_run_id = req_.parent_run_id;
    nlohmann::json p;
    p["universe"] = req_.universe.name;
    if (req_.universe.name == "custom") {
      auto& arr = p["symbols"] = nlohmann::json::array();
      for (const auto& m : req_.universe.members) arr.push_back(m.symbol.str());
    }
    p["from"] = format_date(req_.from);
    p["to"] = format_date(req_.to);
    auto& ph = p["phases"] = nlohmann::json::array();
    for (const Phase x : req_.phases) ph.push_back(std::string(to_string(x)));
    p["full"] = req_.full;
    p["store_history"] = req_.store_history;
    p["min_success_ratio"] = req_.min_success_ratio;
    p["provider"] = req_.provider_description;
    p["publish_indicator_values"] = req_.publish_indicator_values;
    if (!req_.studies.empty()) {
      auto& st = p["indicators"] = nlohmann::json::array();
      for (const auto& c : req_.studies) st.push_back(c.key());
    }
    if (!req_.timeframes.empty()) {
      auto& tfs = p["timeframes"] = nlohmann::json::array();
      for (const auto tf : req_.timeframes) tfs.push_back(std::string(to_string(tf)));
    }
    if (!req_.patterns.empty()) p["patterns"] = req_.patterns;
    rec_.parameters_json = p.dump();
    for (const Phase x : req_.phases) {
      storage::PhaseSummary sum;
      sum.phase = x;
      sum.status = "pending";
      rec_.phase_summaries.push_back(std::move(sum));
    }
  }

  storage::PhaseSummary& summary(Phase p) {
    for (auto& s : rec_.phase_summaries)
      if (s.phase == p) return s;
    throw std::logic_error("phase not requested");
  }

  template <class F>
  void notify(F&& f) {
    if (!observer_) return;
    try {
      f(*observer_);
    } catch (const std::exception& e) {
      spdlog::warn("run observer failed: {}", e.what());
    }
  }

  /// Observer calls from worker threads are serialised by the run's mutex.
  template <class F>
  void notify_serialised(F&& f) {
    std::lock_guard lock(mu_);
    notify(std::forward<F>(f));
  }

  /// A resumed run: what the interrupted parent committed, by (phase, symbol).
  /// Its `ok` outcomes were written in the same transaction as the results, so
  /// they are exactly the committed work; a failed or missing one is redone.
  void load_committed_by_parent() {
    if (req_.trigger != TriggerType::resume || req_.parent_run_id.empty()) return;
    for (const auto& o : db_.run_outcomes(req_.parent_run_id, /*failed_only=*/false))
      if (o.status == "ok") committed_.emplace(o.phase, o.symbol);
    spdlog::info("run {} resumes run {}: {} symbol phases already committed", rec_.run_id, req_.parent_run_id,
                 committed_.size());
  }

  void run_phase(Phase phase, const std::vector<Symbol>& all, std::set<std::string>& failed_symbols) {
    auto& sum = summary(phase);
    const auto t0 = Clock::now();
    std::vector<Symbol> symbols, carried;
    for (const auto& s : all) (committed_.contains({phase, s.str()}) ? carried : symbols).push_back(s);
    {
      std::lock_guard lock(mu_);
      sum.status = "running";
      sum.total = static_cast<int>(all.size());
      sum.started_at = now_utc();
    }
    db_.update_run(rec_);
    notify([&](RunObserver& o) { o.on_phase_started(rec_, phase, sum.total); });
    // Recorded in this run too, so a resume of this run carries them again.
    for (const auto& s : carried) {
      db_.record_outcome(
          {rec_.run_id, phase, s.str(), "ok", 0, "", "committed by run " + req_.parent_run_id, 0});
      ++sum.processed;
    }
    if (phase == Phase::import) {
      stored_ranges_ = db_.bar_date_ranges(symbols, Timeframe::daily);
      find_split_symbols(symbols);
      prefetch_incremental(symbols);
    }

    std::vector<Symbol> here = std::move(symbols);  // the symbols this process does
    if (distributed_ && phase != Phase::import) {
      // Workers do the symbols; their reports are recorded here exactly as
      // the engine's own threads' reports are (the same events and rows).
      // What the workers hand back (every worker is gone) is done below.
      here = req_.executor->run_phase(
          rec_, phase, here, [&] { return cancel_.requested() || fatal_.load(); },
          [&](const Symbol& sym, SymbolReport r) { record(phase, sym, r, t0, failed_symbols); });
    }
    if (!here.empty()) {
      std::atomic<std::size_t> next{0};
      const unsigned threads =
          std::min<unsigned>(phase_threads(req_.threads, db_), std::max<std::size_t>(1, here.size()));
      auto worker = [&] {
        SymbolWork work(req_, rec_.run_id, db_);
        while (!cancel_.requested() && !fatal_.load()) {
          const std::size_t i = next.fetch_add(1);
          if (i >= here.size()) break;
          const Symbol& sym = here[i];
          SymbolReport r =
              phase == Phase::import ? guarded([&] { return do_import(sym); }) : work.process(phase, sym);
          record(phase, sym, r, t0, failed_symbols);
        }
      };
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&] {
          lower_this_thread_priority(req_.thread_nice);
          worker();
        });
      for (auto& t : pool) t.join();
    }

    sum.finished_at = now_utc();
    sum.duration_seconds = seconds_since(t0);
    const int done = sum.processed + sum.failed;
    if (fatal_.load()) {
      sum.status = "failed";
    } else if (cancel_.requested() && done < sum.total) {
      sum.status = "cancelled";
      stopped_ = fmt::format("cancelled during {} after {} of {} symbols", to_string(phase), done, sum.total);
    } else if (sum.total > 0 && sum.processed < req_.min_success_ratio * sum.total) {
      sum.status = "failed";
    } else {
      sum.status = sum.failed ? "completed_with_errors" : "completed";
    }
    try {
      db_.update_run(rec_);
    } catch (const storage::StorageError& e) {
      // After the database failed the phase record is best effort: the
      // failure is already reported and the run ends `failed` either way.
      if (!storage_failure_) throw;
      spdlog::debug("phase {} of run {} not recorded: {}", to_string(phase), rec_.run_id, e.what());
    }
    notify([&](RunObserver& o) { o.on_phase_completed(rec_, sum); });
  }

  /// Records one symbol's report: a failure's outcome row and event, the
  /// committed results' events, the phase counters and a progress update.
  /// Called from the engine's threads or, for workers, the coordinating thread.
  void record(Phase phase, const Symbol& sym, const SymbolReport& r, Clock::time_point t0,
              std::set<std::string>& failed_symbols) {
    auto& sum = summary(phase);
    // The database refused (read-only, full, locked): every later symbol
    // would fail the same way, so the run stops here. The symbol's
    // transaction was rolled back, so nothing of it is left behind.
    if (r.storage_failure) storage_failed(phase, sym, r.message);
    if (!r.ok) {
      // After a database failure this most likely fails too (logged);
      // when the database is still partly writable it documents the symbol.
      SymbolOutcome o{rec_.run_id, phase, sym.str(), "failed", 1, r.error_code, r.message, r.ms};
      o.worker_id = r.worker_id;
      try {
        db_.record_outcome(o);
      } catch (const std::exception& e) {
        spdlog::error("cannot record failure of {}: {}", sym.str(), e.what());
      }
      // A database failure has its own single event (on_storage_failed).
      if (!r.storage_failure) notify_serialised([&](RunObserver& ob) { ob.on_symbol_failed(rec_, o); });
    }
    if (!r.values.empty())
      notify_serialised([&](RunObserver& o) { o.on_indicator_values(rec_, sym, r.values, r.worker_id); });
    if (!r.alerts.empty())
      notify_serialised(
          [&](RunObserver& o) { o.on_detections(rec_, sym, Timeframe::daily, r.alerts, r.worker_id); });
    std::lock_guard lock(mu_);
    // A rejected API key fails every other symbol too: stop the run at once.
    if (!r.ok && r.error_code == "API_KEY_INVALID" && !fatal_.exchange(true))
      fatal_error_ = fmt::format("{}: {} ({}); the run stopped", to_string(phase), r.message, r.error_code);
    sum.layers += r.layers;
    if (r.ok) {
      ++sum.processed;
      sum.count += r.count;
    } else {
      ++sum.failed;
      failed_symbols.insert(sym.str());
    }
    add_to_run_totals(phase, r.count);
    ProgressUpdate u;
    u.phase = phase;
    u.completed = sum.processed + sum.failed;
    u.failed = sum.failed;
    u.total = sum.total;
    u.current_symbol = sym.str();
    u.percent = sum.total ? 100.0 * u.completed / sum.total : 100.0;
    const double elapsed = seconds_since(t0);
    u.eta_seconds = u.completed ? elapsed / u.completed * (sum.total - u.completed) : 0;
    u.count = sum.count;
    u.worker_id = r.worker_id;
    notify([&](RunObserver& ob) { ob.on_progress(rec_, u); });
  }

  void add_to_run_totals(Phase phase, long long count) {
    switch (phase) {
      case Phase::import:
        rec_.records_imported += count;
        break;
      case Phase::indicators:
        rec_.indicators_calculated += count;
        break;
      case Phase::patterns:
        rec_.patterns_detected += count;
        break;
      case Phase::cache_sync:
        break;
    }
  }

  SymbolOutcome ok_outcome(Phase phase, const Symbol& sym) const {
    return {rec_.run_id, phase, sym.str(), "ok", 1, "", "", 0};
  }

  /// For providers with a bulk endpoint: one fetch_many for every symbol whose
  /// import is incremental (Massive: one grouped-daily request per missing
  /// day instead of one request per symbol). First imports and backfills stay
  /// per symbol. Runs before the workers start; they only read the map.
  void prefetch_incremental(const std::vector<Symbol>& symbols) {
    prefetched_.clear();
    if (req_.full || !provider_.prefers_batch()) return;
    std::vector<ingest::FetchRequest> reqs;
    for (const auto& s : symbols) {
      if (resplit_.contains(s.str())) continue;
      const auto stored = stored_range(s);
      if (!stored || req_.from < stored->first) continue;
      reqs.push_back({s, req_.from, req_.to, stored->last});
    }
    if (reqs.empty()) return;
    try {
      auto results = provider_.fetch_many(reqs);
      for (std::size_t i = 0; i < reqs.size() && i < results.size(); ++i)
        prefetched_.emplace(reqs[i].symbol.str(), std::move(results[i]));
    } catch (const std::exception& e) {
      spdlog::warn("bulk fetch failed ({}); fetching symbol by symbol", e.what());
      prefetched_.clear();
    }
  }

  /// A vendor adjusts history retroactively when a split takes effect, so a
  /// symbol with a split on or after its last stored bar cannot be imported
  /// incrementally: its stored prices would no longer match the new ones.
  /// Such symbols (resplit_) are re-imported in full and their derived results
  /// rebuilt. One provider call covers the whole universe; the split applied
  /// is remembered (setting split_applied:<SYM>) so it triggers one re-import.
  void find_split_symbols(const std::vector<Symbol>& symbols) {
    resplit_.clear();
    if (req_.full) return;
    std::map<std::string, TradingDate> last;
    std::optional<TradingDate> since;
    for (const auto& s : symbols)
      if (const auto stored = stored_range(s)) {
        last.emplace(s.str(), stored->last);
        since = since ? std::min(*since, stored->last) : stored->last;
      }
    if (!since) return;
    auto splits = provider_.splits_since(*since);
    if (!splits) {
      // Not fatal: the import itself reports a bad key or an outage per symbol.
      spdlog::warn("split check failed, importing incrementally: {}", splits.error().message);
      return;
    }
    for (const auto& [ticker, date] : *splits) {
      const auto l = last.find(ticker);
      if (l == last.end() || date < l->second) continue;
      const auto applied = db_.get_setting("split_applied:" + ticker);
      if (applied && *applied >= format_date(date)) continue;
      spdlog::info("{}: split effective {}, re-importing its adjusted history", ticker, format_date(date));
      resplit_.emplace(ticker, date);
    }
  }

  /// Symbol metadata (name, exchange, type, active flag) for the symbols that
  /// have none or whose details are older than kDetailsMaxAge: one provider
  /// call per run. Metadata is a nicety: a failure is logged, never a symbol's.
  static constexpr auto kDetailsMaxAge = std::chrono::days{7};
  void refresh_symbol_details(const std::vector<Symbol>& symbols) {
    try {
      const auto stale = db_.symbols_needing_details(
          symbols, format_utc_ms(std::chrono::system_clock::now() - kDetailsMaxAge));
      if (stale.empty()) return;
      auto details = provider_.symbol_details(stale);
      if (!details) {
        spdlog::warn("symbol details not refreshed ({} symbols): {}: {}", stale.size(),
                     ingest::to_string(details.error().code), details.error().message);
        return;
      }
      if (!details->empty()) db_.put_symbol_details(*details);
    } catch (const std::exception& e) {
      spdlog::warn("symbol details not refreshed: {}", e.what());
    }
  }

  /// The symbol's stored daily range before this run's import (nullopt: no bars).
  std::optional<storage::BarDateRange> stored_range(const Symbol& s) const {
    const auto it = stored_ranges_.find(s.str());
    return it == stored_ranges_.end() ? std::nullopt : std::optional(it->second);
  }

  SymbolReport do_import(const Symbol& sym) {
    storage::LayerSeconds layers;
    LayerClock clock(layers);
    if (const auto split = resplit_.find(sym.str()); split != resplit_.end()) return reimport(sym, split->second);
    const auto stored = stored_range(sym);
    const auto first = stored ? std::optional(stored->first) : std::nullopt;
    const auto last = stored ? std::optional(stored->last) : std::nullopt;
    // Incremental: only bars after the last stored one. A range that starts
    // before the stored history is a backfill and fetches the whole range,
    // unless no session lies between its start and the first stored bar: a
    // window opening on a weekend or holiday would otherwise re-fetch and
    // re-write every symbol's whole history on every daily run.
    const bool backfill =
        first && req_.from < *first && (is_trading_day(req_.from) ? req_.from : next_trading_day(req_.from)) < *first;
    ingest::FetchRequest fr{sym, req_.from, req_.to, std::nullopt};
    if (!req_.full && !backfill) fr.after = last;
    const auto pre = prefetched_.find(sym.str());
    auto bars = pre != prefetched_.end() ? std::move(pre->second) : provider_.fetch(fr);
    clock.lap(&L::load);
    if (!bars) return {false, std::string(ingest::to_string(bars.error().code)), bars.error().message, 0};
    long long added = 0;
    bool earlier = false;
    for (const TradingDate d : bars->date) {
      const bool before = first && d < *first;
      earlier = earlier || before;
      added += req_.full || !first || before || d > *last;
    }
    db_.commit_import(sym, bars->view(), ok_outcome(Phase::import, sym), earlier);
    clock.lap(&L::write);
    SymbolReport r{true, "", "", added};
    r.layers = layers;
    return r;
  }

  /// The whole history again, adjusted for the split on `split_date`; every
  /// derived result of the symbol is dropped in the same transaction and
  /// recomputed by the later phases.
  SymbolReport reimport(const Symbol& sym, TradingDate split_date) {
    const auto first = db_.first_bar_date(sym, Timeframe::daily);
    const ingest::FetchRequest fr{sym, first ? std::min(*first, req_.from) : req_.from, req_.to, std::nullopt};
    auto bars = provider_.fetch(fr);
    if (!bars) return {false, std::string(ingest::to_string(bars.error().code)), bars.error().message, 0};
    db_.commit_import(sym, bars->view(), ok_outcome(Phase::import, sym), /*reset_watermarks=*/true);
    try {
      db_.put_setting("split_applied:" + sym.str(), format_date(split_date));
    } catch (const storage::StorageError& e) {
      // The symbol's import is committed whole; without the marker the next
      // run only re-imports it once more. Failing the symbol here would mark
      // committed data `failed`; a database that is really down stops the run
      // at the next symbol's commit.
      spdlog::warn("{}: split {} not marked as applied: {}", sym.str(), format_date(split_date), e.what());
    }
    return {true, "", "", static_cast<long long>(bars->size())};
  }

  /// The run stops because the database failed: once per run, the observers
  /// get on_storage_failed (the STORAGE_FAILED error event) and the run's
  /// error names the phase and symbol. Later failures of the same run (other
  /// workers, the final record) only log.
  void storage_failed(std::optional<Phase> phase, std::optional<Symbol> sym, const std::string& what) {
    // "import of MSFT: sqlite: ...", or SQLite's message alone outside per-symbol work.
    const std::string where = phase && sym ? fmt::format("{} of {}", to_string(*phase), sym->str()) : "";
    const std::string message = where.empty() ? std::string(what) : fmt::format("{}: {}", where, what);
    {
      std::lock_guard lock(mu_);
      if (storage_failure_) return;
      storage_failure_ = true;
      fatal_.store(true);
      fatal_error_ = fmt::format("{}: {}; the run stopped", "STORAGE_FAILED", message);
      rec_.error = fatal_error_;
    }
    spdlog::error("run {}: database failure, the run stops: {}", rec_.run_id, message);
    notify_serialised([&](RunObserver& o) { o.on_storage_failed(rec_, sym ? sym->str() : "", message); });
  }

  RunStatus final_status() const {
    if (fatal_.load()) return RunStatus::failed;
    if (cancel_.requested() && !stopped_.empty())
      return cancel_.reason() == StopReason::shutdown ? RunStatus::interrupted : RunStatus::cancelled;
    bool any_failed = false;
    for (const auto& s : rec_.phase_summaries) {
      if (s.status == "failed") return RunStatus::failed;
      any_failed = any_failed || s.failed > 0;
    }
    return any_failed ? RunStatus::completed_with_errors : RunStatus::completed;
  }

  void finish(RunStatus status, const std::set<std::string>& failed_symbols) {
    if (distributed_) req_.executor->end_run(rec_);
    rec_.status = status;
    rec_.finished_at = now_utc();
    rec_.duration_seconds = seconds_since(start_);
    rec_.symbols_failed = static_cast<int>(failed_symbols.size());
    // Processed: symbols that went through the last phase that ran.
    int processed = 0;
    for (const auto& s : rec_.phase_summaries)
      if (s.status != "pending") processed = s.processed;
    rec_.symbols_processed = processed;
    const bool stopped = status == RunStatus::cancelled || status == RunStatus::interrupted;
    if (stopped) rec_.error = stopped_;
    for (auto& s : rec_.phase_summaries)
      if (s.status == "pending") s.status = stopped ? "cancelled" : "skipped";
    if (status == RunStatus::failed && rec_.error.empty() && fatal_.load()) rec_.error = fatal_error_;
    if (status == RunStatus::failed && rec_.error.empty()) {
      for (const auto& s : rec_.phase_summaries)
        if (s.status == "failed")
          rec_.error = fmt::format("{}: only {} of {} symbols succeeded (minimum {:.0f}%)",
                                   to_string(s.phase), s.processed, s.total, req_.min_success_ratio * 100);
    }
    try {
      db_.update_run(rec_);
    } catch (const std::exception& e) {
      spdlog::error("cannot record the end of run {}: {}", rec_.run_id, e.what());
    }
    notify([&](RunObserver& o) { o.on_run_finished(rec_); });
  }

  const RunRequest& req_;
  storage::Storage& db_;
  const ingest::BarProvider& provider_;
  const CancellationToken& cancel_;
  RunObserver* observer_;
  storage::RunRecord rec_;
  Clock::time_point start_;
  std::mutex mu_;
  std::string stopped_;
  std::atomic<bool> fatal_{false};  // a failure no other symbol can survive (API_KEY_INVALID, STORAGE_FAILED)
  bool storage_failure_ = false;    // guarded by mu_: on_storage_failed was sent
  std::string fatal_error_;
  std::map<std::string, Result<BarSeries, ingest::FetchFailure>> prefetched_;  // import phase only
  // Import phase only: each symbol's stored daily range when the phase began,
  // read in one statement. A symbol's bars change only in its own do_import,
  // so the range is what per-symbol reads there would return.
  std::map<std::string, storage::BarDateRange> stored_ranges_;
  std::map<std::string, TradingDate> resplit_;         // import phase only: symbol -> split date
  std::set<std::pair<Phase, std::string>> committed_;  // resume: (phase, symbol) the parent committed
  bool distributed_ = false;  // the phases after import go to workers (req_.executor)
};

}  // namespace

SymbolWork::SymbolWork(const RunRequest& req, std::string run_id, storage::Storage& db)
    : impl_(std::make_unique<Impl>(req, std::move(run_id), db)) {}
SymbolWork::~SymbolWork() = default;

SymbolReport SymbolWork::process(Phase phase, const Symbol& sym) {
  return guarded([&] { return impl_->process(phase, sym); });
}

Status<> apply_recorded_parameters(std::string_view parameters_json, RunRequest& req) {
  const auto p = nlohmann::json::parse(parameters_json, nullptr, false);
  if (!p.is_object()) return fail("INVALID_PARAMETER", "recorded parameters are not a JSON object");
  auto bad = [](const std::string& what) {
    return fail("INVALID_PARAMETER", "recorded parameters: " + what);
  };
  try {
    for (const char* key : {"from", "to"}) {
      if (!p.contains(key)) continue;
      auto d = parse_date(p[key].get<std::string>());
      if (!d) return bad(std::string(key) + ": " + d.error().message);
      (std::string_view(key) == "from" ? req.from : req.to) = *d;
    }
    if (p.contains("phases")) {
      req.phases.clear();
      for (const auto& x : p["phases"]) {
        auto ph = parse_phase(x.get<std::string>());
        if (!ph) return bad("unknown phase " + x.get<std::string>());
        req.phases.push_back(*ph);
      }
    }
    req.full = p.value("full", req.full);
    req.store_history = p.value("store_history", req.store_history);
    req.min_success_ratio = p.value("min_success_ratio", req.min_success_ratio);
    req.publish_indicator_values = p.value("publish_indicator_values", req.publish_indicator_values);
    req.studies.clear();
    for (const auto& key : p.value("indicators", nlohmann::json::array())) {
      auto call = ta::parse_call(key.get<std::string>());
      if (!call) return bad("indicators: " + call.error().message);
      req.studies.push_back(std::move(call).value());
    }
    req.timeframes.clear();
    for (const auto& x : p.value("timeframes", nlohmann::json::array())) {
      auto tf = parse_timeframe(x.get<std::string>());
      if (!tf) return bad("unknown timeframe " + x.get<std::string>());
      req.timeframes.push_back(*tf);
    }
    req.patterns = p.value("patterns", std::vector<std::string>{});
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  return Ok{};
}

storage::RunRecord run_pipeline(const RunRequest& req, storage::Storage& db,
                                const ingest::BarProvider& provider, const CancellationToken& cancel,
                                RunObserver* observer) {
  return Runner(req, db, provider, cancel, observer).run();
}

unsigned phase_threads(unsigned configured, const storage::Storage& db) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency()) * std::max(1u, db.threads_per_core());
}

void lower_this_thread_priority(int nice) {
  if (nice <= 0) return;
  // Linux: a thread is a schedulable task of its own, with its own niceness.
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0 && ::setpriority(PRIO_PROCESS, tid, std::min(19, current + nice)) == 0) return;
  static std::once_flag warned;
  std::call_once(warned, [] { spdlog::warn("batch threads keep their priority: {}", std::strerror(errno)); });
}

}  // namespace ts::engine
