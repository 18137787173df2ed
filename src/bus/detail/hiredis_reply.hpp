#pragma once
// Copies a hiredis reply into an owned bus::Reply; shared by both clients.
#include <optional>
#include <string>
#include <vector>

#include "bus/reply.hpp"
#include "bus/url.hpp"

struct redisReply;

namespace ts::bus::detail {

Reply to_reply(const redisReply& r);

/// argv as hiredis wants it (pointers and lengths into `args`, which must outlive the call).
struct CArgv {
  explicit CArgv(const std::vector<std::string>& args);
  int argc() const noexcept { return static_cast<int>(ptrs.size()); }
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
};

/// The commands that log a fresh connection in: [AUTH], [SELECT], [CLIENT SETNAME], PING.
struct HandshakeStep {
  enum class Kind { auth, select, setname, ping };
  Kind kind;
  std::vector<std::string> argv;
};
std::vector<HandshakeStep> handshake_steps(const RedisUrl& url, const std::string& client_name);

/// Turns a handshake step's reply into nothing (fine) or the error to report.
/// `where` names the server for the message (no password).
std::optional<Error> check_handshake_reply(const HandshakeStep& step, const Reply& reply, const RedisUrl& url,
                                           const std::string& where);

}  // namespace ts::bus::detail
