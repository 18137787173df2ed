#pragma once
// HttpEngineClient: commands over the engine's HTTP API (docs/openapi.yaml).
// Each command maps to its route in protocol::kCommands: {run_id} in the path,
// the other parameters in the query string (GET, DELETE) or as the JSON body
// (POST); `Authorization: Bearer <token>` on mutating routes when a token is
// set. 200 carries the result; any other status the error body
// {"error": {"code", "message", "details"}}, returned as a Reply with ok=false.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/engine_client.hpp"

namespace ts::client {

/// One HTTP exchange, before it is sent.
struct HttpCall {
  std::string method;
  std::string url;
  std::string body;  // "" for GET and DELETE
  std::vector<std::pair<std::string, std::string>> headers;
};


/// The request for `r` against `base_url` ("http://127.0.0.1:8080", a trailing
/// slash is ignored). Query values: integers and booleans as JSON text,
/// strings as-is, arrays comma-joined; keys in the command's parameter order.
HttpCall http_call_for(const protocol::CommandRequest& r, std::string_view base_url, std::string_view token);

/// Interprets a response as the reply to `r`: 200 with a JSON object is ok;
/// another status with an {"error": {...}} body is the engine's error. Anything
/// else (a proxy's HTML page, a 200 that is not an object) is HTTP_ERROR.
Result<protocol::Reply> reply_from_http(const protocol::CommandRequest& r, int status, std::string_view body);

class HttpEngineClient final : public EngineClient {
 public:
  /// `base_url` must be http(s)://host[:port][/prefix]; checked by the first call.
  /// `ca_file`: PEM CA certificate(s) to trust for https ("" = the system's store).
  HttpEngineClient(std::string base_url, std::string token, std::chrono::milliseconds timeout,
                   std::string ca_file = {});

  Result<protocol::Reply> call(const protocol::CommandRequest& request) override;
  std::string describe() const override { return base_url_; }

 private:
  std::string base_url_, token_;
  std::chrono::milliseconds timeout_;
  std::string ca_file_;
};

}  // namespace ts::client
