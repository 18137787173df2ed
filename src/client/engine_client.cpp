#include "client/engine_client.hpp"

#include <chrono>

#include "core/uuid.hpp"
#include "protocol/envelope.hpp"

namespace ts::client {

protocol::CommandRequest make_request(protocol::Command command, nlohmann::json parameters,
                                      std::string source) {
  protocol::CommandRequest r;
  r.command = command;
  r.request_id = make_uuid_v4();
  r.parameters = std::move(parameters);
  r.source = std::move(source);
  r.timestamp = protocol::format_timestamp(std::chrono::system_clock::now());
  return r;
}

FailureKind classify(const Error& e) noexcept {
  const std::string_view c = e.code;
  if (c == kTimeout) return FailureKind::timeout;
  if (c == kNoEngine || (c.starts_with("REDIS_") && c != "REDIS_ERROR") || c == "CONNECT_FAILED" ||
      c == "CONNECTION_LOST")
    return FailureKind::unavailable;
  return FailureKind::other;
}

}  // namespace ts::client
