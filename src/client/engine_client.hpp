#pragma once
// EngineClient: sends one command to the engine and waits for its reply, over
// Redis (request/reply on pub/sub) or HTTP, behind one interface.
//
//   auto client = RedisEngineClient::connect({.url = url});
//   auto reply = (*client)->call(make_request(Command::get_schedule));
//
// What can go wrong: a successful Result holds the engine's Reply, which may
// itself be an error (reply.ok == false: INVALID_PARAMETER, NOT_FOUND, ...).
// A failed Result is a transport failure, with one of these codes:
//   NO_ENGINE       nobody received the command (Redis PUBLISH counted 0)
//   TIMEOUT         no reply within the timeout (the engine may still act on it)
//   REDIS_*, CONNECT_FAILED   the transport could not be reached
//   INVALID_REPLY, HTTP_ERROR the answer was not a reply
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "protocol/commands.hpp"

namespace ts::client {

inline constexpr std::string_view kNoEngine = "NO_ENGINE";
inline constexpr std::string_view kTimeout = "TIMEOUT";
/// The `source` ctl puts on its requests.
inline constexpr std::string_view kCtlSource = "tickstock-ctl";

class EngineClient {
 public:
  virtual ~EngineClient() = default;
  /// Sends `request` and waits for the reply with its request_id. Not thread-safe.
  virtual Result<protocol::Reply> call(const protocol::CommandRequest& request) = 0;
  /// Where the engine is reached, for messages ("redis://127.0.0.1:6379/0").
  virtual std::string describe() const = 0;
};

/// A request ready to send: a new request id (UUID v4), `source` and the
/// current time; parameters as given (the engine validates them).
protocol::CommandRequest make_request(protocol::Command command,
                                      nlohmann::json parameters = nlohmann::json::object(),
                                      std::string source = std::string(kCtlSource));

/// How a transport failure should be reported.
enum class FailureKind { unavailable, timeout, other };
/// NO_ENGINE, REDIS_UNREACHABLE/AUTH/BAD_DB, CONNECT_FAILED, CONNECTION_LOST: unavailable;
/// TIMEOUT: timeout; anything else: other.
FailureKind classify(const Error& e) noexcept;

}  // namespace ts::client
