#include "bus/stream_reader.hpp"

#include <atomic>
#include <mutex>
#include <optional>

#include "bus/detail/commands.hpp"
#include "bus/detail/component.hpp"
#include "bus/detail/log.hpp"

namespace ts::bus {

using detail::invoke_safely;
using detail::log;
namespace lvl = spdlog::level;

struct StreamReader::Impl : detail::ComponentCore, std::enable_shared_from_this<StreamReader::Impl> {
  Impl(EventLoop& l, StreamReaderOptions o, EntryHandler e, GapHandler g)
      : loop(l), opt(std::move(o)), on_entry(std::move(e)), on_gap(std::move(g)), retry(l.context()) {
    position = opt.from_id.empty() ? "$" : opt.from_id;
    public_position = position;
    conn = detail::Connection::create(loop.context(), opt.connection, base_handlers());
  }

  EventLoop& loop;
  StreamReaderOptions opt;
  EntryHandler on_entry;
  GapHandler on_gap;
  boost::asio::steady_timer retry;
  mutable std::mutex mu;
  std::string public_position;  // guarded by mu; mirrors `position`
  // Loop thread only:
  std::string position;      // deliver entries after this id ("$" until resolved)
  std::string gap_reported;  // the last gap reported, so a reconnect does not repeat it
  std::uint64_t cycle = 0;   // bumped on connection loss: stale replies are ignored

  std::string what() const override { return "stream reader"; }
  void on_down(const Error&) override { ++cycle; }

  void set_position(std::string id) {
    position = std::move(id);
    std::lock_guard lock(mu);
    public_position = position;
  }

  void on_ready() override {
    ++cycle;
    if (position == "$")
      resolve_then_read();
    else
      read(true);
  }

  // "$" becomes the stream's last id now, so a reconnection cannot skip what
  // was added while the reader was away.
  void resolve_then_read() {
    auto cb = [self = shared_from_this(), c = cycle](Result<Reply> r) {
      if (c != self->cycle || self->closed || !r) return;
      auto info = parse_stream_info(*r);
      if (!info) return self->server_error(info.error());
      self->set_position(info->exists ? info->last_generated_id : "0-0");
      self->read(false);
    };
    conn->send(detail::stream_info_cmd(opt.stream_key), std::move(cb));
  }

  // One round: [XINFO STREAM (gap check)] + XREAD BLOCK, pipelined.
  void read(bool check_gap) {
    if (closed || !conn->ready()) return;
    if (check_gap) {
      auto cb = [self = shared_from_this(), c = cycle, after = position](Result<Reply> r) {
        if (c != self->cycle || self->closed || !r) return;
        auto info = parse_stream_info(*r);
        if (!info)
          return log(lvl::warn, "bus: {}: gap check failed: {}", self->conn->describe(),
                     info.error().message);
        self->check_gap(*info, after);
      };
      conn->send(detail::stream_info_cmd(opt.stream_key), std::move(cb));
    }
    auto cb = [self = shared_from_this(), c = cycle](Result<Reply> r) {
      if (c != self->cycle || self->closed || !r) return;  // transport errors: on_ready restarts
      self->on_batch(*r);
    };
    conn->send(detail::xread_cmd(opt.stream_key, position, opt.batch, opt.block), std::move(cb), opt.block);
  }

  void check_gap(const StreamInfo& info, const std::string& after) {
    auto gap = detect_gap(info, after);
    if (!gap) return;
    std::string key = gap->after_id + "|" + gap->first_id + "|" + gap->max_deleted_id;
    if (key == gap_reported) return;  // already told
    gap_reported = key;
    log(lvl::warn, "bus: {}: stream {} was trimmed past {} (first entry now {})", conn->describe(),
        opt.stream_key, gap->after_id, gap->first_id.empty() ? "none" : gap->first_id);
    invoke_safely("on_gap", on_gap, *gap);
  }

  void on_batch(const Reply& r) {
    if (r.is_error()) return server_error(redis_error(r, "XREAD"));
    auto entries = parse_xread(r, opt.field);
    if (!entries) return server_error(entries.error());
    // The position moves past every entry, also those without the payload field.
    std::size_t raw_count = 0;
    std::string raw_last;
    if (!r.is_nil()) {
      const auto& raw = r.elements[0].elements[1].elements;
      raw_count = raw.size();
      if (!raw.empty()) raw_last = raw.back().elements[0].str;
    }
    for (const auto& e : *entries) {
      if (closed) return;
      set_position(e.id);
      invoke_safely("on_entry", on_entry, e);
    }
    if (closed) return;
    if (raw_count > entries->size())
      log(lvl::warn, "bus: {}: skipped {} entr(ies) of {} without a '{}' field", conn->describe(),
          raw_count - entries->size(), opt.stream_key, opt.field);
    if (!raw_last.empty()) set_position(raw_last);
    read(raw_count >= opt.batch);  // behind: check for trimming again before the next batch
  }

  // A server error (WRONGTYPE, ACL, ...) is not going away by itself: retry slowly.
  void server_error(const Error& e) {
    log(lvl::err, "bus: {}: reading {} failed: {}; retrying in 1 s", conn->describe(), opt.stream_key,
        e.message);
    retry.expires_after(std::chrono::seconds(1));
    retry.async_wait([self = shared_from_this(), c = cycle](const boost::system::error_code& ec) {
      if (ec || c != self->cycle || self->closed) return;
      if (self->position == "$")
        self->resolve_then_read();
      else
        self->read(true);
    });
  }

  void fail_pending() override { retry.cancel(); }
};

StreamReader::StreamReader(EventLoop& loop, StreamReaderOptions options, EntryHandler on_entry,
                           GapHandler on_gap)
    : loop_(loop),
      impl_(std::make_shared<Impl>(loop, std::move(options), std::move(on_entry), std::move(on_gap))) {}

StreamReader::~StreamReader() { detail::destroy(loop_, impl_); }

std::future<Status<>> StreamReader::start() { return detail::start(loop_, impl_); }

void StreamReader::close() { detail::close(loop_, impl_); }

std::string StreamReader::last_id() const {
  std::lock_guard lock(impl_->mu);
  return impl_->public_position;
}

bool StreamReader::connected() const { return impl_->conn->connected(); }
std::uint64_t StreamReader::reconnects() const { return impl_->conn->reconnects(); }

}  // namespace ts::bus
