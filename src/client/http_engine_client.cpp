#include "client/http_engine_client.hpp"

#include <optional>

#include "server/http_client.hpp"
#include "core/percent.hpp"

namespace ts::client {

using nlohmann::json;

namespace {

std::string query_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!out.empty()) out += ',';
      out += query_value(item);
    }
    return out;
  }
  return v.dump();
}

}  // namespace

HttpCall http_call_for(const protocol::CommandRequest& r, std::string_view base_url, std::string_view token) {
  const protocol::CommandSpec& spec = protocol::spec(r.command);
  HttpCall call;
  call.method = std::string(spec.route.method);
  while (base_url.ends_with('/')) base_url.remove_suffix(1);

  json params = r.parameters.is_object() ? r.parameters : json::object();
  std::string path(spec.route.path);
  if (const auto brace = path.find("{run_id}"); brace != std::string::npos) {
    const auto it = params.find("run_id");
    const std::string id = it != params.end() && it->is_string() ? it->get<std::string>() : "";
    path.replace(brace, 8, percent_encode(id));
    params.erase("run_id");
  }
  call.url = std::string(base_url) + path;
  if (call.method == "POST") {
    call.body = params.dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    std::string query;
    // Known parameters in table order, then any others (the engine names them as unknown).
    auto add = [&](const std::string& key, const json& value) {
      query += query.empty() ? '?' : '&';
      query += percent_encode(key) + "=" + percent_encode(query_value(value));
    };
    for (const auto& p : spec.params)
      if (const auto it = params.find(p.name); it != params.end()) add(std::string(p.name), *it);
    for (const auto& [key, value] : params.items())
      if (!protocol::find_param(spec, key)) add(key, value);
    call.url += query;
  }
  call.headers.emplace_back("Accept", "application/json");
  if (spec.mutating && !token.empty())
    call.headers.emplace_back("Authorization", "Bearer " + std::string(token));
  return call;
}

Result<protocol::Reply> reply_from_http(const protocol::CommandRequest& r, int status,
                                        std::string_view body) {
  protocol::Reply reply;
  reply.request_id = r.request_id;
  reply.command = std::string(protocol::to_string(r.command));
  reply.source = "http";
  auto snippet = [&] {
    std::string s(body.substr(0, 200));
    for (char& c : s)
      if (c == '\n' || c == '\r') c = ' ';
    return s;
  };
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status == 200) {
    if (!parsed.is_object()) return fail("HTTP_ERROR", "HTTP 200 without a JSON object body: " + snippet());
    reply.ok = true;
    reply.result = parsed;
    return reply;
  }
  const json* err = nullptr;
  if (parsed.is_object())
    if (const auto it = parsed.find("error"); it != parsed.end() && it->is_object()) err = &*it;
  std::optional<protocol::ErrorCode> code;
  if (err)
    if (const auto c = err->find("code"); c != err->end() && c->is_string())
      code = protocol::parse_error_code(c->get<std::string>());
  if (!code)
    return fail("HTTP_ERROR", "HTTP " + std::to_string(status) + " without an error body: " + snippet());
  protocol::CommandError e;
  e.code = *code;
  if (const auto m = err->find("message"); m != err->end() && m->is_string())
    e.message = m->get<std::string>();
  if (const auto d = err->find("details"); d != err->end() && d->is_object()) e.details = *d;
  reply.ok = false;
  reply.error = std::move(e);
  return reply;
}

HttpEngineClient::HttpEngineClient(std::string base_url, std::string token, std::chrono::milliseconds timeout,
                                   std::string ca_file)
    : base_url_(std::move(base_url)), token_(std::move(token)), timeout_(timeout), ca_file_(std::move(ca_file)) {}

Result<protocol::Reply> HttpEngineClient::call(const protocol::CommandRequest& request) {
  const HttpCall c = http_call_for(request, base_url_, token_);
  auto response = server::http_request(c.method, c.url, c.body, c.headers, timeout_, {ca_file_});
  if (!response) return fail(std::move(response).error());
  return reply_from_http(request, response->status, response->body);
}

}  // namespace ts::client
