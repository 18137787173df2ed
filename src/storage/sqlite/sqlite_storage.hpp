#pragma once
// SQLite backend: WAL mode, synchronous=NORMAL, one connection guarded by a
// mutex (SQLite allows one writer at a time anyway; the engine overlaps
// computation with writes instead). Prepared statements are cached per query.
#include <memory>
#include <string>

#include "storage/storage.hpp"

namespace ts::storage {

/// Opens (creating if needed) the database file at `path` and migrates it.
std::unique_ptr<Storage> open_sqlite(const std::string& path);

}  // namespace ts::storage
