#include "storage/postgres/pg_storage.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <set>
#include <span>
#include <system_error>

#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_pool.hpp"
#include "storage/rows.hpp"

namespace ts::storage {
namespace {

using postgres::Pool;

// Open ends of a DATE range: every stored date lies between them.
constexpr const char* kMinDate = "0001-01-01";
constexpr const char* kMaxDate = "9999-12-31";

std::string date_text(TradingDate d) { return format_date(d); }

/// A text[] literal of the symbols. Symbols are validated (no quotes, braces
/// or backslashes), so they need no escaping inside it.
std::string symbol_array(const std::vector<Symbol>& symbols) {
  std::string array = "{";
  for (const auto& s : symbols) array.append(array.size() > 1 ? ",\"" : "\"").append(s.str()).append("\"");
  array += '}';
  return array;
}

TradingDate read_date(const pqxx::field& f) {
  auto d = parse_date(f.c_str());
  if (!d) throw StorageError("corrupt date '" + std::string(f.c_str()) + "' in the database");
  return *d;
}

/// A float8 column's text (PostgreSQL 12+ sends the shortest round-trip
/// form, so this is the stored double exactly). std::from_chars instead of
/// pqxx's as<double>(), which cost ~0.8 us per row of bars (stream-based):
/// 70% of the client's CPU reading a backfill (docs/PERFORMANCE.md).
double read_double(const pqxx::field& f) {
  const char* p = f.c_str();
  const char* end = p + f.size();
  double v = 0;
  const auto r = std::from_chars(p, end, v);
  if (r.ec != std::errc{} || r.ptr != end)
    throw StorageError("corrupt number '" + std::string(p, end) + "' in the database");
  return v;
}

std::string lo(std::optional<TradingDate> d) { return d ? date_text(*d) : kMinDate; }
std::string hi(std::optional<TradingDate> d) { return d ? date_text(*d) : kMaxDate; }

/// NULL for an empty string (libpqxx sends a null const char* as NULL).
const char* null_if_empty(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

void append_date(std::string& out, TradingDate d) {
  char buf[10];
  format_date(d, buf);
  out.append(buf, 10);
}

/// Shortest text that reads back as the same double, so PostgreSQL stores
/// exactly the value SQLite would.
void append_number(std::string& out, double v) {
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// One line of COPY's text format: fields separated by tabs, with the four
// characters that format reserves escaped (JSON values may hold backslashes).
class CopyLine {
 public:
  CopyLine& text(std::string_view s) {
    sep();
    for (const char ch : s) {
      switch (ch) {
        case '\\':
          line_ += "\\\\";
          break;
        case '\t':
          line_ += "\\t";
          break;
        case '\n':
          line_ += "\\n";
          break;
        case '\r':
          line_ += "\\r";
          break;
        default:
          line_ += ch;
      }
    }
    return *this;
  }
  CopyLine& date(TradingDate d) {
    sep();
    append_date(line_, d);
    return *this;
  }
  CopyLine& number(double v) {
    sep();
    append_number(line_, v);
    return *this;
  }
  const std::string& str() const { return line_; }
  void clear() { line_.clear(); }

 private:
  void sep() {
    if (!line_.empty()) line_ += '\t';
  }
  std::string line_;
};

/// A one-dimensional PostgreSQL array literal (`{"a","b"}`) built element by
/// element, for the unnest() upserts of small units of work. Every element is
/// double-quoted, with `"` and `\` escaped, so any text is safe.
class ArrayParam {
 public:
  ArrayParam& text(std::string_view s) {
    open();
    buf_ += '"';
    for (const char ch : s) {
      if (ch == '"' || ch == '\\') buf_ += '\\';
      buf_ += ch;
    }
    buf_ += '"';
    return *this;
  }
  ArrayParam& date(TradingDate d) {
    open();
    append_date(buf_, d);
    return *this;
  }
  ArrayParam& number(double v) {
    open();
    append_number(buf_, v);
    return *this;
  }
  ArrayParam& integer(long long v) {
    open();
    buf_ += std::to_string(v);
    return *this;
  }
  ArrayParam& null() {
    open();
    buf_ += "NULL";
    return *this;
  }
  std::string str() const { return buf_.empty() ? "{}" : buf_ + '}'; }

 private:
  void open() { buf_ += buf_.empty() ? '{' : ','; }
  std::string buf_;
};

/// Below this many rows a unit of work upserts through unnest() of array
/// parameters instead of COPY into the staging table: emptying an ON COMMIT
/// DELETE ROWS table costs its commit ~2-4 ms of catalog and file work
/// (measured, docs/PERFORMANCE.md), more than a daily run's few rows
/// themselves. Bulk writes (a backfill's bars and detections) keep COPY.
constexpr std::size_t kCopyMinRows = 512;

/// Streams rows into `table` with COPY: a session temporary staging table, or
/// the target table itself (copy_direct). `fill` is called with a CopyLine
/// and a `put` callback that sends the line and clears it.
template <class Fill>
void copy_into(pqxx::transaction_base& tx, const char* table, Fill&& fill) {
  // tablewriter is deprecated in libpqxx 6.4, but it is the only public way
  // to send pre-formatted COPY lines: stream_to formats each field through
  // pqxx::to_string and measured ~470k rows/s against ~690k here
  // (/work/shared/STACK.md).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter w(tx, table);
  CopyLine line;
  auto put = [&] {
    w.write_raw_line(line.str());
    line.clear();
  };
  fill(line, put);
  w.complete();
#pragma GCC diagnostic pop
}

/// COPYs a bulk write straight into `table`, for a batch none of whose keys
/// can be stored yet: the caller's primary-key probe (`bars_in_range`,
/// `detections_in_range`) found no stored row of the symbol between the
/// batch's first and last key, as on a symbol's first import. That skips the
/// staging table's second write and the upsert's per-row speculative
/// insertion (1.45x on a backfill; docs/PERFORMANCE.md). A writer of the same
/// keys racing in after the probe (a second engine on the same database)
/// makes the COPY fail on the primary key: the savepoint undoes the COPY
/// alone and this returns false, so the caller takes the staged upsert in the
/// same transaction, which waits for or updates the other writer's rows.
template <class Fill>
bool copy_direct(pqxx::work& tx, const char* table, Fill&& fill) {
  try {
    pqxx::subtransaction direct(tx, "direct_copy");
    copy_into(direct, table, fill);
    direct.commit();
    return true;
  } catch (const pqxx::unique_violation&) {
    return false;  // `direct` rolled back to its savepoint when it was destroyed
  }
}

/// Every session's temporary staging tables (dropped with the session, and
/// emptied at each commit), created once per pooled connection.
constexpr const char* kSessionSetup = R"sql(
SET DateStyle = ISO, YMD;
CREATE TEMP TABLE IF NOT EXISTS stage_ohlcv (
  symbol TEXT, timeframe TEXT, date DATE, open DOUBLE PRECISION, high DOUBLE PRECISION,
  low DOUBLE PRECISION, close DOUBLE PRECISION, volume DOUBLE PRECISION) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_indicators (
  symbol TEXT, timeframe TEXT, indicator TEXT, as_of DATE, value TEXT, run_id TEXT) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_detections (
  symbol TEXT, timeframe TEXT, pattern TEXT, bar_date DATE, direction TEXT, strength DOUBLE PRECISION,
  confidence DOUBLE PRECISION, levels TEXT, run_id TEXT, detected_at TEXT) ON COMMIT DELETE ROWS;
)sql";

/// A symbol's unit of work in one phase is its rows, the phase watermark
/// (when it moves) and the symbol's outcome. A small unit is ONE statement:
/// the rows and the watermark are data-modifying CTEs, the outcome the main
/// INSERT. A statement is its own transaction, so the unit stays atomic,
/// and it is one round trip and one statement for the server instead of 4-8
/// (BEGIN, each write, COMMIT; ~22 us of client and server CPU per round trip
/// alone, pgbench on this machine): the daily run 1.18-1.27x faster
/// (docs/PERFORMANCE.md, session 12).
///
/// Parameters every unit statement shares: $1 symbol, $2 run_id, $3 phase,
/// $4 watermark date (NULL leaves the stored one), $5 now (RFC 3339 UTC;
/// also a detection's detected_at), $6 status, $7 attempts, $8 error_code,
/// $9 message, $10 duration_ms. A unit's rows follow from $11, as arrays.
constexpr std::string_view kFinishUnit =
    "wm AS (INSERT INTO phase_watermarks(symbol, phase, through_date, updated_at) "
    "SELECT $1, $3, $4::date, $5 WHERE $4::date IS NOT NULL "
    "ON CONFLICT(symbol, phase) DO UPDATE SET through_date=excluded.through_date, "
    "updated_at=excluded.updated_at) "
    "INSERT INTO run_symbols(run_id, phase, symbol, status, attempts, error_code, message, duration_ms, "
    "updated_at) VALUES($2, $3, $1, $6, $7, $8, $9, $10, $5) ON CONFLICT(run_id, phase, symbol) DO UPDATE "
    "SET "
    "status=excluded.status, attempts=run_symbols.attempts+1, error_code=excluded.error_code, "
    "message=excluded.message, duration_ms=excluded.duration_ms, updated_at=excluded.updated_at";

/// "WITH <rows_ctes>" then kFinishUnit; `rows_ctes` end with ", ".
std::string unit_statement(std::string_view rows_ctes) {
  return std::string("WITH ").append(rows_ctes).append(kFinishUnit);
}

/// The statements every symbol of every phase runs, prepared on each pooled
/// connection: exec_params would have the server parse and plan each one
/// again for every symbol.
struct PreparedStatement {
  std::string name;
  std::string sql;
};
const std::vector<PreparedStatement>& prepared_statements() {
  static const std::vector<PreparedStatement> all{
      {"load_bars",
       "SELECT date, open, high, low, close, volume FROM ohlcv WHERE symbol=$1 AND timeframe=$2 AND "
       "date>=$3 AND date<=$4 ORDER BY date"},
      {"first_bar_date", "SELECT MIN(date) FROM ohlcv WHERE symbol=$1 AND timeframe=$2"},
      {"last_bar_date", "SELECT MAX(date) FROM ohlcv WHERE symbol=$1 AND timeframe=$2"},
      {"watermark", "SELECT through_date FROM phase_watermarks WHERE symbol=$1 AND phase=$2"},
      {"study_states", "SELECT as_of, state FROM study_states WHERE symbol=$1 AND timeframe=$2"},
      // Is any stored row in a bulk write's key range? (see copy_direct)
      {"bars_in_range",
       "SELECT EXISTS(SELECT 1 FROM ohlcv WHERE symbol=$1 AND timeframe=ANY($2::text[]) AND date>=$3 AND "
       "date<=$4)"},
      {"detections_in_range",
       "SELECT EXISTS(SELECT 1 FROM pattern_detections WHERE symbol=$1 AND timeframe=$2 AND bar_date>=$3 AND "
       "bar_date<=$4)"},
      // A unit without rows of its own (an outcome, a bulk unit's end).
      {"finish_unit", unit_statement("")},
      // The small units (see kCopyMinRows): rows as unnest() of arrays.
      // $11-$17: timeframes, dates, open, high, low, close, volume.
      {"unit_bars",
       unit_statement(
           "rows AS (INSERT INTO ohlcv(symbol, timeframe, date, open, high, low, close, volume) "
           "SELECT $1, t.tf, t.d, t.o, t.h, t.l, t.c, t.v FROM unnest($11::text[], $12::date[], "
           "$13::float8[], $14::float8[], $15::float8[], $16::float8[], $17::float8[]) "
           "AS t(tf, d, o, h, l, c, v) "
           "ON CONFLICT(symbol, timeframe, date) DO UPDATE SET open=excluded.open, "
           "high=excluded.high, low=excluded.low, close=excluded.close, volume=excluded.volume), ")},
      // $11-$14: the values' timeframes, keys, dates, JSON. $15-$18: the
      // saved states' timeframes, dates, and 1-based offsets and lengths
      // into $19, every state's bytes end to end (a binary parameter).
      {"unit_indicators",
       unit_statement(
           "rows AS (INSERT INTO indicator_values(symbol, timeframe, indicator, as_of, value, run_id) "
           "SELECT $1, t.tf, t.k, t.d, t.v, $2 FROM unnest($11::text[], $12::text[], $13::date[], "
           "$14::text[]) AS t(tf, k, d, v) "
           "ON CONFLICT(symbol, timeframe, indicator, as_of) DO UPDATE SET value=excluded.value, "
           "run_id=excluded.run_id), "
           "states AS (INSERT INTO study_states(symbol, timeframe, as_of, state, run_id) "
           "SELECT $1, s.tf, s.d, substring($19::bytea FROM s.o FOR s.n), $2 FROM unnest($15::text[], "
           "$16::date[], $17::int[], $18::int[]) AS s(tf, d, o, n) "
           "ON CONFLICT(symbol, timeframe) DO UPDATE SET as_of=excluded.as_of, state=excluded.state, "
           "run_id=excluded.run_id), ")},
      // $11 timeframe; $12-$17: patterns, dates, directions, strengths,
      // confidences, levels.
      {"unit_detections",
       unit_statement(
           "rows AS (INSERT INTO pattern_detections(symbol, timeframe, pattern, bar_date, direction, "
           "strength, confidence, levels, run_id, detected_at) "
           "SELECT $1, $11, t.p, t.d, t.dir, t.s, t.c, t.l, $2, $5 FROM unnest($12::text[], "
           "$13::date[], $14::text[], $15::float8[], $16::float8[], $17::text[]) "
           "AS t(p, d, dir, s, c, l) "
           "ON CONFLICT(symbol, timeframe, pattern, bar_date) DO UPDATE SET "
           "direction=excluded.direction, strength=excluded.strength, "
           "confidence=excluded.confidence, levels=excluded.levels, run_id=excluded.run_id, "
           "detected_at=excluded.detected_at), ")},
  };
  return all;
}

constexpr std::string_view kRunSelect =
    "SELECT run_id, trigger_type, status, phases, universe, parameters, run_date, started_at, "
    "COALESCE(finished_at,''), COALESCE(duration_seconds,0), symbols_total, symbols_processed, "
    "symbols_failed, "
    "records_imported, indicators_calculated, patterns_detected, error, COALESCE(parent_run_id,'') "
    "FROM processing_runs";

RunRecord read_run(const pqxx::row& row) {
  RunRecord r;
  r.run_id = row[0].c_str();
  r.trigger_type = parse_trigger_type(row[1].c_str()).value_or(TriggerType::manual);
  r.status = parse_run_status(row[2].c_str()).value_or(RunStatus::failed);
  r.phases = parse_phases_json(row[3].c_str());
  r.universe = row[4].c_str();
  r.parameters_json = row[5].c_str();
  r.run_date = row[6].c_str();
  r.started_at = row[7].c_str();
  r.finished_at = row[8].c_str();
  r.duration_seconds = row[9].as<double>();
  r.symbols_total = row[10].as<int>();
  r.symbols_processed = row[11].as<int>();
  r.symbols_failed = row[12].as<int>();
  r.records_imported = row[13].as<long long>();
  r.indicators_calculated = row[14].as<long long>();
  r.patterns_detected = row[15].as<long long>();
  r.error = row[16].c_str();
  r.parent_run_id = row[17].c_str();
  return r;
}

/// Placeholders for SQL assembled from optional filters: each value gets the
/// next $n.
struct Params {
  std::vector<std::string> values;
  std::string add(std::string v) {
    values.push_back(std::move(v));
    return "$" + std::to_string(values.size());
  }
};

class PgStorage final : public Storage {
 public:
  explicit PgStorage(const std::string& url)
      : describe_(postgres::redact_url(url)), pool_(url, [](pqxx::connection& c) {
          {
            pqxx::nontransaction tx(c);
            tx.exec(kSessionSetup);
          }
          for (const auto& st : prepared_statements()) c.prepare(st.name, st.sql);
        }) {
    pool_.run([](pqxx::connection& c) { postgres::migrate(c); });
  }

  std::string describe() const override { return describe_; }
  // Two: a phase thread spends 70-80% of its time waiting on the server
  // (engine CPU 20-30% of 2 x wall, docs/PERFORMANCE.md); with 4 threads on 2
  // cores the daily run took 8.7-9.0 s instead of 10.7-11.6 and the backfill
  // 107-112 s instead of 112-116.
  unsigned threads_per_core() const override { return 2; }

  void upsert_universe(const Universe& u) override {
    write([&](pqxx::work& tx) {
      // As in SQLite: a registered universe changes only through register_universe.
      if (!tx.exec_params("SELECT 1 FROM universes WHERE name=$1 AND source='file'", u.name).empty()) {
        put_symbols(tx, u.members, now_utc());
      } else {
        write_universe(tx, u, "run");
      }
    });
  }

  void register_universe(const Universe& u) override {
    write([&](pqxx::work& tx) { write_universe(tx, u, "file"); });
  }

  std::optional<Universe> registered_universe(std::string_view name) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<Universe> {
      const auto head = tx.exec_params(
          "SELECT as_of, description FROM universes WHERE name=$1 AND source='file'", std::string(name));
      if (head.empty()) return std::nullopt;
      Universe out{std::string(name), head[0][0].c_str(), {}, head[0][1].c_str()};
      for (const auto& row : tx.exec_params("SELECT m.symbol, s.name, s.sector, m.weight FROM memberships m "
                                            "JOIN symbols s ON s.symbol=m.symbol "
                                            "WHERE m.universe=$1 AND m.active=1 ORDER BY m.symbol",
                                            std::string(name))) {
        auto sym = Symbol::parse(row[0].c_str());
        if (!sym)
          throw StorageError("corrupt symbol '" + std::string(row[0].c_str()) + "' in universe " + out.name);
        out.members.push_back({std::move(sym).value(), row[1].c_str(), row[2].c_str(),
                               row[3].is_null() ? std::nullopt : std::optional<double>(row[3].as<double>())});
      }
      return out;
    });
  }

  std::vector<Symbol> symbols_needing_details(const std::vector<Symbol>& symbols,
                                              std::string_view before) override {
    // One round trip for the whole list.
    const std::string array = symbol_array(symbols);
    const auto fresh = read([&](pqxx::nontransaction& tx) {
      std::set<std::string> out;
      for (const auto& row :
           tx.exec_params("SELECT symbol FROM symbols WHERE symbol = ANY($1::text[]) AND details_at >= $2",
                          array, std::string(before)))
        out.insert(row[0].c_str());
      return out;
    });
    std::vector<Symbol> out;
    for (const auto& s : symbols)
      if (!fresh.count(s.str())) out.push_back(s);
    return out;
  }

  void put_symbol_details(const std::map<std::string, SymbolDetails>& details) override {
    write([&](pqxx::work& tx) {
      const std::string now = now_utc();
      for (const auto& [symbol, d] : details)
        tx.exec_params(
            "INSERT INTO symbols(symbol, name, exchange, type, active, details_at, updated_at) "
            "VALUES($1,$2,$3,$4,$5,$6,$6) "
            "ON CONFLICT(symbol) DO UPDATE SET "
            "name=CASE WHEN excluded.name<>'' THEN excluded.name ELSE symbols.name END, "
            "exchange=excluded.exchange, type=excluded.type, active=excluded.active, "
            "details_at=excluded.details_at, updated_at=excluded.updated_at",
            symbol, d.name, d.exchange, d.type, d.active ? 1 : 0, now);
    });
  }

  std::optional<SymbolRecord> symbol_record(std::string_view symbol) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<SymbolRecord> {
      const auto r = tx.exec_params(
          "SELECT symbol, name, sector, exchange, type, active, COALESCE(details_at,'') FROM symbols WHERE "
          "symbol=$1",
          std::string(symbol));
      if (r.empty()) return std::nullopt;
      const auto& row = r[0];
      return SymbolRecord{
          row[0].c_str(), row[1].c_str(),
          row[2].c_str(), row[3].c_str(),
          row[4].c_str(), row[5].is_null() ? std::nullopt : std::optional<bool>(row[5].as<int>() != 0),
          row[6].c_str()};
    });
  }

  std::optional<TradingDate> last_bar_date(const Symbol& s, Timeframe tf) override {
    return bar_date(s, tf, "last_bar_date");
  }
  std::optional<TradingDate> first_bar_date(const Symbol& s, Timeframe tf) override {
    return bar_date(s, tf, "first_bar_date");
  }

  std::map<std::string, BarDateRange> bar_date_ranges(const std::vector<Symbol>& symbols,
                                                      Timeframe tf) override {
    // Two primary-key probes per symbol inside the server, one round trip for
    // the list.
    const std::string array = symbol_array(symbols);
    return read([&](pqxx::nontransaction& tx) {
      std::map<std::string, BarDateRange> out;
      for (const auto& row : tx.exec_params(
               "SELECT s, (SELECT MIN(date) FROM ohlcv WHERE symbol=s AND timeframe=$2), "
               "(SELECT MAX(date) FROM ohlcv WHERE symbol=s AND timeframe=$2) FROM unnest($1::text[]) AS s",
               array, std::string(to_string(tf))))
        if (!row[1].is_null())
          out.insert_or_assign(row[0].c_str(), BarDateRange{read_date(row[1]), read_date(row[2])});
      return out;
    });
  }

  BarSeries load_bars(const Symbol& s, Timeframe tf, std::optional<TradingDate> from,
                      std::optional<TradingDate> to) override {
    return read([&](pqxx::nontransaction& tx) {
      BarSeries out;
      for (const auto& row :
           tx.exec_prepared("load_bars", s.str(), std::string(to_string(tf)), lo(from), hi(to)))
        out.push_back(read_bar(row));
      return out;
    });
  }

  long long count_bars(std::optional<Timeframe> tf) override {
    return count("ohlcv", "timeframe", tf ? std::string(to_string(*tf)) : std::string());
  }

  std::optional<StudyStates> study_states(const Symbol& s, Timeframe tf) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<StudyStates> {
      const auto r = tx.exec_prepared("study_states", s.str(), std::string(to_string(tf)));
      if (r.empty()) return std::nullopt;
      const pqxx::binarystring bytes(r[0][1]);
      return StudyStates{read_date(r[0][0]), bytes.str()};
    });
  }

  std::optional<TradingDate> watermark(const Symbol& s, Phase p) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<TradingDate> {
      const auto r = tx.exec_prepared("watermark", s.str(), std::string(to_string(p)));
      if (r.empty()) return std::nullopt;
      return read_date(r[0][0]);
    });
  }

  void commit_import(const Symbol& s, SeriesView daily, const SymbolOutcome& outcome,
                     bool reset_watermarks) override {
    const std::pair<Timeframe, SeriesView> series[]{{Timeframe::daily, daily}};
    commit_bars(s, series, std::nullopt, outcome, reset_watermarks);
  }

  void commit_resampled(const Symbol& s, SeriesView weekly, SeriesView monthly, std::optional<TradingDate> wm,
                        const SymbolOutcome& outcome) override {
    const std::pair<Timeframe, SeriesView> series[]{{Timeframe::weekly, weekly},
                                                    {Timeframe::monthly, monthly}};
    commit_bars(s, series, wm, outcome, /*reset_watermarks=*/false);
  }

  void commit_indicators(const Symbol& s, const std::vector<TimeframeIndicators>& rows,
                         std::optional<TradingDate> wm, const SymbolOutcome& outcome) override {
    std::size_t n = 0;
    for (const auto& g : rows) n += g.rows.size();
    // The saved states: one binary parameter holding every state's bytes,
    // cut apart by offset and length in the statement.
    ArrayParam state_tfs, state_dates, offsets, lengths;
    std::string bytes;
    for (const auto& g : rows) {
      if (!g.states) continue;
      state_tfs.text(to_string(g.tf));
      state_dates.date(g.states->as_of);
      offsets.integer(static_cast<long long>(bytes.size()) + 1);
      lengths.integer(static_cast<long long>(g.states->bytes.size()));
      bytes += g.states->bytes;
    }
    const auto unit = [&](pqxx::transaction_base& tx, const ArrayParam& tfs, const ArrayParam& keys,
                          const ArrayParam& dates, const ArrayParam& values) {
      exec_unit(tx, "unit_indicators", s.str(), wm, outcome, tfs.str(), keys.str(), dates.str(), values.str(),
                state_tfs.str(), state_dates.str(), offsets.str(), lengths.str(), pqxx::binarystring(bytes));
    };
    if (n < kCopyMinRows) {
      ArrayParam tfs, keys, dates, values;
      for (const auto& g : rows)
        for (const auto& r : g.rows) {
          tfs.text(to_string(g.tf));
          keys.text(r.indicator);
          dates.date(r.as_of);
          values.text(r.values_json);
        }
      return write_one([&](pqxx::transaction_base& tx) { unit(tx, tfs, keys, dates, values); });
    }
    write([&](pqxx::work& tx) {
      copy_into(tx, "stage_indicators", [&](CopyLine& line, auto&& put) {
        for (const auto& g : rows)
          for (const auto& r : g.rows) {
            line.text(s.str())
                .text(to_string(g.tf))
                .text(r.indicator)
                .date(r.as_of)
                .text(r.values_json)
                .text(outcome.run_id);
            put();
          }
      });
      tx.exec(
          "INSERT INTO indicator_values SELECT * FROM stage_indicators "
          "ON CONFLICT(symbol, timeframe, indicator, as_of) DO UPDATE SET value=excluded.value, "
          "run_id=excluded.run_id");
      const ArrayParam none;
      unit(tx, none, none, none, none);  // the states, the watermark and the outcome
    });
  }

  void commit_patterns(const Symbol& s, Timeframe tf, const std::vector<DetectionRow>& rows,
                       std::optional<TradingDate> wm, const SymbolOutcome& outcome) override {
    if (rows.size() < kCopyMinRows) {
      ArrayParam patterns, dates, directions, strengths, confidences, levels;
      for (const auto& r : rows) {
        patterns.text(r.pattern);
        dates.date(r.bar_date);
        directions.text(r.direction);
        strengths.number(r.strength);
        confidences.number(r.confidence);
        levels.text(r.levels_json);
      }
      return write_one([&](pqxx::transaction_base& tx) {
        exec_unit(tx, "unit_detections", s.str(), wm, outcome, std::string(to_string(tf)), patterns.str(),
                  dates.str(), directions.str(), strengths.str(), confidences.str(), levels.str());
      });
    }
    write([&](pqxx::work& tx) {
      const std::string now = now_utc();
      const auto [first, last] = std::minmax_element(
          rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.bar_date < b.bar_date; });
      const bool stored_in_range =
          tx.exec_prepared1("detections_in_range", s.str(), std::string(to_string(tf)),
                            date_text(first->bar_date), date_text(last->bar_date))[0]
              .as<bool>();
      const auto fill = [&](CopyLine& line, auto&& put) {
        for (const auto& r : rows) {
          line.text(s.str())
              .text(to_string(tf))
              .text(r.pattern)
              .date(r.bar_date)
              .text(r.direction)
              .number(r.strength)
              .number(r.confidence)
              .text(r.levels_json)
              .text(outcome.run_id)
              .text(now);
          put();
        }
      };
      if (stored_in_range || !copy_direct(tx, "pattern_detections", fill)) {
        copy_into(tx, "stage_detections", fill);
        tx.exec(
            "INSERT INTO pattern_detections SELECT * FROM stage_detections "
            "ON CONFLICT(symbol, timeframe, pattern, bar_date) DO UPDATE SET direction=excluded.direction, "
            "strength=excluded.strength, confidence=excluded.confidence, levels=excluded.levels, "
            "run_id=excluded.run_id, detected_at=excluded.detected_at");
      }
      exec_unit(tx, "finish_unit", s.str(), wm, outcome);
    });
  }

  void record_outcome(const SymbolOutcome& outcome) override {
    write_one([&](pqxx::transaction_base& tx) {
      exec_unit(tx, "finish_unit", outcome.symbol, std::nullopt, outcome);
    });
  }

  void insert_run(const RunRecord& r) override {
    write([&](pqxx::work& tx) {
      tx.exec_params(
          "INSERT INTO processing_runs(run_id, trigger_type, status, phases, universe, parameters, run_date, "
          "started_at, symbols_total, parent_run_id) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
          r.run_id, std::string(to_string(r.trigger_type)), std::string(to_string(r.status)),
          phases_json(r.phases), r.universe, r.parameters_json, r.run_date, r.started_at, r.symbols_total,
          null_if_empty(r.parent_run_id));
      put_phases(tx, r);
    });
  }

  bool update_run(const RunRecord& r) override {
    bool changed = false;
    write([&](pqxx::work& tx) {
      // Phases first: once the run row turns terminal, the trigger freezes them.
      put_phases(tx, r);
      const auto res = tx.exec_params(
          "UPDATE processing_runs SET status=$1, finished_at=$2, duration_seconds=$3, symbols_total=$4, "
          "symbols_processed=$5, symbols_failed=$6, records_imported=$7, indicators_calculated=$8, "
          "patterns_detected=$9, error=$10 WHERE run_id=$11",
          std::string(to_string(r.status)), null_if_empty(r.finished_at), r.duration_seconds, r.symbols_total,
          r.symbols_processed, r.symbols_failed, r.records_imported, r.indicators_calculated,
          r.patterns_detected, r.error, r.run_id);
      changed = res.affected_rows() > 0;
    });
    return changed;
  }

  std::optional<RunRecord> get_run(std::string_view run_id) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<RunRecord> {
      const auto res = tx.exec_params(std::string(kRunSelect) + " WHERE run_id=$1", std::string(run_id));
      if (res.empty()) return std::nullopt;
      auto r = read_run(res[0]);
      load_phases(tx, r);
      return r;
    });
  }

  std::vector<RunRecord> list_runs(const RunQuery& q) override {
    // Keyset pagination on (started_at, run_id) descending, as in SQLite.
    Params p;
    std::string sql = std::string(kRunSelect) + " WHERE TRUE";
    if (q.status) sql += " AND status=" + p.add(std::string(to_string(*q.status)));
    if (q.trigger_type) sql += " AND trigger_type=" + p.add(std::string(to_string(*q.trigger_type)));
    if (!q.started_after.empty()) sql += " AND started_at>=" + p.add(q.started_after);
    if (!q.started_before.empty()) sql += " AND started_at<" + p.add(q.started_before);
    if (!q.cursor.empty()) {
      const auto bar = q.cursor.find('|');
      const std::string at = p.add(q.cursor.substr(0, bar));
      sql += " AND (started_at, run_id) < (" + at + ", " +
             p.add(bar == std::string::npos ? std::string() : q.cursor.substr(bar + 1)) + ")";
    }
    sql += " ORDER BY started_at DESC, run_id DESC LIMIT " + p.add(std::to_string(q.limit)) + "::bigint";
    return read([&](pqxx::nontransaction& tx) {
      std::vector<RunRecord> out;
      for (const auto& row : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(p.values)))
        out.push_back(read_run(row));
      for (auto& r : out) load_phases(tx, r);
      return out;
    });
  }

  std::vector<SymbolOutcome> run_outcomes(std::string_view run_id, bool failed_only) override {
    return collect<SymbolOutcome>(
        "SELECT run_id, phase, symbol, status, attempts, error_code, message, duration_ms FROM run_symbols "
        "WHERE run_id=$1 AND ($2::int=0 OR status='failed') ORDER BY phase, symbol",
        [](const pqxx::row& row) {
          SymbolOutcome o;
          o.run_id = row[0].c_str();
          o.phase = parse_phase(row[1].c_str()).value_or(Phase::import);
          o.symbol = row[2].c_str();
          o.status = row[3].c_str();
          o.attempts = row[4].as<int>();
          o.error_code = row[5].c_str();
          o.message = row[6].c_str();
          o.duration_ms = row[7].as<double>();
          return o;
        },
        std::string(run_id), failed_only ? 1 : 0);
  }

  std::vector<std::string> interrupt_stale_runs(const std::string& reason) override {
    std::vector<std::string> ids;
    write([&](pqxx::work& tx) {
      ids.clear();
      // Phases first: once a run row is terminal, the trigger freezes them.
      tx.exec(
          "UPDATE run_phases SET status='cancelled' WHERE status IN ('pending','running') AND run_id IN "
          "(SELECT run_id FROM processing_runs WHERE status IN ('queued','running'))");
      for (const auto& row :
           tx.exec_params("UPDATE processing_runs SET status='interrupted', finished_at=$1, error=$2 "
                          "WHERE status IN ('queued','running') RETURNING run_id",
                          now_utc(), reason))
        ids.emplace_back(row[0].c_str());
    });
    return ids;
  }

  std::optional<std::string> get_setting(std::string_view key) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<std::string> {
      const auto r = tx.exec_params("SELECT value FROM engine_settings WHERE key=$1", std::string(key));
      if (r.empty()) return std::nullopt;
      return std::string(r[0][0].c_str());
    });
  }

  void put_setting(std::string_view key, std::string_view value) override {
    write([&](pqxx::work& tx) {
      tx.exec_params(
          "INSERT INTO engine_settings(key, value, updated_at) VALUES($1,$2,$3) ON CONFLICT(key) DO UPDATE "
          "SET "
          "value=excluded.value, updated_at=excluded.updated_at",
          std::string(key), std::string(value), now_utc());
    });
  }

  // --- event outbox and seq high-water (v5) ---------------------------------
  // One publisher appends and one drainer reads, so the identity column's
  // order is the publishing order.
  void append_outbox(std::vector<OutboxEvent>& events) override {
    if (events.empty()) return;
    write([&](pqxx::work& tx) {
      for (auto& e : events)
        e.id = tx.exec_params("INSERT INTO event_outbox(channel, payload) VALUES ($1,$2) RETURNING id", e.channel,
                              e.payload)[0][0]
                   .as<std::int64_t>();
    });
  }

  std::vector<OutboxEvent> read_outbox(std::int64_t after_id, std::size_t limit) override {
    return read([&](pqxx::nontransaction& tx) {
      std::vector<OutboxEvent> out;
      for (const auto& r : tx.exec_params("SELECT id, channel, payload FROM event_outbox WHERE id > $1 ORDER BY id "
                                          "LIMIT $2",
                                          after_id, static_cast<std::int64_t>(limit)))
        out.push_back({r[0].as<std::int64_t>(), r[1].c_str(), r[2].c_str()});
      return out;
    });
  }

  long long delete_outbox(std::int64_t through_id) override {
    long long deleted = 0;
    write([&](pqxx::work& tx) {
      deleted = static_cast<long long>(tx.exec_params("DELETE FROM event_outbox WHERE id <= $1", through_id)
                                           .affected_rows());
    });
    return deleted;
  }

  long long count_outbox() override { return count("event_outbox", "", ""); }

  std::uint64_t reserve_seq(std::string_view run_id, std::uint64_t high) override {
    std::uint64_t stored = 0;
    write([&](pqxx::work& tx) {
      stored = tx.exec_params(
                     "INSERT INTO run_seq(run_id, high_water) VALUES ($1,$2) ON CONFLICT(run_id) DO UPDATE SET "
                     "high_water = GREATEST(run_seq.high_water, excluded.high_water) RETURNING high_water",
                     std::string(run_id), static_cast<std::int64_t>(high))[0][0]
                   .as<std::uint64_t>();
    });
    return stored;
  }

  void settle_seq(std::string_view run_id, std::uint64_t last_used) override {
    write([&](pqxx::work& tx) {
      tx.exec_params(
          "INSERT INTO run_seq(run_id, high_water) VALUES ($1,$2) ON CONFLICT(run_id) DO UPDATE SET "
          "high_water = excluded.high_water",
          std::string(run_id), static_cast<std::int64_t>(last_used));
    });
  }

  std::uint64_t seq_high_water(std::string_view run_id) override {
    return read([&](pqxx::nontransaction& tx) -> std::uint64_t {
      const auto r = tx.exec_params("SELECT high_water FROM run_seq WHERE run_id=$1", std::string(run_id));
      return r.empty() ? 0 : r[0][0].as<std::uint64_t>();
    });
  }

  long long count_indicator_values(std::optional<Timeframe> tf) override {
    return count("indicator_values", "timeframe", tf ? std::string(to_string(*tf)) : std::string());
  }

  long long count_detections(std::string_view run_id) override {
    return count("pattern_detections", "run_id", std::string(run_id));
  }

  std::vector<IndicatorRow> indicator_values(const Symbol& s, Timeframe tf, std::string_view indicator,
                                             std::optional<TradingDate> from,
                                             std::optional<TradingDate> to) override {
    return collect<IndicatorRow>(
        "SELECT as_of, value FROM indicator_values WHERE symbol=$1 AND timeframe=$2 AND indicator=$3 AND "
        "as_of>=$4 AND as_of<=$5 ORDER BY as_of",
        [&](const pqxx::row& row) {
          return IndicatorRow{std::string(indicator), read_date(row[0]), row[1].c_str()};
        },
        s.str(), std::string(to_string(tf)), std::string(indicator), lo(from), hi(to));
  }

  std::optional<Bar> latest_bar(const Symbol& s, Timeframe tf) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<Bar> {
      const auto r = tx.exec_params(
          "SELECT date, open, high, low, close, volume FROM ohlcv WHERE symbol=$1 AND timeframe=$2 "
          "ORDER BY date DESC LIMIT 1",
          s.str(), std::string(to_string(tf)));
      if (r.empty()) return std::nullopt;
      return read_bar(r[0]);
    });
  }

  std::vector<IndicatorRow> latest_indicator_values(const Symbol& s, Timeframe tf,
                                                    std::span<const std::string> keys) override {
    // One backward index seek on the primary key per key, as in SQLite.
    return read([&](pqxx::nontransaction& tx) {
      std::vector<IndicatorRow> out;
      for (const auto& key : keys) {
        const auto r = tx.exec_params(
            "SELECT as_of, value FROM indicator_values WHERE symbol=$1 AND timeframe=$2 AND indicator=$3 "
            "ORDER BY as_of DESC LIMIT 1",
            s.str(), std::string(to_string(tf)), key);
        if (!r.empty()) out.push_back({key, read_date(r[0][0]), r[0][1].c_str()});
      }
      return out;
    });
  }

  std::vector<DetectionRecord> query_detections(const DetectionQuery& q) override {
    Params p;
    std::string sql =
        "SELECT symbol, timeframe, pattern, bar_date, direction, strength, confidence, levels, "
        "COALESCE(run_id,''), detected_at FROM pattern_detections WHERE bar_date>=" +
        p.add(lo(q.from)) + "::date AND bar_date<=" + p.add(hi(q.to)) + "::date";
    auto filter = [&](const char* column, const std::string& value) {
      if (!value.empty()) sql += std::string(" AND ") + column + "=" + p.add(value);
    };
    filter("symbol", q.symbol);
    filter("pattern", q.pattern);
    filter("direction", q.direction);
    filter("timeframe", q.timeframe ? std::string(to_string(*q.timeframe)) : std::string());
    if (q.after) {
      const std::string date = p.add(date_text(q.after->bar_date));
      sql += " AND (bar_date<" + date + "::date OR (bar_date=" + date +
             "::date AND (symbol, timeframe, pattern) > (" + p.add(q.after->symbol) + ", " +
             p.add(q.after->timeframe) + ", " + p.add(q.after->pattern) + ")))";
    }
    sql += " ORDER BY bar_date DESC, symbol, timeframe, pattern LIMIT " + p.add(std::to_string(q.limit)) +
           "::bigint";
    return read([&](pqxx::nontransaction& tx) {
      std::vector<DetectionRecord> out;
      for (const auto& row : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(p.values))) {
        DetectionRecord r;
        r.symbol = row[0].c_str();
        r.timeframe = parse_timeframe(row[1].c_str()).value_or(Timeframe::daily);
        r.pattern = row[2].c_str();
        r.bar_date = read_date(row[3]);
        r.direction = row[4].c_str();
        r.strength = row[5].as<double>();
        r.confidence = row[6].as<double>();
        r.levels_json = row[7].c_str();
        r.run_id = row[8].c_str();
        r.detected_at = row[9].c_str();
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  std::vector<UniverseInfo> list_universes() override {
    return collect<UniverseInfo>(
        "SELECT u.name, u.as_of, (SELECT COUNT(*) FROM memberships m WHERE m.universe=u.name AND "
        "m.active=1), "
        "u.description, u.source FROM universes u ORDER BY u.name",
        [](const pqxx::row& row) {
          return UniverseInfo{row[0].c_str(), row[1].c_str(), row[2].as<long long>(), row[3].c_str(),
                              std::string_view(row[4].c_str()) == "file"};
        });
  }

  std::optional<std::vector<std::string>> universe_symbols(std::string_view name) override {
    return read([&](pqxx::nontransaction& tx) -> std::optional<std::vector<std::string>> {
      if (tx.exec_params("SELECT 1 FROM universes WHERE name=$1", std::string(name)).empty())
        return std::nullopt;
      std::vector<std::string> out;
      for (const auto& row :
           tx.exec_params("SELECT symbol FROM memberships WHERE universe=$1 AND active=1 ORDER BY symbol",
                          std::string(name)))
        out.emplace_back(row[0].c_str());
      return out;
    });
  }

  std::vector<std::string> symbols_with_bars(Timeframe tf, std::string_view prefix, int limit) override {
    // A loose index scan, as in SQLite: each step seeks the next symbol on the
    // primary key instead of reading every bar.
    return collect<std::string>(
        "WITH RECURSIVE next(symbol) AS ("
        " SELECT (SELECT MIN(symbol) FROM ohlcv WHERE symbol>=$1::text AND timeframe=$2::text)"
        " UNION ALL SELECT (SELECT MIN(o.symbol) FROM ohlcv o WHERE o.symbol>next.symbol AND "
        "o.timeframe=$2::text)"
        " FROM next WHERE next.symbol IS NOT NULL AND left(next.symbol, length($1::text))=$1::text)"
        " SELECT symbol FROM next WHERE symbol IS NOT NULL AND left(symbol, length($1::text))=$1::text "
        "LIMIT $3::bigint",
        [](const pqxx::row& row) { return std::string(row[0].c_str()); }, std::string(prefix),
        std::string(to_string(tf)), limit);
  }

 private:
  template <class F>
  void write(F&& f) {
    pool_.run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      f(tx);
      tx.commit();
    });
  }

  /// A unit of work that is one statement (see kFinishUnit) runs outside an
  /// explicit transaction: the statement is its own.
  template <class F>
  void write_one(F&& f) {
    pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      f(tx);
    });
  }

  /// Reads run outside an explicit transaction (one statement is atomic on
  /// its own), which saves the BEGIN/COMMIT round trips.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<pqxx::nontransaction&>())) {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return f(tx);
    });
  }

  /// Every row of one parameterised query, each mapped by `map`.
  template <class T, class Map, class... Args>
  std::vector<T> collect(const std::string& sql, Map&& map, const Args&... args) {
    return read([&](pqxx::nontransaction& tx) {
      std::vector<T> out;
      for (const auto& row : tx.exec_params(sql, args...)) out.push_back(map(row));
      return out;
    });
  }

  /// The first or last bar date of a symbol on `tf` (statement "first_bar_date" or "last_bar_date").
  std::optional<TradingDate> bar_date(const Symbol& s, Timeframe tf, const char* statement) {
    return read([&](pqxx::nontransaction& tx) -> std::optional<TradingDate> {
      const auto r = tx.exec_prepared(statement, s.str(), std::string(to_string(tf)));
      if (r.empty() || r[0][0].is_null()) return std::nullopt;
      return read_date(r[0][0]);
    });
  }

  /// COUNT(*) of `table`, restricted to column=value unless value is empty.
  long long count(const char* table, const char* column, const std::string& value) {
    return read([&](pqxx::nontransaction& tx) {
      const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
      if (value.empty()) return tx.exec(sql)[0][0].as<long long>();
      return tx.exec_params(sql + " WHERE " + column + "=$1", value)[0][0].as<long long>();
    });
  }

  static Bar read_bar(const pqxx::row& row) {
    return Bar{read_date(row[0]),     read_double(row[1]), read_double(row[2]),
               read_double(row[3]), read_double(row[4]), read_double(row[5])};
  }

  void write_universe(pqxx::work& tx, const Universe& u, std::string_view source) {
    const std::string now = now_utc();
    tx.exec_params(
        "INSERT INTO universes(name, as_of, description, source, updated_at) VALUES($1,$2,$3,$4,$5) "
        "ON CONFLICT(name) DO UPDATE SET as_of=excluded.as_of, description=excluded.description, "
        "source=excluded.source, updated_at=excluded.updated_at",
        u.name, u.as_of, u.description, std::string(source), now);
    tx.exec_params("UPDATE memberships SET active=0 WHERE universe=$1", u.name);
    put_symbols(tx, u.members, now);
    // One statement for every member (was one per member: 5,000 round trips
    // at each cache_sync of a 5,000-symbol universe, ~1 s on PostgreSQL).
    ArrayParam symbols, weights;
    for (const auto* m : last_of_each_symbol(u.members)) {
      symbols.text(m->symbol.str());
      if (m->weight)
        weights.number(*m->weight);
      else
        weights.null();
    }
    tx.exec_params(
        "INSERT INTO memberships(universe, symbol, first_seen, last_seen, active, weight) "
        "SELECT $1, t.s, $2, $2, 1, t.w FROM unnest($3::text[], $4::float8[]) AS t(s, w) "
        "ON CONFLICT(universe, symbol) DO UPDATE SET last_seen=excluded.last_seen, active=1, "
        "weight=excluded.weight",
        u.name, now, symbols.str(), weights.str());
  }

  /// Each symbol's last entry, in first-appearance order: one statement may
  /// upsert a row only once, and a list that names a symbol twice keeps the
  /// later entry (as row-by-row upserts did).
  static std::vector<const UniverseMember*> last_of_each_symbol(const std::vector<UniverseMember>& members) {
    std::map<std::string_view, std::size_t> at;
    std::vector<const UniverseMember*> out;
    for (const auto& m : members) {
      auto [it, added] = at.try_emplace(m.symbol.str(), out.size());
      if (added)
        out.push_back(&m);
      else
        out[it->second] = &m;
    }
    return out;
  }

  /// As in SQLite: a list's name fills the row until a provider's details name it.
  static void put_symbols(pqxx::work& tx, const std::vector<UniverseMember>& members, const std::string& now) {
    ArrayParam symbols, names, sectors;
    for (const auto* m : last_of_each_symbol(members)) {
      symbols.text(m->symbol.str());
      names.text(m->name);
      sectors.text(m->sector);
    }
    tx.exec_params(
        "INSERT INTO symbols(symbol, name, sector, updated_at) "
        "SELECT t.s, t.n, t.c, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(s, n, c) "
        "ON CONFLICT(symbol) DO UPDATE "
        "SET name=CASE WHEN excluded.name<>'' AND symbols.details_at IS NULL THEN excluded.name ELSE "
        "symbols.name "
        "END, sector=CASE WHEN excluded.sector<>'' THEN excluded.sector ELSE symbols.sector END, "
        "updated_at=excluded.updated_at",
        symbols.str(), names.str(), sectors.str(), now);
  }

  /// One symbol's bars, in one or more timeframes, with the phase's
  /// watermark and the outcome: a small unit is one statement, a bulk one
  /// (a first import) COPYs in a transaction. `reset_watermarks` as in
  /// commit_import.
  void commit_bars(const Symbol& s, std::span<const std::pair<Timeframe, SeriesView>> series,
                   std::optional<TradingDate> wm, const SymbolOutcome& outcome, bool reset_watermarks) {
    std::size_t n = 0;
    for (const auto& [tf, bars] : series) n += bars.size();
    const auto put_small = [&](pqxx::transaction_base& tx) {
      ArrayParam tfs, dates, open, high, low, close, volume;
      for (const auto& [tf, bars] : series)
        for (std::size_t i = 0; i < bars.size(); ++i) {
          tfs.text(to_string(tf));
          dates.date(bars.date[i]);
          open.number(bars.open[i]);
          high.number(bars.high[i]);
          low.number(bars.low[i]);
          close.number(bars.close[i]);
          volume.number(bars.volume[i]);
        }
      exec_unit(tx, "unit_bars", s.str(), wm, outcome, tfs.str(), dates.str(), open.str(), high.str(),
                low.str(), close.str(), volume.str());
    };
    if (n < kCopyMinRows && !reset_watermarks) return write_one(put_small);
    write([&](pqxx::work& tx) {
      if (reset_watermarks) {
        // As in SQLite: results derived from the shorter history are invalid.
        for (const char* table :
             {"phase_watermarks", "indicator_values", "study_states", "pattern_detections"})
          tx.exec_params(std::string("DELETE FROM ") + table + " WHERE symbol=$1", s.str());
      }
      if (n < kCopyMinRows) return put_small(tx);
      copy_bars(tx, s, series);
      exec_unit(tx, "finish_unit", s.str(), wm, outcome);
    });
  }

  /// A bulk write of bars: COPY straight into ohlcv when none of the batch's
  /// keys can be stored yet (copy_direct), else through the staging table.
  static void copy_bars(pqxx::work& tx, const Symbol& s,
                        std::span<const std::pair<Timeframe, SeriesView>> series) {
    ArrayParam tfs;
    std::optional<TradingDate> first, last;
    for (const auto& [tf, bars] : series) {
      if (bars.size() == 0) continue;
      tfs.text(to_string(tf));
      // Dates are strictly increasing within a series (core/bar.hpp).
      if (!first || bars.date.front() < *first) first = bars.date.front();
      if (!last || *last < bars.date.back()) last = bars.date.back();
    }
    const bool stored_in_range =
        tx.exec_prepared1("bars_in_range", s.str(), tfs.str(), date_text(*first), date_text(*last))[0].as<bool>();
    const auto fill = [&](CopyLine& line, auto&& put) {
      for (const auto& [tf, bars] : series)
        for (std::size_t i = 0; i < bars.size(); ++i) {
          line.text(s.str())
              .text(to_string(tf))
              .date(bars.date[i])
              .number(bars.open[i])
              .number(bars.high[i])
              .number(bars.low[i])
              .number(bars.close[i])
              .number(bars.volume[i]);
          put();
        }
    };
    if (!stored_in_range && copy_direct(tx, "ohlcv", fill)) return;
    copy_into(tx, "stage_ohlcv", fill);
    tx.exec(
        "INSERT INTO ohlcv SELECT * FROM stage_ohlcv ON CONFLICT(symbol, timeframe, date) DO UPDATE SET "
        "open=excluded.open, high=excluded.high, low=excluded.low, close=excluded.close, "
        "volume=excluded.volume");
  }

  /// Executes a unit statement (see kFinishUnit): the shared parameters
  /// $1-$10 from the symbol, the watermark (none leaves it) and the outcome,
  /// then `rows` as $11 on.
  template <class... Rows>
  static void exec_unit(pqxx::transaction_base& tx, const char* statement, const std::string& symbol,
                        std::optional<TradingDate> wm, const SymbolOutcome& o, const Rows&... rows) {
    const std::string through = wm ? date_text(*wm) : std::string();
    tx.exec_prepared(statement, symbol, o.run_id, std::string(to_string(o.phase)), null_if_empty(through),
                     now_utc(), o.status, o.attempts, o.error_code, o.message, o.duration_ms, rows...);
  }

  static void put_phases(pqxx::work& tx, const RunRecord& r) {
    for (const auto& p : r.phase_summaries)
      tx.exec_params(
          "INSERT INTO run_phases(run_id, phase, status, total, processed, failed, count, started_at, "
          "finished_at, duration_seconds) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT(run_id, phase) "
          "DO "
          "UPDATE SET status=excluded.status, total=excluded.total, processed=excluded.processed, "
          "failed=excluded.failed, count=excluded.count, started_at=excluded.started_at, "
          "finished_at=excluded.finished_at, duration_seconds=excluded.duration_seconds",
          r.run_id, std::string(to_string(p.phase)), p.status, p.total, p.processed, p.failed, p.count,
          p.started_at, p.finished_at, p.duration_seconds);
  }

  static void load_phases(pqxx::transaction_base& tx, RunRecord& r) {
    r.phase_summaries.clear();
    for (const auto& row : tx.exec_params("SELECT phase, status, total, processed, failed, count, "
                                          "started_at, finished_at, duration_seconds "
                                          "FROM run_phases WHERE run_id=$1",
                                          r.run_id)) {
      PhaseSummary p;
      p.phase = parse_phase(row[0].c_str()).value_or(Phase::import);
      p.status = row[1].c_str();
      p.total = row[2].as<int>();
      p.processed = row[3].as<int>();
      p.failed = row[4].as<int>();
      p.count = row[5].as<long long>();
      p.started_at = row[6].c_str();
      p.finished_at = row[7].c_str();
      p.duration_seconds = row[8].as<double>();
      r.phase_summaries.push_back(std::move(p));
    }
    std::sort(r.phase_summaries.begin(), r.phase_summaries.end(),
              [](const auto& a, const auto& b) { return a.phase < b.phase; });
  }

  std::string describe_;
  Pool pool_;
};

}  // namespace

std::unique_ptr<Storage> open_postgres(const std::string& url) { return std::make_unique<PgStorage>(url); }

}  // namespace ts::storage
