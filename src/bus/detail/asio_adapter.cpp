#include "bus/detail/asio_adapter.hpp"

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <utility>  // before boost/asio: Boost 1.74 Asio needs std::exchange under C++20

namespace ts::bus::detail {
namespace {

using boost::asio::posix::stream_descriptor;

struct AsioEvents : std::enable_shared_from_this<AsioEvents> {
  AsioEvents(boost::asio::io_context& io, redisAsyncContext* c) : ac(c), socket(io, c->c.fd) {}

  redisAsyncContext* ac;  // null once hiredis cleaned up
  stream_descriptor socket;
  bool want_read = false, want_write = false;
  bool read_armed = false, write_armed = false;
  std::shared_ptr<AsioEvents> self;  // hiredis's reference, dropped by cleanup()
  std::shared_ptr<void> keep_alive;  // the owner of ac->data

  void arm(bool read) {
    bool& armed = read ? read_armed : write_armed;
    if (armed || !ac) return;
    armed = true;
    socket.async_wait(
        read ? stream_descriptor::wait_read : stream_descriptor::wait_write,
        [s = shared_from_this(), read](const boost::system::error_code& ec) { s->ready(read, ec); });
  }

  void ready(bool read, const boost::system::error_code& ec) {
    (read ? read_armed : write_armed) = false;
    if (ec || !ac || !(read ? want_read : want_write)) return;
    auto hold = keep_alive;  // hiredis may free the context (and call back into the owner) below
    if (read)
      redisAsyncHandleRead(ac);
    else
      redisAsyncHandleWrite(ac);
    if (ac && (read ? want_read : want_write)) arm(read);
  }

  static AsioEvents* of(void* p) { return static_cast<AsioEvents*>(p); }
  static void add_read(void* p) {
    of(p)->want_read = true;
    of(p)->arm(true);
  }
  static void del_read(void* p) { of(p)->want_read = false; }
  static void add_write(void* p) {
    of(p)->want_write = true;
    of(p)->arm(false);
  }
  static void del_write(void* p) { of(p)->want_write = false; }
  static void cleanup(void* p) {
    AsioEvents* e = of(p);
    e->ac = nullptr;
    e->want_read = e->want_write = false;
    e->socket.release();  // cancels pending waits; hiredis closes the fd itself
    e->keep_alive.reset();
    e->self.reset();  // may destroy *e: nothing may follow
  }
};

}  // namespace

bool attach_asio(redisAsyncContext* ac, boost::asio::io_context& io, std::shared_ptr<void> keep_alive) {
  if (ac->ev.data != nullptr) return false;
  std::shared_ptr<AsioEvents> events;
  try {
    events = std::make_shared<AsioEvents>(io, ac);
  } catch (const std::exception&) {  // the reactor refused the descriptor
    return false;
  }
  events->self = events;
  events->keep_alive = std::move(keep_alive);
  ac->ev.data = events.get();
  ac->ev.addRead = &AsioEvents::add_read;
  ac->ev.delRead = &AsioEvents::del_read;
  ac->ev.addWrite = &AsioEvents::add_write;
  ac->ev.delWrite = &AsioEvents::del_write;
  ac->ev.cleanup = &AsioEvents::cleanup;
  return true;
}

}  // namespace ts::bus::detail
