#pragma once
// The hiredis 0.14 async <-> boost::asio adapter (hiredis ships none).
//
// hiredis asks for read/write interest through five hooks; each maps onto one
// stream_descriptor::async_wait on the context's socket. The descriptor never
// owns the socket: the cleanup hook release()s it (deregistering it from the
// reactor and cancelling waits) before hiredis closes the fd.
#include <memory>

struct redisAsyncContext;
namespace boost::asio {
class io_context;
}

namespace ts::bus::detail {

/// Attaches `ac` to `io`. `keep_alive` is held until hiredis frees the context
/// (its cleanup hook), and for the duration of every read/write it drives, so
/// whatever `ac->data` points at outlives every hiredis callback. Returns false
/// if hiredis refused (the context already has an event library).
bool attach_asio(redisAsyncContext* ac, boost::asio::io_context& io, std::shared_ptr<void> keep_alive);

}  // namespace ts::bus::detail
