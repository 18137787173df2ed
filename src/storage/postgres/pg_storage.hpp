#pragma once
// PostgreSQL backend (libpqxx 6.4): the same schema, migrations and
// behaviour as the SQLite backend, for storage that several processes share.
//
// * One pooled connection per concurrently calling thread (pg_pool.hpp):
//   the engine's phase workers write in parallel instead of queueing on one
//   connection. Every method is one unit of work on one connection; the
//   commit_* methods are one transaction each, as the interface requires.
// * Bulk rows (bars, indicator values, detections) go through COPY into a
//   session-temporary table and then one INSERT ... ON CONFLICT DO UPDATE into
//   the real table, so re-sending the same rows is idempotent.
// * Transient failures (broken connection, serialization failure, deadlock)
//   are retried with backoff; anything else throws StorageError.
// Thread-safety: every method may be called from any thread.
#include <memory>
#include <string>

#include "storage/storage.hpp"

namespace ts::storage {

/// Connects to `url` (postgresql://user:pass@host:port/db, any libpq URI) and
/// migrates the database. Throws StorageError when it cannot.
std::unique_ptr<Storage> open_postgres(const std::string& url);

}  // namespace ts::storage
