#include "bus/detail/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

#include <optional>

#include "bus/detail/log.hpp"
#include "bus/url.hpp"

namespace ts::bus::detail {

Reply to_reply(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(to_reply(*r.element[i]));
      break;
    default:
      out.type = Reply::Type::nil;
  }
  return out;
}

CArgv::CArgv(const std::vector<std::string>& args) {
  ptrs.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
}

std::vector<HandshakeStep> handshake_steps(const RedisUrl& url, const std::string& client_name) {
  using K = HandshakeStep::Kind;
  std::vector<HandshakeStep> steps;
  if (!url.password.empty()) {
    if (url.user.empty())
      steps.push_back({K::auth, {"AUTH", url.password}});
    else
      steps.push_back({K::auth, {"AUTH", url.user, url.password}});
  }
  if (url.db != 0) steps.push_back({K::select, {"SELECT", std::to_string(url.db)}});
  if (!client_name.empty()) {
    std::string name = client_name;
    for (char& c : name)
      if (c == ' ' || c == '\n' || c == '\r') c = '-';
    steps.push_back({K::setname, {"CLIENT", "SETNAME", name}});
  }
  steps.push_back({K::ping, {"PING"}});
  return steps;
}

std::optional<Error> check_handshake_reply(const HandshakeStep& step, const Reply& reply, const RedisUrl& url,
                                           const std::string& where) {
  using K = HandshakeStep::Kind;
  if (!reply.is_error()) return std::nullopt;
  const std::string& msg = reply.str;
  if (msg.starts_with("NOAUTH"))
    return Error{"REDIS_AUTH_REQUIRED", where + " requires a password (" + msg +
                                            "); give it in the URL: redis://:PASSWORD@" + url.endpoint() +
                                            "/" + std::to_string(url.db)};
  switch (step.kind) {
    case K::auth:
      if (msg.find("without any password configured") != std::string::npos) {
        log(spdlog::level::warn, "bus: {}: a password was given but the server needs none", where);
        return std::nullopt;
      }
      return Error{"REDIS_AUTH_FAILED", "authentication to " + where + " failed: " + msg};
    case K::select:
      return Error{"REDIS_BAD_DB",
                   "cannot select database " + std::to_string(url.db) + " on " + where + ": " + msg};
    case K::setname:
      log(spdlog::level::warn, "bus: {}: CLIENT SETNAME refused: {}", where, msg);
      return std::nullopt;
    case K::ping:
      break;
  }
  return Error{"REDIS_HANDSHAKE_FAILED", where + ": " + msg};
}

}  // namespace ts::bus::detail
