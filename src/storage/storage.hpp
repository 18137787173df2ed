#pragma once
// Storage: repository interfaces over the engine's database. SQLite is the
// default backend (sqlite/); PostgreSQL (postgres/) implements the same
// interface over the same schema for storage several processes share.
//
// Every table has a natural unique key and every write is an upsert on it.
// The phase-commit methods (commit_*) are units of work: each runs in ONE
// transaction, so a crash leaves all of a symbol's phase results or none.
//
// Errors: I/O and database failures throw StorageError (code STORAGE_FAILED).
// Thread-safety: every method may be called from any thread; the SQLite
// backend serialises access internally, the PostgreSQL one gives each
// concurrently calling thread its own pooled connection.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar.hpp"
#include "core/run_types.hpp"
#include "core/symbol.hpp"
#include "core/timeframe.hpp"
#include "core/universe.hpp"

namespace ts::storage {

class StorageError : public std::runtime_error {
 public:
  explicit StorageError(const std::string& what) : std::runtime_error(what) {}
  std::string_view code() const noexcept { return "STORAGE_FAILED"; }
};

/// Per-phase counters of a run (one row of run_phases).
/// Time per layer of per-symbol work. `load`: bars in (the provider's fetch
/// and parse for import, the database read for the later phases); `compute`:
/// resampling, indicators, pattern detection; `encode`: results into rows
/// (JSON values and levels); `write`: the symbol's transaction.
struct LayerSeconds {
  double load = 0, compute = 0, encode = 0, write = 0;
  LayerSeconds& operator+=(const LayerSeconds& o) {
    load += o.load;
    compute += o.compute;
    encode += o.encode;
    write += o.write;
    return *this;
  }
};

struct PhaseSummary {
  Phase phase;
  std::string status;  // "pending" | "running" | "completed" | "completed_with_errors" | "failed" |
                       // "cancelled" | "skipped"
  int total = 0;
  int processed = 0;  // succeeded
  int failed = 0;
  long long count = 0;  // records_imported / bars_resampled / indicators_calculated / patterns_detected
  std::string started_at, finished_at;  // RFC 3339 UTC, "" when not yet
  double duration_seconds = 0;
  /// Where the phase's work went, per layer: CPU seconds of the threads that
  /// did its symbols (waiting for a lock or a core is not counted, so the sum
  /// may be below threads x duration_seconds). Only the engine process that
  /// ran the symbols knows them: not stored, zero for a run read back from
  /// the database or done by distributed workers.
  LayerSeconds layers{};
};

/// One row of processing_runs.
struct RunRecord {
  std::string run_id;
  TriggerType trigger_type = TriggerType::manual;
  RunStatus status = RunStatus::queued;
  std::vector<Phase> phases;
  std::string universe;
  std::string parameters_json = "{}";
  std::string run_date;  // NY trading date the run processes, YYYY-MM-DD
  std::string started_at, finished_at;
  double duration_seconds = 0;
  int symbols_total = 0, symbols_processed = 0, symbols_failed = 0;
  long long records_imported = 0, indicators_calculated = 0, patterns_detected = 0;
  std::string error;          // why it failed / where it stopped
  std::string parent_run_id;  // "" unless a retry
  std::vector<PhaseSummary> phase_summaries;
};

/// One row of run_symbols: outcome of one symbol in one phase of one run.
struct SymbolOutcome {
  std::string run_id;
  Phase phase;
  std::string symbol;
  std::string status;  // "ok" | "failed" | "skipped"
  int attempts = 1;
  std::string error_code, message;
  double duration_ms = 0;
  std::string worker_id{};  // not stored: the worker process that did it, for events ("" = the engine)
};

struct IndicatorRow {
  std::string indicator;  // canonical key, e.g. "SMA(timeperiod=20)"
  TradingDate as_of;
  std::string values_json;  // {"real":123.4} — every output of the indicator
};

/// The indicators phase's saved stream states of one (symbol, timeframe):
/// opaque bytes in the engine's format (storage never looks inside) and the
/// date of the last bar the streams consumed.
struct StudyStates {
  TradingDate as_of;
  std::string bytes;
};

/// The stored date range of one symbol's bars in one timeframe.
struct BarDateRange {
  TradingDate first;
  TradingDate last;
};

struct TimeframeIndicators {
  Timeframe tf;
  std::vector<IndicatorRow> rows;
  /// When set, replaces the stored states of (symbol, tf) in the same unit of
  /// work as the rows and the watermark, so states never drift from the
  /// values they produced. Unset leaves the stored states as they are.
  std::optional<StudyStates> states{};
};

struct DetectionRow {
  std::string pattern;
  TradingDate bar_date;
  std::string direction;
  double strength, confidence;
  std::string levels_json;
};

/// One stored detection as the read API returns it.
struct DetectionRecord {
  std::string symbol;
  Timeframe timeframe = Timeframe::daily;
  std::string pattern;
  TradingDate bar_date;
  std::string direction;
  double strength = 0, confidence = 0;
  std::string levels_json = "{}";
  std::string run_id;  // "" when unknown
  std::string detected_at;
};

/// One event waiting in the database outbox (migration v5) for Redis.
struct OutboxEvent {
  std::int64_t id = 0;  ///< assigned by append_outbox; increasing = publishing order
  std::string channel;  ///< the pub/sub channel (the stream key is the publisher's)
  std::string payload;  ///< the encoded envelope, exactly as it will be published
};

/// Filters of query_detections; empty/nullopt = no filter. Rows come newest
/// bar_date first, then symbol, timeframe, pattern ascending (a total order,
/// so pages never skip or repeat a row).
struct DetectionQuery {
  std::string symbol, pattern, direction;
  std::optional<Timeframe> timeframe;
  std::optional<TradingDate> from, to;  // bar_date bounds, inclusive
  int limit = 100;
  /// Keyset: the last row seen of the previous page (absent = first page).
  struct Key {
    TradingDate bar_date;
    std::string symbol, timeframe, pattern;
  };
  std::optional<Key> after;
};

/// A universe the database knows: its active member count.
struct UniverseInfo {
  std::string name;
  std::string as_of;  // "" for custom lists
  long long symbols = 0;
  std::string description;
  bool registered = false;  // by `tickstock universe add` (else recorded by a run)
};

/// One row of the symbols table.
struct SymbolRecord {
  std::string symbol, name, sector;
  std::string exchange, type;  // "" until a provider's details are stored
  std::optional<bool> active;  // nullopt until then
  std::string details_at;      // RFC 3339 UTC of the last details refresh, "" = never
};

struct RunQuery {
  int limit = 50;
  std::optional<RunStatus> status;
  std::optional<TriggerType> trigger_type;
  std::string started_after;   // RFC 3339, inclusive; "" = no bound
  std::string started_before;  // RFC 3339, exclusive; "" = no bound
  std::string cursor;          // keyset: started_at|run_id of the last row seen
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::string describe() const = 0;  // "sqlite:/path" (no secrets)
  /// Phase threads per core when the engine's `threads` setting is 0. One for
  /// a backend that works in the engine's own threads (SQLite); more where a
  /// thread mostly waits on a server process that shares the cores.
  virtual unsigned threads_per_core() const { return 1; }

  // --- catalog: symbols, universes, memberships
  /// Records a run's universe (cache_sync): members that left are marked
  /// inactive. A registered universe's membership is left as registered (only
  /// `register_universe` changes it); its symbols are still upserted.
  virtual void upsert_universe(const Universe& u) = 0;
  /// Registers (or replaces) a named universe from a file, weights included;
  /// members that left are marked inactive, history is kept.
  virtual void register_universe(const Universe& u) = 0;
  /// A registered universe with its active members (sorted by symbol, with
  /// weights and the names stored for the symbols); nullopt when `name` was
  /// never registered (universes only recorded by runs do not count).
  virtual std::optional<Universe> registered_universe(std::string_view name) = 0;
  /// Symbols of `symbols` whose provider details were never stored or were
  /// stored before `before` (RFC 3339 UTC), in the given order.
  virtual std::vector<Symbol> symbols_needing_details(const std::vector<Symbol>& symbols,
                                                      std::string_view before) = 0;
  /// Stores provider details (name, exchange, type, active) and stamps them
  /// with the current time; one transaction. A details name replaces the
  /// name a universe CSV gave.
  virtual void put_symbol_details(const std::map<std::string, SymbolDetails>& details) = 0;
  virtual std::optional<SymbolRecord> symbol_record(std::string_view symbol) = 0;

  // --- bars
  virtual std::optional<TradingDate> last_bar_date(const Symbol& s, Timeframe tf) = 0;
  virtual std::optional<TradingDate> first_bar_date(const Symbol& s, Timeframe tf) = 0;
  /// first_bar_date() and last_bar_date() of every one of `symbols` that has
  /// bars in `tf`, keyed by symbol (a symbol without bars is absent). One
  /// statement on PostgreSQL instead of two round trips per symbol: the import
  /// phase reads the whole universe's ranges before its threads start.
  virtual std::map<std::string, BarDateRange> bar_date_ranges(const std::vector<Symbol>& symbols,
                                                              Timeframe tf) = 0;
  /// Bars with from <= date <= to (unbounded when nullopt), ascending.
  virtual BarSeries load_bars(const Symbol& s, Timeframe tf, std::optional<TradingDate> from = {},
                              std::optional<TradingDate> to = {}) = 0;
  virtual long long count_bars(std::optional<Timeframe> tf = {}) = 0;

  /// The saved study states of (symbol, tf), or nullopt. Removed with the
  /// symbol's other derived results when an import resets its watermarks.
  virtual std::optional<StudyStates> study_states(const Symbol& s, Timeframe tf) = 0;

  // --- per-(symbol, phase) watermark: last daily bar date the phase has processed
  virtual std::optional<TradingDate> watermark(const Symbol& s, Phase p) = 0;

  // --- units of work (one transaction each); each also upserts `outcome`
  //     and, when given, advances the phase watermark for the symbol.
  /// `reset_watermarks`: the import added bars BEFORE already processed ones
  /// (a backfill), so results derived from the shorter history are invalid:
  /// the symbol's watermarks, indicator values, study states and detections are removed in
  /// the same transaction and every later phase redoes the symbol.
  virtual void commit_import(const Symbol& s, SeriesView daily, const SymbolOutcome& outcome,
                             bool reset_watermarks = false) = 0;
  virtual void commit_resampled(const Symbol& s, SeriesView weekly, SeriesView monthly,
                                std::optional<TradingDate> watermark, const SymbolOutcome& outcome) = 0;
  virtual void commit_indicators(const Symbol& s, const std::vector<TimeframeIndicators>& rows,
                                 std::optional<TradingDate> watermark, const SymbolOutcome& outcome) = 0;
  /// Detections carry outcome.run_id as the run that found them.
  virtual void commit_patterns(const Symbol& s, Timeframe tf, const std::vector<DetectionRow>& rows,
                               std::optional<TradingDate> watermark, const SymbolOutcome& outcome) = 0;
  /// A failure (or skip) that writes no results.
  virtual void record_outcome(const SymbolOutcome& outcome) = 0;

  // --- runs
  virtual void insert_run(const RunRecord& r) = 0;
  /// Updates status, counters, phase summaries, finished_at and error. A run
  /// already in a terminal state is never changed (enforced by the schema too).
  /// Returns false when the row was terminal and therefore left untouched.
  virtual bool update_run(const RunRecord& r) = 0;
  virtual std::optional<RunRecord> get_run(std::string_view run_id) = 0;
  virtual std::vector<RunRecord> list_runs(const RunQuery& q) = 0;
  virtual std::vector<SymbolOutcome> run_outcomes(std::string_view run_id, bool failed_only) = 0;

  /// Runs left `queued` or `running` by a process that died: marks them
  /// `interrupted` (with `reason`) and returns their ids.
  virtual std::vector<std::string> interrupt_stale_runs(const std::string& reason) = 0;

  // --- event outbox (v5): events the publisher could not hand to Redis, in
  // publishing order. Bounding the table is the caller's job (it counts rows).
  /// Appends every event in ONE transaction, in vector order, and writes each
  /// one's id back. Ids are never reused, even after the newest rows were deleted.
  virtual void append_outbox(std::vector<OutboxEvent>& events);
  /// Up to `limit` rows with id > after_id, ascending by id.
  virtual std::vector<OutboxEvent> read_outbox(std::int64_t after_id, std::size_t limit);
  /// Deletes every row with id <= through_id; returns how many rows went.
  virtual long long delete_outbox(std::int64_t through_id);
  virtual long long count_outbox();

  // --- per-run seq high-water (v5): every seq at or below it may have been used.
  /// Raises the run's high-water to max(stored, high) (never lowers it) and
  /// returns the stored value; durable when it returns.
  virtual std::uint64_t reserve_seq(std::string_view run_id, std::uint64_t high);
  /// Sets the high-water to exactly `last_used`, lowering it: only for the one
  /// process numbering the run, after the run's terminal event, to give back
  /// the unused rest of its block (so a graceful stop leaves no seq gap).
  virtual void settle_seq(std::string_view run_id, std::uint64_t last_used);
  /// The run's high-water, 0 when no seq was ever reserved for it.
  virtual std::uint64_t seq_high_water(std::string_view run_id);
  // (The v5 methods have throwing defaults, "not supported by this backend", so
  // a backend without them still works: the publisher then keeps events in
  // memory only and seq starts at 1 per process.)

  // --- engine settings (schedule, scheduler state): small JSON/text values by key
  virtual std::optional<std::string> get_setting(std::string_view key) = 0;
  virtual void put_setting(std::string_view key, std::string_view value) = 0;

  // --- results (read side, for tests and later the API)
  virtual long long count_indicator_values(std::optional<Timeframe> tf = {}) = 0;
  virtual long long count_detections(std::string_view run_id = {}) = 0;
  /// Stored rows of one indicator key with from <= as_of <= to, ascending.
  virtual std::vector<IndicatorRow> indicator_values(const Symbol& s, Timeframe tf,
                                                     std::string_view indicator,
                                                     std::optional<TradingDate> from = {},
                                                     std::optional<TradingDate> to = {}) = 0;

  // --- read API (dashboard and screener); every result is bounded by its caller
  /// The newest bar of a symbol, or nullopt when it has none on `tf`.
  virtual std::optional<Bar> latest_bar(const Symbol& s, Timeframe tf) = 0;
  /// For each key that has stored values, its row with the newest as_of (keys
  /// without any are absent). Served by the primary key, one seek per key.
  virtual std::vector<IndicatorRow> latest_indicator_values(const Symbol& s, Timeframe tf,
                                                            std::span<const std::string> keys) = 0;
  /// At most q.limit detections matching q, in the order DetectionQuery states.
  virtual std::vector<DetectionRecord> query_detections(const DetectionQuery& q) = 0;
  /// Every universe the database has recorded (a run's cache_sync phase
  /// records its universe), by name.
  virtual std::vector<UniverseInfo> list_universes() = 0;
  /// The active members of a recorded universe, sorted; nullopt when the
  /// database has never recorded that universe.
  virtual std::optional<std::vector<std::string>> universe_symbols(std::string_view name) = 0;
  /// Up to `limit` distinct symbols that have bars on `tf` and start with
  /// `prefix`, sorted.
  virtual std::vector<std::string> symbols_with_bars(Timeframe tf, std::string_view prefix, int limit) = 0;
};

/// A universe name as every entry point accepts it (`run --universe`, the
/// engine's triggers): a built-in list first, else a registered universe.
/// UNKNOWN_UNIVERSE (naming the known ones) otherwise.
Result<Universe> resolve_universe(Storage& db, std::string_view name);

/// Opens "sqlite:PATH" (creating parent directories and applying migrations)
/// or "postgresql://user:pass@host:port/db" ("postgres://" too; migrated the
/// same way). SQLite options follow a '?': `sqlite:PATH?busy_timeout_ms=N`
/// (how long a write waits for another writer's lock; default 5000, see
/// SqliteOptions). Throws StorageError with a clear message for unknown
/// schemes or options, I/O errors or a server that cannot be reached.
std::unique_ptr<Storage> open_storage(const std::string& url);

}  // namespace ts::storage
