// The pipeline phases' SQLite limits: what the bare C API does on this
// machine with the engine's exact schema (the migrations) and row shapes, one
// thread, no engine code in the loop. docs/PERFORMANCE.md compares each phase
// of pipeline_bench against these rates.
//
//   sqlite_limits DIR [symbols=500]
//
// 1. bars:        2,515 daily ohlcv rows per symbol, one transaction each,
//                 32-row INSERT ... ON CONFLICT statements (the engine's import)
// 2. detections:  1,666 pattern_detections rows per symbol (the synthetic
//                 series' density), in key order, 32-row statements, both
//                 B-trees (the table and pattern_detections_by_symbol)
// 3. bar reads:   every symbol's daily bars back, the engine's SELECT, columns
//                 read but not parsed
// 4. small commits: 81 indicator_values rows (27 studies x 3 timeframes) plus
//                 one watermark row per transaction (a daily run's indicators)
// Prints rows/s of wall time and of this thread's CPU time for each.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace {

double cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_THREAD, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = cpu_seconds();
  void report(const char* what, double rows, const char* unit = "rows") const {
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    const double c = cpu_seconds() - cpu;
    std::printf("%-12s %10.0f %s  %6.2f s wall  %9.0f %s/s wall  %9.0f %s/cpu-s\n", what, rows, unit, w, rows / w,
                unit, rows / c, unit);
  }
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
    std::exit(1);
  }
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
  return st;
}

/// "INSERT INTO t(cols) VALUES (?,..),(?,..) ... tail", `rows` tuples of `cols`.
std::string multi_row(const char* head, int cols, int rows, const char* tail) {
  std::string tuple = "(?";
  for (int c = 1; c < cols; ++c) tuple += ",?";
  tuple += ')';
  std::string sql = std::string(head) + " VALUES";
  for (int r = 0; r < rows; ++r) sql += (r ? "," : "") + tuple;
  return sql + " " + tail;
}

void date_of(int day, char* out) {  // 10 chars, distinct and ordered for day < 12 * 28 * 100
  std::snprintf(out, 11, "%04d-%02d-%02d", 2000 + day / 336, 1 + day / 28 % 12, 1 + day % 28);
}

constexpr int kBatch = 32;
constexpr int kBars = 2515, kDetections = 1664, kPatterns = 26;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sqlite_limits DIR [symbols=500]\n");
    return 2;
  }
  const int symbols = argc > 2 ? std::atoi(argv[2]) : 500;
  const std::filesystem::path path = std::filesystem::path(argv[1]) / "sqlite_limits.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);

  ts::storage::sqlite::Connection conn(path.string());
  sqlite3* db = conn.handle();
  // The engine's settings (SqliteStorage's constructor) and schema.
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "PRAGMA cache_size=-65536");
  ts::storage::sqlite::migrate(conn);
  char sym[12], date[kBatch][11];

  {
    sqlite3_stmt* st = prepare(db, multi_row("INSERT INTO ohlcv(symbol,timeframe,date,open,high,low,close,volume)",
                                             8, kBatch,
                                             "ON CONFLICT(symbol,timeframe,date) DO UPDATE SET open=excluded.open, "
                                             "high=excluded.high, low=excluded.low, close=excluded.close, "
                                             "volume=excluded.volume"));
    const Timer t;
    for (int s = 0; s < symbols; ++s) {
      std::snprintf(sym, sizeof sym, "S%04d", s);
      exec(db, "BEGIN IMMEDIATE");
      for (int b = 0; b + kBatch <= kBars; b += kBatch) {
        for (int r = 0; r < kBatch; ++r) {
          const int p = r * 8;
          date_of(b + r, date[r]);
          sqlite3_bind_text(st, p + 1, sym, 5, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 2, "daily", 5, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 3, date[r], 10, SQLITE_STATIC);
          for (int c = 4; c <= 8; ++c) sqlite3_bind_double(st, p + c, 100.0 + (b + r) * 0.01 + c);
        }
        sqlite3_step(st);
        sqlite3_reset(st);
      }
      exec(db, "COMMIT");
    }
    t.report("bars", double(symbols) * (kBars / kBatch * kBatch));
    sqlite3_finalize(st);
  }
  {
    sqlite3_stmt* st = prepare(
        db, multi_row("INSERT INTO pattern_detections(symbol,timeframe,pattern,bar_date,direction,strength,"
                      "confidence,levels,run_id,detected_at)",
                      10, kBatch,
                      "ON CONFLICT(symbol,timeframe,pattern,bar_date) DO UPDATE SET direction=excluded.direction, "
                      "strength=excluded.strength, confidence=excluded.confidence, levels=excluded.levels, "
                      "run_id=excluded.run_id, detected_at=excluded.detected_at"));
    exec(db,
         "INSERT INTO processing_runs(run_id,trigger_type,status,phases,universe,run_date,started_at) VALUES "
         "('3f2504e0-4f89-41d3-9a0c-0305e82c3301','manual','running','[]','bench','2025-10-31','x')");
    char pattern[kBatch][16];
    const Timer t;
    for (int s = 0; s < symbols; ++s) {
      std::snprintf(sym, sizeof sym, "S%04d", s);
      exec(db, "BEGIN IMMEDIATE");
      for (int i = 0; i + kBatch <= kDetections; i += kBatch) {
        for (int r = 0; r < kBatch; ++r) {
          const int p = r * 10, row = i + r, per = kDetections / kPatterns;
          std::snprintf(pattern[r], sizeof pattern[r], "pattern_%02d", row / per);
          date_of(row % per * kBars / per, date[r]);
          sqlite3_bind_text(st, p + 1, sym, 5, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 2, "daily", 5, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 3, pattern[r], -1, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 4, date[r], 10, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 5, "bullish", 7, SQLITE_STATIC);
          sqlite3_bind_double(st, p + 6, 75.0);
          sqlite3_bind_double(st, p + 7, 0.7);
          sqlite3_bind_text(st, p + 8, R"({"entry":101.25,"stop":99.5,"level":100.71})", -1, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 9, "3f2504e0-4f89-41d3-9a0c-0305e82c3301", 36, SQLITE_STATIC);
          sqlite3_bind_text(st, p + 10, "2025-10-31T21:10:00.000Z", 24, SQLITE_STATIC);
        }
        sqlite3_step(st);
        sqlite3_reset(st);
      }
      exec(db, "COMMIT");
    }
    t.report("detections", double(symbols) * (kDetections / kBatch * kBatch));
    sqlite3_finalize(st);
  }
  {
    sqlite3_stmt* st = prepare(db,
                               "SELECT date, open, high, low, close, volume FROM ohlcv WHERE symbol=? AND "
                               "timeframe=? AND date>=? AND date<=? ORDER BY date");
    const Timer t;
    long long rows = 0;
    double sink = 0;
    for (int s = 0; s < symbols; ++s) {
      std::snprintf(sym, sizeof sym, "S%04d", s);
      sqlite3_bind_text(st, 1, sym, 5, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, "daily", 5, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, "0000-00-00", 10, SQLITE_STATIC);
      sqlite3_bind_text(st, 4, "9999-99-99", 10, SQLITE_STATIC);
      while (sqlite3_step(st) == SQLITE_ROW) {
        ++rows;
        sink += sqlite3_column_bytes(st, 0);
        for (int c = 1; c <= 5; ++c) sink += sqlite3_column_double(st, c);
      }
      sqlite3_reset(st);
    }
    t.report("bar reads", double(rows));
    sqlite3_finalize(st);
    if (sink == 0) std::printf("(no rows read)\n");
  }
  {
    sqlite3_stmt* st = prepare(db,
                               "INSERT INTO indicator_values(symbol,timeframe,indicator,as_of,value,run_id) "
                               "VALUES(?,?,?,?,?,?) ON CONFLICT(symbol,timeframe,indicator,as_of) DO UPDATE SET "
                               "value=excluded.value, run_id=excluded.run_id");
    sqlite3_stmt* wm = prepare(db,
                               "INSERT INTO phase_watermarks(symbol,phase,through_date,updated_at) VALUES(?,?,?,?) "
                               "ON CONFLICT(symbol,phase) DO UPDATE SET through_date=excluded.through_date");
    const char* timeframes[] = {"daily", "weekly", "monthly"};
    char indicator[32];
    const Timer t;
    for (int s = 0; s < symbols; ++s) {
      std::snprintf(sym, sizeof sym, "S%04d", s);
      exec(db, "BEGIN IMMEDIATE");
      for (const char* tf : timeframes)
        for (int k = 0; k < 27; ++k) {
          std::snprintf(indicator, sizeof indicator, "STUDY%02d(timeperiod=%d)", k, 2 + k * 7);
          sqlite3_bind_text(st, 1, sym, 5, SQLITE_STATIC);
          sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
          sqlite3_bind_text(st, 3, indicator, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text(st, 4, "2025-10-31", 10, SQLITE_STATIC);
          sqlite3_bind_text(st, 5, R"({"value":123.456789012345})", -1, SQLITE_STATIC);
          sqlite3_bind_text(st, 6, "3f2504e0-4f89-41d3-9a0c-0305e82c3301", 36, SQLITE_STATIC);
          sqlite3_step(st);
          sqlite3_reset(st);
        }
      sqlite3_bind_text(wm, 1, sym, 5, SQLITE_STATIC);
      sqlite3_bind_text(wm, 2, "indicators", -1, SQLITE_STATIC);
      sqlite3_bind_text(wm, 3, "2025-10-31", 10, SQLITE_STATIC);
      sqlite3_bind_text(wm, 4, "2025-10-31T21:10:00.000Z", 24, SQLITE_STATIC);
      sqlite3_step(wm);
      sqlite3_reset(wm);
      exec(db, "COMMIT");
    }
    t.report("commits", double(symbols), "commits");
    sqlite3_finalize(st);
    sqlite3_finalize(wm);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return 0;
}
