#include "storage/postgres/pg_migrations.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "storage/rows.hpp"
#include "storage/storage.hpp"

namespace ts::storage::postgres {
namespace {

// Dialect differences from SQLite, chosen once for every table:
// * Text that is compared or ordered (keys, RFC 3339 stamps) is COLLATE "C",
//   so ORDER BY and keyset pagination give byte order exactly as SQLite does,
//   whatever locale the database was created with.
// * Bar, indicator, detection and watermark dates are DATE (TimescaleDB needs a
//   time-typed column for the hypertable); the storage code reads them as
//   'YYYY-MM-DD' text (DateStyle ISO is set per session).
// * Terminal run states are final through BEFORE UPDATE triggers returning
//   NULL, which skips the row like SQLite's RAISE(IGNORE).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE symbols (
  symbol      TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  sector      TEXT NOT NULL DEFAULT '',
  updated_at  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE universes (
  name        TEXT COLLATE "C" PRIMARY KEY,
  as_of       TEXT NOT NULL DEFAULT '',
  updated_at  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE memberships (
  universe    TEXT COLLATE "C" NOT NULL REFERENCES universes(name),
  symbol      TEXT COLLATE "C" NOT NULL REFERENCES symbols(symbol),
  first_seen  TEXT COLLATE "C" NOT NULL,
  last_seen   TEXT COLLATE "C" NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (universe, symbol)
);

CREATE TABLE ohlcv (
  symbol     TEXT COLLATE "C" NOT NULL,
  timeframe  TEXT COLLATE "C" NOT NULL CHECK (timeframe IN ('daily','weekly','monthly','hourly','1min')),
  date       DATE NOT NULL,
  open       DOUBLE PRECISION NOT NULL,
  high       DOUBLE PRECISION NOT NULL,
  low        DOUBLE PRECISION NOT NULL,
  close      DOUBLE PRECISION NOT NULL,
  volume     DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (symbol, timeframe, date)
);

CREATE TABLE processing_runs (
  run_id                 TEXT COLLATE "C" PRIMARY KEY,
  trigger_type           TEXT NOT NULL CHECK (trigger_type IN ('manual','scheduled','retry','api')),
  status                 TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued','running','completed',
                           'completed_with_errors','failed','cancelled','interrupted')),
  phases                 TEXT NOT NULL,
  universe               TEXT NOT NULL,
  parameters             TEXT NOT NULL DEFAULT '{}',
  run_date               TEXT NOT NULL,
  started_at             TEXT COLLATE "C" NOT NULL,
  finished_at            TEXT,
  duration_seconds       DOUBLE PRECISION,
  symbols_total          INTEGER NOT NULL DEFAULT 0,
  symbols_processed      INTEGER NOT NULL DEFAULT 0,
  symbols_failed         INTEGER NOT NULL DEFAULT 0,
  records_imported       BIGINT NOT NULL DEFAULT 0,
  indicators_calculated  BIGINT NOT NULL DEFAULT 0,
  patterns_detected      BIGINT NOT NULL DEFAULT 0,
  error                  TEXT NOT NULL DEFAULT '',
  parent_run_id          TEXT COLLATE "C" REFERENCES processing_runs(run_id)
);
CREATE INDEX processing_runs_by_start ON processing_runs (started_at DESC, run_id DESC);
CREATE INDEX processing_runs_by_status ON processing_runs (status, started_at DESC);

-- One trigger function for both tables: a run's row, and its phase rows,
-- stay as they are once the run is terminal.
CREATE FUNCTION tickstock_terminal_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  run_status TEXT;
BEGIN
  IF TG_TABLE_NAME = 'processing_runs' THEN
    run_status := OLD.status;
  ELSE
    SELECT status INTO run_status FROM processing_runs WHERE run_id = OLD.run_id;
  END IF;
  IF run_status IN ('completed','completed_with_errors','failed','cancelled','interrupted') THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER processing_runs_terminal_is_final BEFORE UPDATE ON processing_runs
  FOR EACH ROW EXECUTE FUNCTION tickstock_terminal_is_final();

CREATE TABLE run_phases (
  run_id            TEXT COLLATE "C" NOT NULL REFERENCES processing_runs(run_id),
  phase             TEXT COLLATE "C" NOT NULL,
  status            TEXT NOT NULL,
  total             INTEGER NOT NULL DEFAULT 0,
  processed         INTEGER NOT NULL DEFAULT 0,
  failed            INTEGER NOT NULL DEFAULT 0,
  count             BIGINT NOT NULL DEFAULT 0,
  started_at        TEXT NOT NULL DEFAULT '',
  finished_at       TEXT NOT NULL DEFAULT '',
  duration_seconds  DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, phase)
);
CREATE TRIGGER run_phases_final_with_run BEFORE UPDATE ON run_phases
  FOR EACH ROW EXECUTE FUNCTION tickstock_terminal_is_final();

CREATE TABLE run_symbols (
  run_id       TEXT COLLATE "C" NOT NULL REFERENCES processing_runs(run_id),
  phase        TEXT COLLATE "C" NOT NULL,
  symbol       TEXT COLLATE "C" NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('ok','failed','skipped')),
  attempts     INTEGER NOT NULL DEFAULT 1,
  error_code   TEXT NOT NULL DEFAULT '',
  message      TEXT NOT NULL DEFAULT '',
  duration_ms  DOUBLE PRECISION NOT NULL DEFAULT 0,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (run_id, phase, symbol)
);

CREATE TABLE indicator_values (
  symbol     TEXT COLLATE "C" NOT NULL,
  timeframe  TEXT COLLATE "C" NOT NULL,
  indicator  TEXT COLLATE "C" NOT NULL,
  as_of      DATE NOT NULL,
  value      TEXT NOT NULL,
  run_id     TEXT,
  PRIMARY KEY (symbol, timeframe, indicator, as_of)
);
CREATE INDEX indicator_values_latest ON indicator_values (indicator, timeframe, as_of);

CREATE TABLE pattern_detections (
  symbol       TEXT COLLATE "C" NOT NULL,
  timeframe    TEXT COLLATE "C" NOT NULL,
  pattern      TEXT COLLATE "C" NOT NULL,
  bar_date     DATE NOT NULL,
  direction    TEXT NOT NULL CHECK (direction IN ('bullish','bearish','neutral')),
  strength     DOUBLE PRECISION NOT NULL,
  confidence   DOUBLE PRECISION NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  levels       TEXT NOT NULL DEFAULT '{}',
  run_id       TEXT COLLATE "C",
  detected_at  TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, pattern, bar_date)
);

CREATE TABLE phase_watermarks (
  symbol        TEXT COLLATE "C" NOT NULL,
  phase         TEXT COLLATE "C" NOT NULL,
  through_date  DATE NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (symbol, phase)
);
)sql";

constexpr std::string_view kV4 = R"sql(
ALTER TABLE memberships ADD COLUMN weight DOUBLE PRECISION CHECK (weight IS NULL OR weight >= 0);
ALTER TABLE universes ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE universes ADD COLUMN source TEXT NOT NULL DEFAULT 'run' CHECK (source IN ('run','file'));
ALTER TABLE symbols ADD COLUMN exchange TEXT NOT NULL DEFAULT '';
ALTER TABLE symbols ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE symbols ADD COLUMN active INTEGER CHECK (active IS NULL OR active IN (0,1));
ALTER TABLE symbols ADD COLUMN details_at TEXT COLLATE "C";
)sql";

// v5: the event outbox and the per-run seq high-water. An identity column is
// never handed out twice (like SQLite's AUTOINCREMENT), so a drainer
// positioned after deleted rows never skips new ones.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE event_outbox (
  id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel  TEXT NOT NULL,
  payload  TEXT NOT NULL
);
CREATE TABLE run_seq (
  run_id      TEXT COLLATE "C" PRIMARY KEY,
  high_water  BIGINT NOT NULL CHECK (high_water >= 0)
);
)sql";

// v6: resumed runs. PostgreSQL changes a CHECK constraint in place (SQLite
// had to rebuild the table); the inline CHECK of v1 has PostgreSQL's default name.
constexpr std::string_view kV6 = R"sql(
ALTER TABLE processing_runs DROP CONSTRAINT processing_runs_trigger_type_check;
ALTER TABLE processing_runs ADD CONSTRAINT processing_runs_trigger_type_check
  CHECK (trigger_type IN ('manual','scheduled','retry','api','resume'));
CREATE INDEX processing_runs_by_parent ON processing_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
)sql";

// Study states: as SQLite's v8, with the state as BYTEA stored out of line
// without compression (EXTERNAL): a state is mostly doubles, which pglz cannot
// shrink, so compressing would only cost each daily write CPU.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE study_states (
  symbol     TEXT COLLATE "C" NOT NULL,
  timeframe  TEXT COLLATE "C" NOT NULL,
  as_of      DATE NOT NULL,
  state      BYTEA NOT NULL,
  run_id     TEXT,
  PRIMARY KEY (symbol, timeframe)
);
ALTER TABLE study_states ALTER COLUMN state SET STORAGE EXTERNAL;
)sql";

// v9: indicator values partitioned by timeframe. A daily run inserts one new
// row per study into the daily partition and rewrites the rows of the week
// and the month still in progress (two thirds of its rows: 54 of 81 with the
// default studies). With full pages every rewrite was a non-HOT update: a new
// tuple on another page plus a new primary-key entry, 6.3 us a row against
// 1.25 us for a HOT update in place (docs/PERFORMANCE.md). The weekly and
// monthly rows (the DEFAULT partition, ~20% of the table) keep half of each
// page free for those rewrites; the daily rows, written once, stay packed.
// The same holds for study_states: one row per (symbol, timeframe), each
// rewritten by every run.
constexpr std::string_view kV9 = R"sql(
ALTER TABLE indicator_values RENAME TO indicator_values_v8;
ALTER TABLE indicator_values_v8 RENAME CONSTRAINT indicator_values_pkey TO indicator_values_v8_pkey;
CREATE TABLE indicator_values (
  symbol     TEXT COLLATE "C" NOT NULL,
  timeframe  TEXT COLLATE "C" NOT NULL,
  indicator  TEXT COLLATE "C" NOT NULL,
  as_of      DATE NOT NULL,
  value      TEXT NOT NULL,
  run_id     TEXT,
  PRIMARY KEY (symbol, timeframe, indicator, as_of)
) PARTITION BY LIST (timeframe);
CREATE TABLE indicator_values_daily PARTITION OF indicator_values FOR VALUES IN ('daily');
CREATE TABLE indicator_values_periods PARTITION OF indicator_values DEFAULT WITH (fillfactor = 50);
INSERT INTO indicator_values SELECT * FROM indicator_values_v8;
DROP TABLE indicator_values_v8;
ALTER TABLE study_states SET (fillfactor = 50);
)sql";

/// The SQLite migration with this version (one number names one schema on both backends).
const Migration& sqlite_migration(int version) {
  for (const auto& m : sqlite::migrations())
    if (m.version == version) return m;
  throw std::logic_error("no SQLite migration " + std::to_string(version));
}

// Version numbers and descriptions are the SQLite table's, so one number
// names one schema on both backends. Versions 2 (engine_settings: looked up by
// key only, so collation does not matter), 3 (the detections index, symbol
// first, matching the read API's ORDER BY) and 7 (dropping an index) are
// valid PostgreSQL as written.
const std::array<Migration, 9> kMigrations{{
    {1, sqlite_migration(1).description, kV1},
    sqlite_migration(2),
    sqlite_migration(3),
    {4, sqlite_migration(4).description, kV4},
    {5, sqlite_migration(5).description, kV5},
    {6, sqlite_migration(6).description, kV6},
    sqlite_migration(7),
    {8, sqlite_migration(8).description, kV8},
    {9, sqlite_migration(9).description, kV9},
}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

void migrate(pqxx::connection& c) {
  // Any fixed key: serialises concurrent first starts on one database. A
  // session lock, so each migration can still commit on its own.
  pqxx::nontransaction(c).exec("SELECT pg_advisory_lock(7291547301)");
  struct Unlock {
    pqxx::connection& c;
    ~Unlock() {
      try {
        pqxx::nontransaction(c).exec("SELECT pg_advisory_unlock(7291547301)");
      } catch (...) {
        // The connection broke: the server released the lock with the session.
      }
    }
  } unlock{c};
  int current = 0;
  {
    pqxx::work tx(c);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
        "NULL, "
        "applied_at TEXT NOT NULL)");
    current = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0].as<int>();
    tx.commit();
  }
  for (const auto& m : sqlite::pending(kMigrations, current)) {
    pqxx::work tx(c);
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations(version, description, applied_at) VALUES ($1,$2,$3)",
                   m.version, std::string(m.description), now_utc());
    tx.commit();
  }
  // TimescaleDB is optional: when a DBA has installed the extension in this
  // database, bars become a hypertable chunked by date (existing rows move).
  pqxx::work tx(c);
  if (!tx.exec("SELECT 1 FROM pg_extension WHERE extname='timescaledb'").empty())
    tx.exec("SELECT create_hypertable('ohlcv', 'date', if_not_exists => TRUE, migrate_data => TRUE)");
  tx.commit();
}

}  // namespace ts::storage::postgres
