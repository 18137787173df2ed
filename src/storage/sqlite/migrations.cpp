#include "storage/sqlite/migrations.hpp"

#include <array>
#include <string>

#include "core/trading_date.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace ts::storage::sqlite {
namespace {

// Terminal run states appear in the triggers below; keep in sync with
// core/run_types.hpp (checked by storage tests).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE symbols (
  symbol      TEXT PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  sector      TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL
);
CREATE TABLE universes (
  name        TEXT PRIMARY KEY,
  as_of       TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL
);
-- Membership history: rows are never deleted; members that leave a list are
-- marked inactive with the last time they were seen.
CREATE TABLE memberships (
  universe    TEXT NOT NULL REFERENCES universes(name),
  symbol      TEXT NOT NULL REFERENCES symbols(symbol),
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (universe, symbol)
) WITHOUT ROWID;

CREATE TABLE ohlcv (
  symbol     TEXT NOT NULL,
  timeframe  TEXT NOT NULL CHECK (timeframe IN ('daily','weekly','monthly','hourly','1min')),
  date       TEXT NOT NULL,
  open       REAL NOT NULL,
  high       REAL NOT NULL,
  low        REAL NOT NULL,
  close      REAL NOT NULL,
  volume     REAL NOT NULL,
  PRIMARY KEY (symbol, timeframe, date)
) WITHOUT ROWID;

CREATE TABLE processing_runs (
  run_id                 TEXT PRIMARY KEY,
  trigger_type           TEXT NOT NULL CHECK (trigger_type IN ('manual','scheduled','retry','api')),
  status                 TEXT NOT NULL CHECK (status IN ('queued','running','completed',
                           'completed_with_errors','failed','cancelled','interrupted')),
  phases                 TEXT NOT NULL,
  universe               TEXT NOT NULL,
  parameters             TEXT NOT NULL DEFAULT '{}',
  run_date               TEXT NOT NULL,
  started_at             TEXT NOT NULL,
  finished_at            TEXT,
  duration_seconds       REAL,
  symbols_total          INTEGER NOT NULL DEFAULT 0,
  symbols_processed      INTEGER NOT NULL DEFAULT 0,
  symbols_failed         INTEGER NOT NULL DEFAULT 0,
  records_imported       INTEGER NOT NULL DEFAULT 0,
  indicators_calculated  INTEGER NOT NULL DEFAULT 0,
  patterns_detected      INTEGER NOT NULL DEFAULT 0,
  error                  TEXT NOT NULL DEFAULT '',
  parent_run_id          TEXT REFERENCES processing_runs(run_id)
);
CREATE INDEX processing_runs_by_start ON processing_runs (started_at DESC, run_id DESC);
CREATE INDEX processing_runs_by_status ON processing_runs (status, started_at DESC);

-- Terminal states are final: any later UPDATE of a finished run is ignored.
CREATE TRIGGER processing_runs_terminal_is_final
BEFORE UPDATE ON processing_runs
WHEN OLD.status IN ('completed','completed_with_errors','failed','cancelled','interrupted')
BEGIN SELECT RAISE(IGNORE); END;

CREATE TABLE run_phases (
  run_id            TEXT NOT NULL REFERENCES processing_runs(run_id),
  phase             TEXT NOT NULL,
  status            TEXT NOT NULL,
  total             INTEGER NOT NULL DEFAULT 0,
  processed         INTEGER NOT NULL DEFAULT 0,
  failed            INTEGER NOT NULL DEFAULT 0,
  count             INTEGER NOT NULL DEFAULT 0,
  started_at        TEXT NOT NULL DEFAULT '',
  finished_at       TEXT NOT NULL DEFAULT '',
  duration_seconds  REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, phase)
) WITHOUT ROWID;
CREATE TRIGGER run_phases_final_with_run
BEFORE UPDATE ON run_phases
WHEN (SELECT status FROM processing_runs WHERE run_id = OLD.run_id)
     IN ('completed','completed_with_errors','failed','cancelled','interrupted')
BEGIN SELECT RAISE(IGNORE); END;

CREATE TABLE run_symbols (
  run_id       TEXT NOT NULL REFERENCES processing_runs(run_id),
  phase        TEXT NOT NULL,
  symbol       TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('ok','failed','skipped')),
  attempts     INTEGER NOT NULL DEFAULT 1,
  error_code   TEXT NOT NULL DEFAULT '',
  message      TEXT NOT NULL DEFAULT '',
  duration_ms  REAL NOT NULL DEFAULT 0,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (run_id, phase, symbol)
) WITHOUT ROWID;

-- One row per (symbol, timeframe, indicator key, as-of date): history is kept.
-- `value` is a small JSON object holding every output, e.g. {"real":101.2}.
CREATE TABLE indicator_values (
  symbol     TEXT NOT NULL,
  timeframe  TEXT NOT NULL,
  indicator  TEXT NOT NULL,
  as_of      TEXT NOT NULL,
  value      TEXT NOT NULL,
  run_id     TEXT,
  PRIMARY KEY (symbol, timeframe, indicator, as_of)
) WITHOUT ROWID;
CREATE INDEX indicator_values_latest ON indicator_values (indicator, timeframe, as_of);

CREATE TABLE pattern_detections (
  symbol       TEXT NOT NULL,
  timeframe    TEXT NOT NULL,
  pattern      TEXT NOT NULL,
  bar_date     TEXT NOT NULL,
  direction    TEXT NOT NULL CHECK (direction IN ('bullish','bearish','neutral')),
  strength     REAL NOT NULL,
  confidence   REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  levels       TEXT NOT NULL DEFAULT '{}',
  run_id       TEXT,
  detected_at  TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, pattern, bar_date)
) WITHOUT ROWID;

-- The last daily bar date each phase has processed for a symbol; what makes
-- runs incremental and lets a cancelled or crashed run resume exactly.
CREATE TABLE phase_watermarks (
  symbol        TEXT NOT NULL,
  phase         TEXT NOT NULL,
  through_date  TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (symbol, phase)
) WITHOUT ROWID;
)sql";

// Engine settings: the schedule (JSON) and the scheduler's state, one row per key.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE engine_settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
)sql";

// The read API: a symbol's detections newest first (the symbol page and the
// keyset pages of get_pattern_detections with a symbol), matching ORDER BY
// bar_date DESC, symbol, timeframe, pattern exactly. Symbol-first on purpose:
// a backfill writes one symbol's rows next to each other, whereas a
// bar-date-first index scattered them and tripled the patterns phase
// (docs/PERFORMANCE.md), so the unfiltered feed sorts instead. The latest
// indicator value per (symbol, timeframe, key) needs no index of its own: the
// primary key of indicator_values ends in as_of, so it is one backward seek.
constexpr std::string_view kV3 = R"sql(
CREATE INDEX pattern_detections_by_symbol ON pattern_detections (symbol, bar_date DESC, timeframe, pattern);
)sql";

// Registered universes and symbol metadata. Existing rows stay valid: a NULL
// weight is an unweighted member, source 'run' a universe a run recorded,
// NULL active / details_at a symbol no provider has described yet.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE memberships ADD COLUMN weight REAL CHECK (weight IS NULL OR weight >= 0);
ALTER TABLE universes ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE universes ADD COLUMN source TEXT NOT NULL DEFAULT 'run' CHECK (source IN ('run','file'));
ALTER TABLE symbols ADD COLUMN exchange TEXT NOT NULL DEFAULT '';
ALTER TABLE symbols ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE symbols ADD COLUMN active INTEGER CHECK (active IS NULL OR active IN (0,1));
ALTER TABLE symbols ADD COLUMN details_at TEXT;
)sql";

// The event outbox and the per-run seq high-water (docs/reliability.md, "Redis
// outages and the event outbox"). AUTOINCREMENT, not a plain rowid: once the
// drainer has deleted the newest rows, a plain rowid would hand their ids out
// again, and a reader positioned after them would skip the new rows.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE event_outbox (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  channel  TEXT NOT NULL,
  payload  TEXT NOT NULL
);
CREATE TABLE run_seq (
  run_id      TEXT PRIMARY KEY,
  high_water  INTEGER NOT NULL CHECK (high_water >= 0)
) WITHOUT ROWID;
)sql";

// Resumed runs (trigger_type 'resume', parent_run_id = the interrupted run).
// SQLite cannot widen a CHECK constraint in place, so processing_runs is
// rebuilt (the documented create-copy-drop-rename procedure) with its indexes
// and triggers; run_phases' trigger names processing_runs in its body, so it
// is dropped first and recreated after the rename. The partial index answers
// "which runs continue this one" without scanning the history.
constexpr std::string_view kV6 = R"sql(
DROP TRIGGER run_phases_final_with_run;
CREATE TABLE processing_runs_v6 (
  run_id                 TEXT PRIMARY KEY,
  trigger_type           TEXT NOT NULL CHECK (trigger_type IN ('manual','scheduled','retry','api','resume')),
  status                 TEXT NOT NULL CHECK (status IN ('queued','running','completed',
                           'completed_with_errors','failed','cancelled','interrupted')),
  phases                 TEXT NOT NULL,
  universe               TEXT NOT NULL,
  parameters             TEXT NOT NULL DEFAULT '{}',
  run_date               TEXT NOT NULL,
  started_at             TEXT NOT NULL,
  finished_at            TEXT,
  duration_seconds       REAL,
  symbols_total          INTEGER NOT NULL DEFAULT 0,
  symbols_processed      INTEGER NOT NULL DEFAULT 0,
  symbols_failed         INTEGER NOT NULL DEFAULT 0,
  records_imported       INTEGER NOT NULL DEFAULT 0,
  indicators_calculated  INTEGER NOT NULL DEFAULT 0,
  patterns_detected      INTEGER NOT NULL DEFAULT 0,
  error                  TEXT NOT NULL DEFAULT '',
  parent_run_id          TEXT REFERENCES processing_runs(run_id)
);
INSERT INTO processing_runs_v6 SELECT * FROM processing_runs;
DROP TABLE processing_runs;
ALTER TABLE processing_runs_v6 RENAME TO processing_runs;
CREATE INDEX processing_runs_by_start ON processing_runs (started_at DESC, run_id DESC);
CREATE INDEX processing_runs_by_status ON processing_runs (status, started_at DESC);
CREATE INDEX processing_runs_by_parent ON processing_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE TRIGGER processing_runs_terminal_is_final
BEFORE UPDATE ON processing_runs
WHEN OLD.status IN ('completed','completed_with_errors','failed','cancelled','interrupted')
BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER run_phases_final_with_run
BEFORE UPDATE ON run_phases
WHEN (SELECT status FROM processing_runs WHERE run_id = OLD.run_id)
     IN ('completed','completed_with_errors','failed','cancelled','interrupted')
BEGIN SELECT RAISE(IGNORE); END;
)sql";

// indicator_values_latest (v1) served no query: every read of indicator
// values names its symbol (the primary key's prefix), the screener's latest
// value included. Maintaining it cost each symbol's indicator commit ~80 leaf
// pages in the WAL (one per study and timeframe): 6x a daily run's
// indicator commits (docs/PERFORMANCE.md).
constexpr std::string_view kV7 = R"sql(
DROP INDEX IF EXISTS indicator_values_latest;
)sql";

// The indicators phase's saved stream states, one row per (symbol, timeframe):
// a daily run restores them and feeds the new bars instead of re-reading each
// symbol's history. A rowid table: a row holds several KB (SQLite's WITHOUT
// ROWID suits rows under ~200 bytes).
constexpr std::string_view kV8 = R"sql(
CREATE TABLE study_states (
  symbol     TEXT NOT NULL,
  timeframe  TEXT NOT NULL,
  as_of      TEXT NOT NULL,
  state      BLOB NOT NULL,
  run_id     TEXT,
  PRIMARY KEY (symbol, timeframe)
);
)sql";

// v9 changes only PostgreSQL's storage of indicator values (see
// postgres/pg_migrations.cpp): SQLite rewrites a row in place, so there is
// nothing to change here. The version exists on both backends so that one
// number names one schema.
constexpr std::string_view kV9 = R"sql(
SELECT 1;
)sql";

constexpr std::array<Migration, 9> kMigrations{{
    {1, "initial schema: catalog, bars, runs, results, watermarks", kV1},
    {2, "engine settings: schedule and scheduler state", kV2},
    {3, "read API: detections by symbol, newest first", kV3},
    {4, "registered universes with weights; symbol details", kV4},
    {5, "event outbox and per-run seq high-water", kV5},
    {6, "resumed runs: trigger_type 'resume'; runs by parent", kV6, /*rebuilds_referenced_table=*/true},
    {7, "indicator values: drop the unused indicator-first index", kV7},
    {8, "study states: the indicators phase's saved stream states", kV8},
    {9, "indicator values: weekly and monthly rows leave room for in-place updates", kV9},
}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

std::span<const Migration> pending(std::span<const Migration> all, int current) {
  const int newest = all.empty() ? 0 : all.back().version;
  if (current > newest)
    throw StorageError("database schema version " + std::to_string(current) + " is newer than this binary (" +
                       std::to_string(newest) + "); upgrade tickstock");
  std::size_t first = 0;
  while (first < all.size() && all[first].version <= current) ++first;
  return all.subspan(first);
}

void migrate(Connection& c) {
  c.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
      "applied_at TEXT NOT NULL)");
  int current = 0;
  {
    Statement st(c.handle(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (st.step()) current = static_cast<int>(st.integer(0));
  }
  for (const auto& m : pending(kMigrations, current)) {
    bool fk_on = false;
    if (m.rebuilds_referenced_table) {
      // Dropping the old table would otherwise fail (or cascade) on the rows
      // that reference it; the check below proves the rebuilt table satisfies
      // every reference before anything is committed.
      Statement fk(c.handle(), "PRAGMA foreign_keys");
      fk_on = fk.step() && fk.integer(0) != 0;
      c.exec("PRAGMA foreign_keys=OFF");
    }
    try {
      Transaction tx(c);
      c.exec(m.sql);
      if (m.rebuilds_referenced_table) {
        std::string broken;
        {
          Statement check(c.handle(), "PRAGMA foreign_key_check");
          if (check.step()) broken = check.text(0);
        }
        if (!broken.empty())
          throw StorageError("migration " + std::to_string(m.version) + " broke a reference from table " +
                             broken);
      }
      Statement st(c.handle(),
                   "INSERT INTO schema_migrations(version, description, applied_at) VALUES (?,?,?)");
      st.bind(1, m.version).bind(2, m.description).bind(3, format_utc_ms(std::chrono::system_clock::now()));
      st.exec();
      tx.commit();
    } catch (...) {
      if (fk_on) c.exec("PRAGMA foreign_keys=ON");
      throw;
    }
    if (fk_on) c.exec("PRAGMA foreign_keys=ON");
  }
}

}  // namespace ts::storage::sqlite
