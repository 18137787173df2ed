#include "storage/sqlite/sqlite_storage.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "storage/rows.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace ts::storage {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(const std::string& path, const SqliteOptions& options)
      : path_(path), busy_timeout_ms_(options.busy_timeout.count()), db_(path) {
    // The busy timeout first: journal_mode and the migrations already write,
    // and another writer may hold the lock while we open.
    db_.exec("PRAGMA busy_timeout=" + std::to_string(options.busy_timeout.count()));
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    // Upserts land in several B-trees in key order per symbol but across the
    // whole date range; a 64 MiB page cache keeps their hot pages resident
    // (the 2 MiB default made large runs I/O-bound).
    db_.exec("PRAGMA cache_size=-65536");
    db_.exec("PRAGMA temp_store=MEMORY");
    sqlite::migrate(db_);
  }

  std::string describe() const override { return "sqlite:" + path_; }

  void upsert_universe(const Universe& u) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    // A registered universe changes only through register_universe: a run of
    // it must not overwrite a membership registered while the run was going.
    if (scalar("SELECT COUNT(*) FROM universes WHERE name=? AND source='file'", u.name) > 0) {
      const std::string now = now_utc();
      for (const auto& m : u.members) put_symbol(m, now);
    } else {
      write_universe(u, "run");
    }
    tx.commit();
  }

  void register_universe(const Universe& u) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    write_universe(u, "file");
    tx.commit();
  }

  std::optional<Universe> registered_universe(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto& head = stmt("SELECT as_of, description FROM universes WHERE name=? AND source='file'");
    head.bind(1, name);
    std::optional<Universe> out;
    if (head.step())
      out = Universe{std::string(name), std::string(head.text(0)), {}, std::string(head.text(1))};
    head.reset();
    if (!out) return out;
    auto& st = stmt(
        "SELECT m.symbol, s.name, s.sector, m.weight FROM memberships m JOIN symbols s ON s.symbol=m.symbol "
        "WHERE m.universe=? AND m.active=1 ORDER BY m.symbol");
    st.bind(1, name);
    while (st.step()) {
      auto sym = Symbol::parse(st.text(0));
      if (!sym)
        throw StorageError("corrupt symbol '" + std::string(st.text(0)) + "' in universe " + out->name);
      out->members.push_back({std::move(sym).value(), std::string(st.text(1)), std::string(st.text(2)),
                              st.is_null(3) ? std::nullopt : std::optional<double>(st.real(3))});
    }
    st.reset();
    return out;
  }

  std::vector<Symbol> symbols_needing_details(const std::vector<Symbol>& symbols,
                                              std::string_view before) override {
    std::lock_guard lock(mu_);
    auto& st = stmt("SELECT details_at FROM symbols WHERE symbol=?");
    std::vector<Symbol> out;
    for (const auto& s : symbols) {
      st.bind(1, s.str());
      const bool fresh = st.step() && !st.is_null(0) && st.text(0) >= before;
      st.reset();
      if (!fresh) out.push_back(s);
    }
    return out;
  }

  void put_symbol_details(const std::map<std::string, SymbolDetails>& details) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    const std::string now = now_utc();
    auto& st = stmt(
        "INSERT INTO symbols(symbol, name, exchange, type, active, details_at, updated_at) "
        "VALUES(?,?,?,?,?,?,?) "
        "ON CONFLICT(symbol) DO UPDATE SET "
        "name=CASE WHEN excluded.name<>'' THEN excluded.name ELSE symbols.name END, "
        "exchange=excluded.exchange, type=excluded.type, active=excluded.active, "
        "details_at=excluded.details_at, updated_at=excluded.updated_at");
    for (const auto& [symbol, d] : details)
      st.bind(1, symbol)
          .bind(2, d.name)
          .bind(3, d.exchange)
          .bind(4, d.type)
          .bind(5, d.active ? 1 : 0)
          .bind(6, now)
          .bind(7, now)
          .exec();
    tx.commit();
  }

  std::optional<SymbolRecord> symbol_record(std::string_view symbol) override {
    std::lock_guard lock(mu_);
    auto& st = stmt(
        "SELECT symbol, name, sector, exchange, type, active, COALESCE(details_at,'') FROM symbols WHERE "
        "symbol=?");
    st.bind(1, symbol);
    std::optional<SymbolRecord> out;
    if (st.step())
      out = SymbolRecord{
          std::string(st.text(0)), std::string(st.text(1)),
          std::string(st.text(2)), std::string(st.text(3)),
          std::string(st.text(4)), st.is_null(5) ? std::nullopt : std::optional<bool>(st.integer(5) != 0),
          std::string(st.text(6))};
    st.reset();
    return out;
  }

  std::optional<TradingDate> last_bar_date(const Symbol& s, Timeframe tf) override {
    return bar_date_extreme("SELECT MAX(date) FROM ohlcv WHERE symbol=? AND timeframe=?", s, tf);
  }

  std::optional<TradingDate> first_bar_date(const Symbol& s, Timeframe tf) override {
    return bar_date_extreme("SELECT MIN(date) FROM ohlcv WHERE symbol=? AND timeframe=?", s, tf);
  }

  std::map<std::string, BarDateRange> bar_date_ranges(const std::vector<Symbol>& symbols,
                                                      Timeframe tf) override {
    // In process, a prepared MIN/MAX pair per symbol costs microseconds: no
    // round trips to save, so this is the per-symbol reads in one loop. Each
    // extreme is its own subquery: SQLite answers a lone MIN or MAX with one
    // index seek, while MIN(date), MAX(date) in one SELECT walks every bar of
    // the symbol (0.42 ms per symbol at 2,515 bars, 2.1 s of a 5,000-symbol
    // daily run, against microseconds).
    ReaderLease reader(*this);
    auto& st = reader->stmt(
        "SELECT (SELECT MIN(date) FROM ohlcv WHERE symbol=?1 AND timeframe=?2), "
        "(SELECT MAX(date) FROM ohlcv WHERE symbol=?1 AND timeframe=?2)");
    std::map<std::string, BarDateRange> out;
    for (const auto& s : symbols) {
      st.bind(1, s.str()).bind(2, to_string(tf));
      if (st.step() && !st.is_null(0))
        out.insert_or_assign(s.str(),
                             BarDateRange{parse_date(st.text(0)).value(), parse_date(st.text(1)).value()});
      st.reset();
    }
    return out;
  }

  BarSeries load_bars(const Symbol& s, Timeframe tf, std::optional<TradingDate> from,
                      std::optional<TradingDate> to) override {
    // The phases' bulk read: on a reader connection, so it does not wait for
    // another thread's write transaction (WAL: readers see the last commit).
    ReaderLease reader(*this);
    auto& st = reader->stmt(
        "SELECT date, open, high, low, close, volume FROM ohlcv WHERE symbol=? AND timeframe=? AND date>=? "
        "AND date<=? ORDER BY date");
    st.bind(1, s.str()).bind(2, to_string(tf));
    bind_range(st, 3, from, to);
    BarSeries out;
    out.reserve(reader->bars_hint);
    while (st.step()) {
      auto d = parse_date(st.text(0));
      if (!d) {
        st.reset();
        throw StorageError("corrupt date '" + std::string(st.text(0)) + "' in ohlcv for " + s.str());
      }
      out.push_back({*d, st.real(1), st.real(2), st.real(3), st.real(4), st.real(5)});
    }
    st.reset();
    reader->bars_hint = std::max(reader->bars_hint, out.size());
    return out;
  }

  long long count_bars(std::optional<Timeframe> tf) override {
    std::lock_guard lock(mu_);
    if (tf) return scalar("SELECT COUNT(*) FROM ohlcv WHERE timeframe=?", to_string(*tf));
    return scalar("SELECT COUNT(*) FROM ohlcv", {});
  }

  std::optional<StudyStates> study_states(const Symbol& s, Timeframe tf) override {
    ReaderLease reader(*this);
    auto& st = reader->stmt("SELECT as_of, state FROM study_states WHERE symbol=? AND timeframe=?");
    st.bind(1, s.str()).bind(2, to_string(tf));
    std::optional<StudyStates> out;
    if (st.step()) {
      const auto d = parse_date(st.text(0));
      if (!d) {
        st.reset();
        throw StorageError("corrupt date in study_states for " + s.str());
      }
      out = StudyStates{*d, std::string(st.blob(1))};
    }
    st.reset();
    return out;
  }

  std::optional<TradingDate> watermark(const Symbol& s, Phase p) override {
    ReaderLease reader(*this);  // per symbol and phase: never behind another thread's write
    auto& st = reader->stmt("SELECT through_date FROM phase_watermarks WHERE symbol=? AND phase=?");
    st.bind(1, s.str()).bind(2, to_string(p));
    std::optional<TradingDate> out;
    if (st.step()) out = parse_date(st.text(0)).value();
    st.reset();
    return out;
  }

  void commit_import(const Symbol& s, SeriesView daily, const SymbolOutcome& outcome,
                     bool reset_watermarks) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    upsert_bars(s, Timeframe::daily, daily);
    if (reset_watermarks) {
      // Bars were added before already processed history: everything derived
      // from the old, shorter history (watermarks, indicator values seeded on
      // it, detections such as 52-week extremes) is invalid and is rebuilt by
      // the later phases.
      stmt("DELETE FROM phase_watermarks WHERE symbol=?").bind(1, s.str()).exec();
      stmt("DELETE FROM indicator_values WHERE symbol=?").bind(1, s.str()).exec();
      stmt("DELETE FROM study_states WHERE symbol=?").bind(1, s.str()).exec();
      stmt("DELETE FROM pattern_detections WHERE symbol=?").bind(1, s.str()).exec();
    }
    put_outcome(outcome);
    tx.commit();
  }

  void commit_resampled(const Symbol& s, SeriesView weekly, SeriesView monthly, std::optional<TradingDate> wm,
                        const SymbolOutcome& outcome) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    upsert_bars(s, Timeframe::weekly, weekly);
    upsert_bars(s, Timeframe::monthly, monthly);
    if (wm) put_watermark(s, Phase::cache_sync, *wm);
    put_outcome(outcome);
    tx.commit();
  }

  void commit_indicators(const Symbol& s, const std::vector<TimeframeIndicators>& rows,
                         std::optional<TradingDate> wm, const SymbolOutcome& outcome) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    for (const auto& group : rows) {
      const std::string_view tf = to_string(group.tf);
      insert_rows(
          "INSERT INTO indicator_values(symbol, timeframe, indicator, as_of, value, run_id)", 6,
          "ON CONFLICT(symbol, timeframe, indicator, as_of) DO UPDATE SET value=excluded.value, "
          "run_id=excluded.run_id",
          group.rows.size(), [&](Statement& st, int p, std::size_t i, char* date) {
            const auto& r = group.rows[i];
            format_date(r.as_of, date);
            st.bind_static(p, s.str())
                .bind_static(p + 1, tf)
                .bind_static(p + 2, r.indicator)
                .bind_static(p + 3, std::string_view(date, 10))
                .bind_static(p + 4, r.values_json)
                .bind_static(p + 5, outcome.run_id);
          });
    }
    for (const auto& group : rows) {
      if (!group.states) continue;
      char date[10];
      format_date(group.states->as_of, date);
      stmt("INSERT INTO study_states(symbol, timeframe, as_of, state, run_id) VALUES(?,?,?,?,?) "
           "ON CONFLICT(symbol, timeframe) DO UPDATE SET as_of=excluded.as_of, state=excluded.state, "
           "run_id=excluded.run_id")
          .bind_static(1, s.str())
          .bind_static(2, to_string(group.tf))
          .bind(3, std::string_view(date, 10))
          .bind_blob_static(4, group.states->bytes)
          .bind_static(5, outcome.run_id)
          .exec();
    }
    if (wm) put_watermark(s, Phase::indicators, *wm);
    put_outcome(outcome);
    tx.commit();
  }

  void commit_patterns(const Symbol& s, Timeframe tf, const std::vector<DetectionRow>& rows,
                       std::optional<TradingDate> wm, const SymbolOutcome& outcome) override {
    // Detectors report bar by bar; the table's key is (pattern, bar_date)
    // within the symbol. Inserting in key order appends to 27 runs of
    // neighbouring leaves instead of hopping between them for every row:
    // 1.4x the rows per CPU-second (docs/PERFORMANCE.md). Stable, so a key
    // given twice still ends as its later row. Sorted before taking the lock.
    std::vector<std::uint32_t> order(rows.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      const int c = rows[a].pattern.compare(rows[b].pattern);
      return c != 0 ? c < 0 : rows[a].bar_date < rows[b].bar_date;
    });
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    const std::string now = now_utc();
    const std::string_view tf_name = to_string(tf);
    insert_rows(
        "INSERT INTO pattern_detections(symbol, timeframe, pattern, bar_date, direction, strength, "
        "confidence, levels, run_id, detected_at)",
        10,
        "ON CONFLICT(symbol, timeframe, pattern, bar_date) DO UPDATE SET direction=excluded.direction, "
        "strength=excluded.strength, confidence=excluded.confidence, levels=excluded.levels, "
        "run_id=excluded.run_id, detected_at=excluded.detected_at",
        rows.size(), [&](Statement& st, int p, std::size_t i, char* date) {
          const auto& r = rows[order[i]];
          format_date(r.bar_date, date);
          st.bind_static(p, s.str())
              .bind_static(p + 1, tf_name)
              .bind_static(p + 2, r.pattern)
              .bind_static(p + 3, std::string_view(date, 10))
              .bind_static(p + 4, r.direction)
              .bind(p + 5, r.strength)
              .bind(p + 6, r.confidence)
              .bind_static(p + 7, r.levels_json)
              .bind_static(p + 8, outcome.run_id)
              .bind_static(p + 9, now);
        });
    if (wm) put_watermark(s, Phase::patterns, *wm);
    put_outcome(outcome);
    tx.commit();
  }

  void record_outcome(const SymbolOutcome& outcome) override {
    std::lock_guard lock(mu_);
    put_outcome(outcome);
  }

  void insert_run(const RunRecord& r) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    auto& st = stmt(
        "INSERT INTO processing_runs(run_id, trigger_type, status, phases, universe, parameters, run_date, "
        "started_at, symbols_total, parent_run_id) VALUES(?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, r.run_id)
        .bind(2, to_string(r.trigger_type))
        .bind(3, to_string(r.status))
        .bind(4, phases_json(r.phases))
        .bind(5, r.universe)
        .bind(6, r.parameters_json)
        .bind(7, r.run_date)
        .bind(8, r.started_at)
        .bind(9, r.symbols_total);
    if (r.parent_run_id.empty())
      st.bind_null(10);
    else
      st.bind(10, r.parent_run_id);
    st.exec();
    put_phases(r);
    tx.commit();
  }

  bool update_run(const RunRecord& r) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    // Phases first: once the run row turns terminal, the schema's trigger
    // freezes its phase rows too.
    put_phases(r);
    auto& st = stmt(
        "UPDATE processing_runs SET status=?, finished_at=?, duration_seconds=?, symbols_total=?, "
        "symbols_processed=?, symbols_failed=?, records_imported=?, indicators_calculated=?, "
        "patterns_detected=?, error=? WHERE run_id=?");
    st.bind(1, to_string(r.status));
    if (r.finished_at.empty())
      st.bind_null(2);
    else
      st.bind(2, r.finished_at);
    st.bind(3, r.duration_seconds)
        .bind(4, r.symbols_total)
        .bind(5, r.symbols_processed)
        .bind(6, r.symbols_failed)
        .bind(7, static_cast<std::int64_t>(r.records_imported))
        .bind(8, static_cast<std::int64_t>(r.indicators_calculated))
        .bind(9, static_cast<std::int64_t>(r.patterns_detected))
        .bind(10, r.error)
        .bind(11, r.run_id);
    st.exec();
    const bool changed = db_.changes() > 0;
    tx.commit();
    return changed;
  }

  std::optional<RunRecord> get_run(std::string_view run_id) override {
    std::lock_guard lock(mu_);
    auto& st = stmt(std::string(kRunSelect) + " WHERE run_id=?");
    st.bind(1, run_id);
    std::optional<RunRecord> out;
    if (st.step()) out = read_run(st);
    st.reset();
    if (out) load_phases(*out);
    return out;
  }

  std::vector<RunRecord> list_runs(const RunQuery& q) override {
    std::lock_guard lock(mu_);
    // Keyset pagination on (started_at, run_id) descending; the cursor is the
    // last row's "started_at|run_id".
    std::string sql = std::string(kRunSelect) + " WHERE 1=1";
    std::vector<std::string> args;
    if (q.status) {
      sql += " AND status=?";
      args.emplace_back(to_string(*q.status));
    }
    if (q.trigger_type) {
      sql += " AND trigger_type=?";
      args.emplace_back(to_string(*q.trigger_type));
    }
    if (!q.started_after.empty()) {
      sql += " AND started_at>=?";
      args.push_back(q.started_after);
    }
    if (!q.started_before.empty()) {
      sql += " AND started_at<?";
      args.push_back(q.started_before);
    }
    if (!q.cursor.empty()) {
      const auto bar = q.cursor.find('|');
      sql += " AND (started_at, run_id) < (?, ?)";
      args.push_back(q.cursor.substr(0, bar));
      args.push_back(bar == std::string::npos ? std::string() : q.cursor.substr(bar + 1));
    }
    sql += " ORDER BY started_at DESC, run_id DESC LIMIT ?";
    Statement st(db_.handle(), sql);
    int i = 1;
    for (const auto& a : args) st.bind(i++, a);
    st.bind(i, q.limit);
    std::vector<RunRecord> out;
    while (st.step()) out.push_back(read_run(st));
    for (auto& r : out) load_phases(r);
    return out;
  }

  std::vector<SymbolOutcome> run_outcomes(std::string_view run_id, bool failed_only) override {
    std::lock_guard lock(mu_);
    auto& st = stmt(
        "SELECT run_id, phase, symbol, status, attempts, error_code, message, duration_ms FROM run_symbols "
        "WHERE run_id=? AND (?=0 OR status='failed') ORDER BY phase, symbol");
    st.bind(1, run_id).bind(2, failed_only ? 1 : 0);
    std::vector<SymbolOutcome> out;
    while (st.step()) {
      SymbolOutcome o;
      o.run_id = std::string(st.text(0));
      o.phase = parse_phase(st.text(1)).value_or(Phase::import);
      o.symbol = std::string(st.text(2));
      o.status = std::string(st.text(3));
      o.attempts = static_cast<int>(st.integer(4));
      o.error_code = std::string(st.text(5));
      o.message = std::string(st.text(6));
      o.duration_ms = st.real(7);
      out.push_back(std::move(o));
    }
    st.reset();
    return out;
  }

  std::vector<std::string> interrupt_stale_runs(const std::string& reason) override {
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    std::vector<std::string> ids;
    {
      Statement st(db_.handle(), "SELECT run_id FROM processing_runs WHERE status IN ('queued','running')");
      while (st.step()) ids.emplace_back(st.text(0));
    }
    const std::string now = now_utc();
    for (const auto& id : ids) {
      stmt("UPDATE run_phases SET status='cancelled' WHERE run_id=? AND status IN ('pending','running')")
          .bind(1, id)
          .exec();
      stmt("UPDATE processing_runs SET status='interrupted', finished_at=?, error=? WHERE run_id=?")
          .bind(1, now)
          .bind(2, reason)
          .bind(3, id)
          .exec();
    }
    tx.commit();
    return ids;
  }

  void append_outbox(std::vector<OutboxEvent>& events) override {
    if (events.empty()) return;
    std::lock_guard lock(mu_);
    Transaction tx(db_);
    auto& st = stmt("INSERT INTO event_outbox(channel, payload) VALUES (?,?)");
    for (auto& e : events) {
      st.bind_static(1, e.channel).bind_static(2, e.payload).exec();
      e.id = sqlite3_last_insert_rowid(db_.handle());
    }
    tx.commit();
  }

  std::vector<OutboxEvent> read_outbox(std::int64_t after_id, std::size_t limit) override {
    std::lock_guard lock(mu_);
    auto& st = stmt("SELECT id, channel, payload FROM event_outbox WHERE id > ? ORDER BY id LIMIT ?");
    st.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<OutboxEvent> out;
    while (st.step()) out.push_back({st.integer(0), std::string(st.text(1)), std::string(st.text(2))});
    st.reset();
    return out;
  }

  long long delete_outbox(std::int64_t through_id) override {
    std::lock_guard lock(mu_);
    stmt("DELETE FROM event_outbox WHERE id <= ?").bind(1, through_id).exec();
    return db_.changes();
  }

  long long count_outbox() override {
    std::lock_guard lock(mu_);
    return scalar("SELECT COUNT(*) FROM event_outbox", {});
  }

  std::uint64_t reserve_seq(std::string_view run_id, std::uint64_t high) override {
    std::lock_guard lock(mu_);
    write_seq(run_id, high, /*only_raise=*/true);
    return static_cast<std::uint64_t>(scalar("SELECT high_water FROM run_seq WHERE run_id=?", run_id));
  }

  void settle_seq(std::string_view run_id, std::uint64_t last_used) override {
    std::lock_guard lock(mu_);
    write_seq(run_id, last_used, /*only_raise=*/false);
  }

  std::uint64_t seq_high_water(std::string_view run_id) override {
    std::lock_guard lock(mu_);
    return static_cast<std::uint64_t>(scalar("SELECT high_water FROM run_seq WHERE run_id=?", run_id));
  }

  std::optional<std::string> get_setting(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto& st = stmt("SELECT value FROM engine_settings WHERE key=?");
    st.bind(1, key);
    std::optional<std::string> out;
    if (st.step()) out = std::string(st.text(0));
    st.reset();
    return out;
  }

  void put_setting(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mu_);
    stmt(
        "INSERT INTO engine_settings(key, value, updated_at) VALUES(?,?,?) ON CONFLICT(key) DO UPDATE SET "
        "value=excluded.value, updated_at=excluded.updated_at")
        .bind(1, key)
        .bind(2, value)
        .bind(3, now_utc())
        .exec();
  }

  long long count_indicator_values(std::optional<Timeframe> tf) override {
    std::lock_guard lock(mu_);
    if (tf) return scalar("SELECT COUNT(*) FROM indicator_values WHERE timeframe=?", to_string(*tf));
    return scalar("SELECT COUNT(*) FROM indicator_values", {});
  }

  long long count_detections(std::string_view run_id) override {
    std::lock_guard lock(mu_);
    if (!run_id.empty()) return scalar("SELECT COUNT(*) FROM pattern_detections WHERE run_id=?", run_id);
    return scalar("SELECT COUNT(*) FROM pattern_detections", {});
  }

  std::vector<IndicatorRow> indicator_values(const Symbol& s, Timeframe tf, std::string_view indicator,
                                             std::optional<TradingDate> from,
                                             std::optional<TradingDate> to) override {
    std::lock_guard lock(mu_);
    auto& st = stmt(
        "SELECT as_of, value FROM indicator_values WHERE symbol=? AND timeframe=? AND indicator=? AND "
        "as_of>=? "
        "AND as_of<=? ORDER BY as_of");
    st.bind(1, s.str()).bind(2, to_string(tf)).bind(3, indicator);
    bind_range(st, 4, from, to);
    std::vector<IndicatorRow> out;
    while (st.step()) out.push_back({std::string(indicator), read_date(st, 0), std::string(st.text(1))});
    st.reset();
    return out;
  }

  std::optional<Bar> latest_bar(const Symbol& s, Timeframe tf) override {
    std::lock_guard lock(mu_);
    auto& st = stmt(
        "SELECT date, open, high, low, close, volume FROM ohlcv WHERE symbol=? AND timeframe=? "
        "ORDER BY date DESC LIMIT 1");
    st.bind(1, s.str()).bind(2, to_string(tf));
    std::optional<Bar> out;
    if (st.step()) out = Bar{read_date(st, 0), st.real(1), st.real(2), st.real(3), st.real(4), st.real(5)};
    st.reset();
    return out;
  }

  std::vector<IndicatorRow> latest_indicator_values(const Symbol& s, Timeframe tf,
                                                    std::span<const std::string> keys) override {
    std::lock_guard lock(mu_);
    // A backward seek on the primary key (symbol, timeframe, indicator, as_of)
    // per key: cheaper than any grouping query however much history is kept.
    auto& st = stmt(
        "SELECT as_of, value FROM indicator_values WHERE symbol=? AND timeframe=? AND indicator=? "
        "ORDER BY as_of DESC LIMIT 1");
    std::vector<IndicatorRow> out;
    for (const auto& key : keys) {
      st.bind(1, s.str()).bind(2, to_string(tf)).bind(3, key);
      if (st.step()) out.push_back({key, read_date(st, 0), std::string(st.text(1))});
      st.reset();
    }
    return out;
  }

  std::vector<DetectionRecord> query_detections(const DetectionQuery& q) override {
    std::lock_guard lock(mu_);
    // Newest bar_date first, then (symbol, timeframe, pattern) ascending: the
    // keyset condition spells out that mixed-direction order.
    std::string sql =
        "SELECT symbol, timeframe, pattern, bar_date, direction, strength, confidence, levels, "
        "COALESCE(run_id,''), detected_at FROM pattern_detections WHERE bar_date>=? AND bar_date<=?";
    std::vector<std::string> args;
    auto filter = [&](const char* column, const std::string& value) {
      if (value.empty()) return;
      sql += std::string(" AND ") + column + "=?";
      args.push_back(value);
    };
    filter("symbol", q.symbol);
    filter("pattern", q.pattern);
    filter("direction", q.direction);
    filter("timeframe", q.timeframe ? std::string(to_string(*q.timeframe)) : std::string());
    if (q.after) {
      sql += " AND (bar_date<? OR (bar_date=? AND (symbol, timeframe, pattern) > (?, ?, ?)))";
      const std::string date = format_date(q.after->bar_date);
      args.insert(args.end(), {date, date, q.after->symbol, q.after->timeframe, q.after->pattern});
    }
    sql += " ORDER BY bar_date DESC, symbol, timeframe, pattern LIMIT ?";
    auto& st = stmt(sql);
    bind_range(st, 1, q.from, q.to);
    int i = 3;
    for (const auto& a : args) st.bind(i++, a);
    st.bind(i, q.limit);
    std::vector<DetectionRecord> out;
    while (st.step()) {
      DetectionRecord r;
      r.symbol = std::string(st.text(0));
      r.timeframe = parse_timeframe(st.text(1)).value_or(Timeframe::daily);
      r.pattern = std::string(st.text(2));
      r.bar_date = read_date(st, 3);
      r.direction = std::string(st.text(4));
      r.strength = st.real(5);
      r.confidence = st.real(6);
      r.levels_json = std::string(st.text(7));
      r.run_id = std::string(st.text(8));
      r.detected_at = std::string(st.text(9));
      out.push_back(std::move(r));
    }
    st.reset();
    return out;
  }

  std::vector<UniverseInfo> list_universes() override {
    std::lock_guard lock(mu_);
    auto& st = stmt(
        "SELECT u.name, u.as_of, (SELECT COUNT(*) FROM memberships m WHERE m.universe=u.name AND "
        "m.active=1), "
        "u.description, u.source FROM universes u ORDER BY u.name");
    std::vector<UniverseInfo> out;
    while (st.step())
      out.push_back({std::string(st.text(0)), std::string(st.text(1)), st.integer(2), std::string(st.text(3)),
                     st.text(4) == "file"});
    st.reset();
    return out;
  }

  std::optional<std::vector<std::string>> universe_symbols(std::string_view name) override {
    std::lock_guard lock(mu_);
    if (scalar("SELECT COUNT(*) FROM universes WHERE name=?", name) == 0) return std::nullopt;
    auto& st = stmt("SELECT symbol FROM memberships WHERE universe=? AND active=1 ORDER BY symbol");
    st.bind(1, name);
    std::vector<std::string> out;
    while (st.step()) out.emplace_back(st.text(0));
    st.reset();
    return out;
  }

  std::vector<std::string> symbols_with_bars(Timeframe tf, std::string_view prefix, int limit) override {
    std::lock_guard lock(mu_);
    // A loose index scan: each step seeks the next symbol on the primary key
    // instead of reading every bar (SELECT DISTINCT would visit them all).
    auto& st = stmt(
        "WITH RECURSIVE next(symbol) AS ("
        " SELECT (SELECT MIN(symbol) FROM ohlcv WHERE symbol>=?1 AND timeframe=?2)"
        " UNION ALL SELECT (SELECT MIN(o.symbol) FROM ohlcv o WHERE o.symbol>next.symbol AND o.timeframe=?2)"
        " FROM next WHERE next.symbol IS NOT NULL AND substr(next.symbol, 1, length(?1))=?1)"
        " SELECT symbol FROM next WHERE symbol IS NOT NULL AND substr(symbol, 1, length(?1))=?1 LIMIT ?3");
    st.bind(1, prefix).bind(2, to_string(tf)).bind(3, limit);
    std::vector<std::string> out;
    while (st.step()) out.emplace_back(st.text(0));
    st.reset();
    return out;
  }

 private:
  static constexpr std::string_view kRunSelect =
      "SELECT run_id, trigger_type, status, phases, universe, parameters, run_date, started_at, "
      "COALESCE(finished_at,''), COALESCE(duration_seconds,0), symbols_total, symbols_processed, "
      "symbols_failed, "
      "records_imported, indicators_calculated, patterns_detected, error, COALESCE(parent_run_id,'') "
      "FROM processing_runs";

  std::optional<TradingDate> bar_date_extreme(const std::string& sql, const Symbol& s, Timeframe tf) {
    ReaderLease reader(*this);  // per symbol: never behind another thread's write
    auto& st = reader->stmt(sql);
    st.bind(1, s.str()).bind(2, to_string(tf));
    std::optional<TradingDate> out;
    if (st.step() && !st.is_null(0)) out = parse_date(st.text(0)).value();
    st.reset();
    return out;
  }

  static TradingDate read_date(Statement& st, int col) {
    auto d = parse_date(st.text(col));
    if (!d) throw StorageError("corrupt date '" + std::string(st.text(col)) + "' in the database");
    return *d;
  }

  /// Binds an inclusive date range to parameters idx and idx+1 (open ends as
  /// sentinels that sort before and after every date).
  static void bind_range(Statement& st, int idx, std::optional<TradingDate> from,
                         std::optional<TradingDate> to) {
    st.bind(idx, from ? format_date(*from) : std::string("0000-00-00"));
    st.bind(idx + 1, to ? format_date(*to) : std::string("9999-99-99"));
  }

  Statement& stmt(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(db_.handle(), sql)).first;
    return *it->second;
  }

  /// The run's seq high-water := value, or max(stored, value) with only_raise.
  void write_seq(std::string_view run_id, std::uint64_t value, bool only_raise) {
    stmt(only_raise
             ? "INSERT INTO run_seq(run_id, high_water) VALUES (?,?) ON CONFLICT(run_id) DO UPDATE SET "
               "high_water = MAX(high_water, excluded.high_water)"
             : "INSERT INTO run_seq(run_id, high_water) VALUES (?,?) ON CONFLICT(run_id) DO UPDATE SET "
               "high_water = excluded.high_water")
        .bind(1, run_id)
        .bind(2, static_cast<std::int64_t>(value))
        .exec();
  }

  long long scalar(const std::string& sql, std::string_view arg) {
    auto& st = stmt(sql);
    if (sql.find('?') != std::string::npos) st.bind(1, arg);
    long long v = 0;
    if (st.step()) v = st.integer(0);
    st.reset();
    return v;
  }

  /// The universe row (tagged with `source`), its symbols and memberships:
  /// members no longer listed stay in history, marked inactive (clear the
  /// flag, then set it again for every current member, with its weight).
  void write_universe(const Universe& u, std::string_view source) {
    const std::string now = now_utc();
    stmt(
        "INSERT INTO universes(name, as_of, description, source, updated_at) VALUES(?,?,?,?,?) "
        "ON CONFLICT(name) DO UPDATE SET as_of=excluded.as_of, description=excluded.description, "
        "source=excluded.source, updated_at=excluded.updated_at")
        .bind(1, u.name)
        .bind(2, u.as_of)
        .bind(3, u.description)
        .bind(4, source)
        .bind(5, now)
        .exec();
    stmt("UPDATE memberships SET active=0 WHERE universe=?").bind(1, u.name).exec();
    auto& mem = stmt(
        "INSERT INTO memberships(universe, symbol, first_seen, last_seen, active, weight) "
        "VALUES(?,?,?,?,1,?) "
        "ON CONFLICT(universe, symbol) DO UPDATE SET last_seen=excluded.last_seen, active=1, "
        "weight=excluded.weight");
    for (const auto& m : u.members) {
      put_symbol(m, now);
      mem.bind(1, u.name).bind(2, m.symbol.str()).bind(3, now).bind(4, now);
      if (m.weight)
        mem.bind(5, *m.weight);
      else
        mem.bind_null(5);
      mem.exec();
    }
  }

  /// A member's symbol row. A name from a universe list fills the row until a
  /// provider's details name it (details_at set): the vendor's name wins.
  void put_symbol(const UniverseMember& m, const std::string& now) {
    stmt(
        "INSERT INTO symbols(symbol, name, sector, updated_at) VALUES(?,?,?,?) ON CONFLICT(symbol) DO UPDATE "
        "SET "
        "name=CASE WHEN excluded.name<>'' AND symbols.details_at IS NULL THEN excluded.name ELSE "
        "symbols.name "
        "END, "
        "sector=CASE WHEN excluded.sector<>'' THEN excluded.sector ELSE symbols.sector END, "
        "updated_at=excluded.updated_at")
        .bind(1, m.symbol.str())
        .bind(2, m.name)
        .bind(3, m.sector)
        .bind(4, now)
        .exec();
  }

  void upsert_bars(const Symbol& s, Timeframe tf, SeriesView bars) {
    const std::string_view tf_name = to_string(tf);
    insert_rows("INSERT INTO ohlcv(symbol, timeframe, date, open, high, low, close, volume)", 8,
                "ON CONFLICT(symbol, timeframe, date) DO UPDATE SET open=excluded.open, high=excluded.high, "
                "low=excluded.low, close=excluded.close, volume=excluded.volume",
                bars.size(), [&](Statement& st, int p, std::size_t i, char* date) {
                  format_date(bars.date[i], date);
                  st.bind_static(p, s.str())
                      .bind_static(p + 1, tf_name)
                      .bind_static(p + 2, std::string_view(date, 10))
                      .bind(p + 3, bars.open[i])
                      .bind(p + 4, bars.high[i])
                      .bind(p + 5, bars.low[i])
                      .bind(p + 6, bars.close[i])
                      .bind(p + 7, bars.volume[i]);
                });
  }

  /// Rows per multi-row INSERT of insert_rows.
  static constexpr std::size_t kRowsPerInsert = 32;

  /// Inserts rows [0, n) through `insert_into` + " VALUES (...),(...) " +
  /// `on_conflict`, kRowsPerInsert rows per statement (one-row statements for
  /// the rest). Each row still costs SQLite one pass of its program, but the
  /// statement's step, reset and binding reset are paid once per 32 rows:
  /// 1.6x the rows per CPU-second (docs/PERFORMANCE.md). Rows of one
  /// statement are inserted in order, so a key repeated within it ends as the
  /// later row, as with one statement per row. `bind(st, p, i, date)` binds
  /// row i's `cols` values from parameter p; `date` is a 10-byte buffer of its
  /// own that lives until the statement ran (for bind_static of a date).
  template <class BindRow>
  void insert_rows(std::string_view insert_into, int cols, std::string_view on_conflict, std::size_t n,
                   BindRow bind) {
    if (n == 0) return;
    std::array<std::array<char, 10>, kRowsPerInsert> dates;
    auto sql_for = [&](std::size_t rows) {
      std::string tuple = "(?";
      for (int c = 1; c < cols; ++c) tuple += ",?";
      tuple += ')';
      std::string sql(insert_into);
      sql += " VALUES";
      for (std::size_t r = 0; r < rows; ++r) {
        if (r) sql += ',';
        sql += tuple;
      }
      sql += ' ';
      sql += on_conflict;
      return sql;
    };
    std::size_t i = 0;
    if (n >= kRowsPerInsert) {
      auto& many = stmt(sql_for(kRowsPerInsert));
      for (; i + kRowsPerInsert <= n; i += kRowsPerInsert) {
        for (std::size_t r = 0; r < kRowsPerInsert; ++r)
          bind(many, 1 + static_cast<int>(r) * cols, i + r, dates[r].data());
        many.exec();
      }
    }
    if (i < n) {
      auto& one = stmt(sql_for(1));
      for (; i < n; ++i) {
        bind(one, 1, i, dates[0].data());
        one.exec();
      }
    }
  }

  void put_watermark(const Symbol& s, Phase p, TradingDate d) {
    stmt(
        "INSERT INTO phase_watermarks(symbol, phase, through_date, updated_at) VALUES(?,?,?,?) "
        "ON CONFLICT(symbol, phase) DO UPDATE SET through_date=excluded.through_date, "
        "updated_at=excluded.updated_at")
        .bind(1, s.str())
        .bind(2, to_string(p))
        .bind(3, format_date(d))
        .bind(4, now_utc())
        .exec();
  }

  void put_outcome(const SymbolOutcome& o) {
    stmt(
        "INSERT INTO run_symbols(run_id, phase, symbol, status, attempts, error_code, message, duration_ms, "
        "updated_at) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(run_id, phase, symbol) DO UPDATE SET "
        "status=excluded.status, attempts=run_symbols.attempts+1, error_code=excluded.error_code, "
        "message=excluded.message, duration_ms=excluded.duration_ms, updated_at=excluded.updated_at")
        .bind(1, o.run_id)
        .bind(2, to_string(o.phase))
        .bind(3, o.symbol)
        .bind(4, o.status)
        .bind(5, o.attempts)
        .bind(6, o.error_code)
        .bind(7, o.message)
        .bind(8, o.duration_ms)
        .bind(9, now_utc())
        .exec();
  }

  void put_phases(const RunRecord& r) {
    auto& st = stmt(
        "INSERT INTO run_phases(run_id, phase, status, total, processed, failed, count, started_at, "
        "finished_at, "
        "duration_seconds) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(run_id, phase) DO UPDATE SET "
        "status=excluded.status, total=excluded.total, processed=excluded.processed, failed=excluded.failed, "
        "count=excluded.count, started_at=excluded.started_at, finished_at=excluded.finished_at, "
        "duration_seconds=excluded.duration_seconds");
    for (const auto& p : r.phase_summaries) {
      st.bind(1, r.run_id)
          .bind(2, to_string(p.phase))
          .bind(3, p.status)
          .bind(4, p.total)
          .bind(5, p.processed)
          .bind(6, p.failed)
          .bind(7, static_cast<std::int64_t>(p.count))
          .bind(8, p.started_at)
          .bind(9, p.finished_at)
          .bind(10, p.duration_seconds)
          .exec();
    }
  }

  static RunRecord read_run(Statement& st) {
    RunRecord r;
    r.run_id = std::string(st.text(0));
    r.trigger_type = parse_trigger_type(st.text(1)).value_or(TriggerType::manual);
    r.status = parse_run_status(st.text(2)).value_or(RunStatus::failed);
    r.phases = parse_phases_json(st.text(3));
    r.universe = std::string(st.text(4));
    r.parameters_json = std::string(st.text(5));
    r.run_date = std::string(st.text(6));
    r.started_at = std::string(st.text(7));
    r.finished_at = std::string(st.text(8));
    r.duration_seconds = st.real(9);
    r.symbols_total = static_cast<int>(st.integer(10));
    r.symbols_processed = static_cast<int>(st.integer(11));
    r.symbols_failed = static_cast<int>(st.integer(12));
    r.records_imported = st.integer(13);
    r.indicators_calculated = st.integer(14);
    r.patterns_detected = st.integer(15);
    r.error = std::string(st.text(16));
    r.parent_run_id = std::string(st.text(17));
    return r;
  }

  void load_phases(RunRecord& r) {
    auto& st = stmt(
        "SELECT phase, status, total, processed, failed, count, started_at, finished_at, duration_seconds "
        "FROM run_phases WHERE run_id=?");
    st.bind(1, r.run_id);
    r.phase_summaries.clear();
    while (st.step()) {
      PhaseSummary p;
      p.phase = parse_phase(st.text(0)).value_or(Phase::import);
      p.status = std::string(st.text(1));
      p.total = static_cast<int>(st.integer(2));
      p.processed = static_cast<int>(st.integer(3));
      p.failed = static_cast<int>(st.integer(4));
      p.count = st.integer(5);
      p.started_at = std::string(st.text(6));
      p.finished_at = std::string(st.text(7));
      p.duration_seconds = st.real(8);
      r.phase_summaries.push_back(std::move(p));
    }
    st.reset();
    std::sort(r.phase_summaries.begin(), r.phase_summaries.end(),
              [](const auto& a, const auto& b) { return a.phase < b.phase; });
  }

  /// A read-only connection with its own statement cache.
  struct Reader {
    Reader(const std::string& path, long long busy_timeout_ms) : db(path, /*read_only=*/true) {
      db.exec("PRAGMA busy_timeout=" + std::to_string(busy_timeout_ms));
    }
    Statement& stmt(const std::string& sql) {
      auto it = cache.find(sql);
      if (it == cache.end()) it = cache.emplace(sql, std::make_unique<Statement>(db.handle(), sql)).first;
      return *it->second;
    }
    Connection db;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache;
    std::size_t bars_hint = 0;  // the most bars one load returned: the next load's reserve
  };

  /// A reader for one call: taken from the idle ones (opened when there is
  /// none, so there are at most as many as threads reading at once) and
  /// returned afterwards. A reader whose call threw is closed, not returned.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStorage& owner) : owner_(owner) {
      {
        std::lock_guard lock(owner_.readers_mu_);
        if (!owner_.idle_readers_.empty()) {
          reader_ = std::move(owner_.idle_readers_.back());
          owner_.idle_readers_.pop_back();
        }
      }
      if (!reader_) reader_ = std::make_unique<Reader>(owner_.path_, owner_.busy_timeout_ms_);
      uncaught_ = std::uncaught_exceptions();
    }
    ~ReaderLease() {
      if (std::uncaught_exceptions() > uncaught_) return;
      std::lock_guard lock(owner_.readers_mu_);
      owner_.idle_readers_.push_back(std::move(reader_));
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Reader* operator->() const { return reader_.get(); }

   private:
    SqliteStorage& owner_;
    std::unique_ptr<Reader> reader_;
    int uncaught_ = 0;
  };

  std::string path_;
  long long busy_timeout_ms_;
  std::mutex mu_;
  Connection db_;  // the writer (and every read outside load_bars), guarded by mu_
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace

std::unique_ptr<Storage> open_sqlite(const std::string& path, const SqliteOptions& options) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw StorageError("cannot create directory '" + parent.string() + "': " + ec.message());
  return std::make_unique<SqliteStorage>(path, options);
}

}  // namespace ts::storage
