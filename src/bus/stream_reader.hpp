#pragma once
// StreamReader: follows one Redis Stream with XREAD BLOCK on its own
// connection, delivering (id, payload) in stream order.
//
// Resumption: the reader remembers the id of the last entry it delivered and,
// after a reconnection, reads from there: within one reader every entry is
// delivered once. To resume across processes, persist last_id() (or the id of
// each entry you handled) and pass it as `from_id` next time.
//
// Trimming: XADD MAXLEN can remove entries a slow or absent consumer has not
// read. Before reading on every (re)connection, and again whenever it is
// behind (a full batch), the reader asks XINFO STREAM in the same round trip
// as the XREAD; if entries after its position may have been removed (see
// detect_gap) it calls `on_gap` once, before the entries that follow the hole,
// then carries on with the oldest entry left. The consumer should reload a
// snapshot (tickstock:status:current). A reader that keeps up skips the
// check, so a trim that overtakes it within a single read round (more than
// MAXLEN entries at once) is reported late or not at all.
//
// Threading: methods may be called from any thread; on_entry and on_gap run on
// the loop thread. close() may be called from a callback; do not destroy the
// reader from inside its own callback.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "bus/event_loop.hpp"
#include "bus/options.hpp"
#include "bus/reply.hpp"
#include "core/result.hpp"

namespace ts::bus {

struct StreamReaderOptions {
  ConnectionOptions connection;
  std::string stream_key;
  /// Deliver entries AFTER this id. "$" = only entries added from now on;
  /// "0" = the whole stream.
  std::string from_id = "$";
  std::size_t batch = 256;                ///< XREAD COUNT
  std::chrono::milliseconds block{2000};  ///< XREAD BLOCK per round
  std::string field = "data";             ///< the entry field carrying the payload
};

using EntryHandler = std::function<void(const StreamEntry&)>;
using GapHandler = std::function<void(const StreamGap&)>;

class StreamReader {
 public:
  StreamReader(EventLoop& loop, StreamReaderOptions options, EntryHandler on_entry, GapHandler on_gap = {});
  ~StreamReader();  ///< closes
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  /// Same contract as AsyncClient::start(); reading begins once connected.
  std::future<Status<>> start();
  /// No callback runs once close() has returned. Idempotent.
  void close();

  /// The id of the last entry delivered (or skipped for lacking the payload
  /// field); the resolved start position before that. Any thread.
  std::string last_id() const;
  bool connected() const;
  std::uint64_t reconnects() const;

  struct Impl;

 private:
  EventLoop& loop_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ts::bus
