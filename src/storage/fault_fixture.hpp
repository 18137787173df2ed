#pragma once
// Test support: real faults under a real SQLite database, for the storage
// unit tests and the engine's integration tests. No mocks: each helper changes
// the file system or takes a real lock, and undoes it in its destructor (also
// when a test fails half-way).
//
// * TmpfsMount: a size-limited tmpfs (needs root / CAP_SYS_ADMIN) for "disk full".
// * DiskFiller: fills the file system holding a directory up to the last byte.
// * Immutable: the ext4 immutable flag on files. Unlike chmod (ignored by
//   root) and a read-only remount (refused while a file is open for writing),
//   it makes writes through descriptors the engine already holds fail (EPERM),
//   so it is how a test turns the database read-only under a running engine.
//   Not every file system enforces it on open descriptors (tmpfs does not):
//   immutable_unsupported() says why a test must skip.
// * ExclusiveLock: another connection holding BEGIN EXCLUSIVE (the write lock).
// Every helper reports failure through ok()/error() or a returned reason,
// never by aborting, so tests can GTEST_SKIP with the reason.
#include <fcntl.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ts::storage::testing {

namespace fs = std::filesystem;

inline std::string errno_text(int err) { return std::strerror(err); }

/// tmpfs of `bytes` mounted at `dir` (created if needed) for the object's lifetime.
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, std::size_t bytes) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    const std::string opts = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0)
      mounted_ = true;
    else
      error_ = "cannot mount a tmpfs at " + dir_.string() +
               " (needs root with CAP_SYS_ADMIN): " + errno_text(errno);
  }
  ~TmpfsMount() {
    if (!mounted_) return;
    // A process that still holds a file open keeps the mount busy: detach it
    // then, the kernel frees it when the last descriptor closes.
    if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool ok() const { return mounted_; }
  const std::string& error() const { return error_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

/// Writes `file` until the file system reports ENOSPC, down to single bytes,
/// so no block is left for anyone. free() (or the destructor) removes it.
class DiskFiller {
 public:
  explicit DiskFiller(fs::path file) : file_(std::move(file)) {}
  ~DiskFiller() { free(); }
  DiskFiller(const DiskFiller&) = delete;
  DiskFiller& operator=(const DiskFiller&) = delete;

  /// True when the file system is full afterwards (ENOSPC seen).
  bool fill() {
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    std::vector<char> chunk(1 << 20, 'x');
    bool full = false;
    for (std::size_t size = chunk.size(); size > 0 && !full;) {
      const ssize_t n = ::write(fd, chunk.data(), size);
      if (n > 0) continue;
      if (errno != ENOSPC) break;
      if (size == 1) full = true;
      size /= 2;
    }
    ::close(fd);
    return full;
  }
  void free() {
    std::error_code ec;
    fs::remove(file_, ec);
  }

 private:
  fs::path file_;
};

/// Sets or clears the immutable flag; "" on success, else the reason.
inline std::string set_immutable(const fs::path& file, bool on) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "cannot open " + file.string() + ": " + errno_text(errno);
  std::string err;
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    err = "cannot read the inode flags of " + file.string() + ": " + errno_text(errno);
  } else {
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    if (::ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0)
      err = "cannot set the immutable flag on " + file.string() +
            " (needs root with CAP_LINUX_IMMUTABLE): " + errno_text(errno);
  }
  ::close(fd);
  return err;
}

/// Why the immutable flag cannot stand in for a read-only database in `dir`
/// (nullopt when it can: a write through an open descriptor fails).
inline std::optional<std::string> immutable_unsupported(const fs::path& dir) {
  const fs::path probe = dir / ".immutable-probe";
  const int fd = ::open(probe.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + probe.string() + ": " + errno_text(errno);
  std::optional<std::string> why;
  if (auto err = set_immutable(probe, true); !err.empty()) {
    why = err;
  } else {
    if (::write(fd, "x", 1) == 1)
      why = "the file system of " + dir.string() +
            " does not enforce the immutable flag on open descriptors (e.g. tmpfs)";
    set_immutable(probe, false);
  }
  ::close(fd);
  std::error_code ec;
  fs::remove(probe, ec);
  return why;
}

/// Makes files immutable for its lifetime (missing files are skipped).
class Immutable {
 public:
  Immutable() = default;
  ~Immutable() { clear(); }
  Immutable(const Immutable&) = delete;
  Immutable& operator=(const Immutable&) = delete;
  /// "" on success, else the reason.
  std::string add(const fs::path& file) {
    if (!fs::exists(file)) return "";
    auto err = set_immutable(file, true);
    if (err.empty()) files_.push_back(file);
    return err;
  }
  void clear() {
    for (const auto& f : files_) set_immutable(f, false);
    files_.clear();
  }

 private:
  std::vector<fs::path> files_;
};

/// A second connection to `db_path` holding the write lock (BEGIN EXCLUSIVE)
/// until release() or destruction. Waits up to `acquire_ms` for writers that
/// are in a transaction right now.
class ExclusiveLock {
 public:
  explicit ExclusiveLock(const fs::path& db_path, int acquire_ms = 60000) {
    if (sqlite3_open_v2(db_path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      error_ = db_ ? sqlite3_errmsg(db_) : "out of memory";
      return;
    }
    sqlite3_busy_timeout(db_, acquire_ms);
    char* msg = nullptr;
    if (sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, &msg) == SQLITE_OK) {
      held_ = true;
    } else {
      error_ = msg ? msg : "BEGIN EXCLUSIVE failed";
      sqlite3_free(msg);
    }
  }
  ~ExclusiveLock() {
    release();
    sqlite3_close_v2(db_);
  }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;
  bool ok() const { return held_; }
  const std::string& error() const { return error_; }
  void release() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
  std::string error_;
};

/// Rows of a one-column query through a fresh read-only connection (as text).
inline std::vector<std::string> query_column(const fs::path& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 60000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
    } else {
      out.push_back(std::string("query failed: ") + sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
  } else {
    out.push_back("cannot open " + db_path.string());
  }
  sqlite3_close_v2(db);
  return out;
}

/// PRAGMA integrity_check: "ok" when the database is intact, else its findings.
inline std::string integrity_check(const fs::path& db_path) {
  std::string out;
  for (const auto& row : query_column(db_path, "PRAGMA integrity_check"))
    out += (out.empty() ? "" : "; ") + row;
  return out;
}

/// One way the database fails, as the tests inject it. prepare() runs before
/// the database is opened and returns the URL to open, or "" with
/// skip_reason set when this machine cannot produce the fault.
class DatabaseFault {
 public:
  virtual ~DatabaseFault() = default;
  virtual std::string prepare(const fs::path& dir, const std::string& file_name) = 0;
  /// "" on success, else why the fault could not be injected.
  virtual std::string inject(const fs::path& db_path) = 0;
  virtual void remove() = 0;
  /// Words the StorageError's message contains for this fault.
  virtual std::string symptom() const = 0;
  std::string skip_reason;
};

/// The disk is full: the database lives on a small tmpfs that a filler file
/// fills to the last byte.
class DiskFullFault final : public DatabaseFault {
 public:
  explicit DiskFullFault(std::size_t tmpfs_bytes) : bytes_(tmpfs_bytes) {}
  ~DiskFullFault() override {
    filler_.reset();
    mount_.reset();
  }
  std::string prepare(const fs::path& dir, const std::string& file_name) override {
    mount_ = std::make_unique<TmpfsMount>(dir / "tmpfs", bytes_);
    if (!mount_->ok()) {
      skip_reason = mount_->error();
      return "";
    }
    return "sqlite:" + (mount_->dir() / file_name).string();
  }
  std::string inject(const fs::path& db_path) override {
    filler_ = std::make_unique<DiskFiller>(db_path.parent_path() / "filler");
    return filler_->fill() ? "" : "the tmpfs did not fill up";
  }
  void remove() override { filler_.reset(); }
  std::string symptom() const override { return "database or disk is full"; }

 private:
  std::size_t bytes_;
  std::unique_ptr<TmpfsMount> mount_;
  std::unique_ptr<DiskFiller> filler_;
};

/// The database file becomes read-only: the immutable flag on the database
/// and its WAL (in WAL mode every commit goes to the WAL, so a read-only main
/// file alone would only stop checkpoints). The -shm file stays writable, as
/// readers need it.
class ReadOnlyFault final : public DatabaseFault {
 public:
  std::string prepare(const fs::path& dir, const std::string& file_name) override {
    if (auto why = immutable_unsupported(dir)) {
      skip_reason = "cannot make a database read-only for this process here: " + *why;
      return "";
    }
    return "sqlite:" + (dir / file_name).string();
  }
  std::string inject(const fs::path& db_path) override {
    for (const char* suffix : {"", "-wal"})
      if (auto err = frozen_.add(db_path.string() + suffix); !err.empty()) return err;
    return "";
  }
  void remove() override { frozen_.clear(); }
  std::string symptom() const override { return "disk I/O error"; }

 private:
  Immutable frozen_;
};

/// Another writer holds the database's write lock longer than the busy
/// timeout the database is opened with.
class LockedFault final : public DatabaseFault {
 public:
  explicit LockedFault(int busy_timeout_ms) : busy_timeout_ms_(busy_timeout_ms) {}
  std::string prepare(const fs::path& dir, const std::string& file_name) override {
    return "sqlite:" + (dir / file_name).string() + "?busy_timeout_ms=" + std::to_string(busy_timeout_ms_);
  }
  std::string inject(const fs::path& db_path) override {
    lock_ = std::make_unique<ExclusiveLock>(db_path);
    return lock_->ok() ? "" : lock_->error();
  }
  void remove() override { lock_.reset(); }
  std::string symptom() const override { return "database is locked"; }

 private:
  int busy_timeout_ms_;
  std::unique_ptr<ExclusiveLock> lock_;
};

enum class FaultKind : unsigned char { disk_full, read_only, locked };

/// Test-parameter names of the faults (valid gtest names), by FaultKind.
inline constexpr std::array<const char*, 3> kFaultNames{"DiskFull", "ReadOnlyFile", "LockedByAnotherWriter"};
constexpr const char* fault_name(FaultKind k) { return kFaultNames[static_cast<std::size_t>(k)]; }

/// `tmpfs_bytes` sizes the disk-full tmpfs; `busy_timeout_ms` the locked database's wait.
inline std::unique_ptr<DatabaseFault> make_fault(FaultKind k, std::size_t tmpfs_bytes, int busy_timeout_ms) {
  switch (k) {
    case FaultKind::disk_full:
      return std::make_unique<DiskFullFault>(tmpfs_bytes);
    case FaultKind::read_only:
      return std::make_unique<ReadOnlyFault>();
    case FaultKind::locked:
      return std::make_unique<LockedFault>(busy_timeout_ms);
  }
  return nullptr;
}

/// The file path of a `sqlite:PATH[?options]` URL.
inline fs::path sqlite_url_path(const std::string& url) {
  const std::string rest = url.substr(url.find(':') + 1);
  return rest.substr(0, rest.find('?'));
}

}  // namespace ts::storage::testing
