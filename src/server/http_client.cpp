#include "server/http_client.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

#include "server/endpoint.hpp"
#include "server/stream.hpp"

namespace ts::server {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxResponseBody = 64u << 20;
constexpr std::uint32_t kMaxResponseHeaders = 64u << 10;

struct ParsedUrl {
  Endpoint endpoint;
  std::string host_header;  // the authority as written
  std::string target;       // path?query
  bool tls = false;
};

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

Result<ParsedUrl> parse_url(std::string_view url) {
  auto bad = [&](std::string why) {
    return fail("INVALID_URL", "invalid URL '" + std::string(url.substr(0, 200)) + "': " + std::move(why) +
                                   " (expected http://host:port/path or https://...)");
  };
  const bool tls = istarts_with(url, "https://");
  if (!tls && !istarts_with(url, "http://")) return bad("it does not start with http:// or https://");
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("it contains a space or control character");
  std::string_view rest = url.substr(tls ? 8 : 7);
  const auto end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (authority.empty()) return bad("the host is empty");
  if (authority.find('@') != std::string_view::npos) return bad("credentials in the URL are not supported");
  const bool has_port = authority.front() == '[' ? authority.find("]:") != std::string_view::npos
                                                 : authority.find(':') != std::string_view::npos;
  auto endpoint =
      parse_endpoint(has_port ? std::string(authority) : std::string(authority) + (tls ? ":443" : ":80"));
  if (!endpoint) return bad(endpoint.error().message);
  if (endpoint->port == 0) return bad("port 0");
  ParsedUrl out{std::move(endpoint).value(), std::string(authority), std::string(target), tls};
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  return out;
}

}  // namespace

const std::string* find_header(const HttpResponse& r, std::string_view name) {
  for (const auto& [key, value] : r.headers)
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return &value;
  return nullptr;
}

Result<HttpResponse> http_request(std::string_view method, std::string_view url, std::string_view body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::chrono::milliseconds timeout, const HttpClientOptions& options) {
  auto parsed = parse_url(url);
  if (!parsed) return fail(std::move(parsed).error());
  if (method.empty() || std::any_of(method.begin(), method.end(),
                                    [](char c) { return !std::isupper(static_cast<unsigned char>(c)); }))
    return fail("INVALID_URL", "invalid HTTP method '" + std::string(method.substr(0, 40)) + "'");
  const ParsedUrl& u = *parsed;
  const std::string where = u.endpoint.str();

  http::request<http::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(u.target);
  req.version(11);
  req.set(http::field::host, u.host_header);
  req.set(http::field::user_agent, "tickstock");
  req.set(http::field::accept, "application/json, text/plain");
  req.keep_alive(false);
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    has_content_type = has_content_type || beast::iequals(name, "content-type");
    req.insert(name, value);
  }
  if (!body.empty()) {
    req.body() = std::string(body);
    if (!has_content_type) req.set(http::field::content_type, "application/json");
  }
  req.prepare_payload();

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  std::optional<net::ssl::context> tls;
  if (u.tls) {
    tls.emplace(net::ssl::context::tls_client);
    tls->set_options(net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (options.ca_file.empty())
      tls->set_default_verify_paths(ec);
    else
      tls->load_verify_file(options.ca_file, ec);
    if (ec)
      return fail("TLS_FAILED", "https: cannot load the CA " +
                                    (options.ca_file.empty() ? std::string("store") : "file " + options.ca_file) +
                                    ": " + ec.message());
    tls->set_verify_mode(net::ssl::verify_peer);
  }
  Stream stream = tls ? Stream(tcp::socket(ioc), *tls) : Stream(tcp::socket(ioc));
  if (auto* t = stream.tls_stream()) {
    // SNI, and the name the certificate must carry (a DNS name, or an IP address SAN).
    if (!SSL_set_tlsext_host_name(t->native_handle(), u.endpoint.host.c_str()))
      return fail("TLS_FAILED", "https: cannot set the server name " + u.endpoint.host);
    t->set_verify_callback(net::ssl::host_name_verification(u.endpoint.host));
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  parser.header_limit(kMaxResponseHeaders);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<Error> error;
  bool done = false;

  auto timed_out = [&](std::string_view during) {
    return Error{"TIMEOUT", "http: " + std::string(method) + " " + where + u.target + ": no answer within " +
                                std::to_string(timeout.count()) + " ms (" + std::string(during) + ")"};
  };
  auto read_response = [&](std::optional<beast::error_code> write_error) {
    stream.tcp().expires_at(deadline);
    http::async_read(stream, buffer, parser, [&, write_error](beast::error_code ec, std::size_t) {
      done = true;
      if (!ec) return;
      if (ec == beast::error::timeout) {
        error = timed_out("reading the response");
      } else if (ec == http::error::body_limit) {
        error = Error{"RESPONSE_TOO_LARGE", "http: " + where + u.target + ": response body over 64 MiB"};
      } else {
        // When the write failed too, its error is the one that explains it.
        const auto& cause = write_error ? *write_error : ec;
        error = Error{"HTTP_ERROR",
                      "http: " + std::string(method) + " " + where + u.target + ": " + cause.message()};
      }
    });
  };

  resolver.async_resolve(
      u.endpoint.host, std::to_string(u.endpoint.port), tcp::resolver::numeric_service,
      [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) {
          done = true;
          error = Error{"CONNECT_FAILED", "http: cannot resolve " + where + ": " + ec.message()};
          return;
        }
        stream.tcp().expires_at(deadline);
        stream.tcp().async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
          if (ec2) {
            done = true;
            error = ec2 == beast::error::timeout
                        ? timed_out("connecting")
                        : Error{"CONNECT_FAILED", "http: cannot connect to " + where + ": " + ec2.message()};
            return;
          }
          auto send = [&] {
            http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
              if (ec3 == beast::error::timeout) {
                done = true;
                error = timed_out("sending the request");
                return;
              }
              // A server may answer early (413) and stop reading: still read its response.
              read_response(ec3 ? std::optional(ec3) : std::nullopt);
            });
          };
          if (!stream.tls()) return send();
          stream.tls_stream()->async_handshake(net::ssl::stream_base::client, [&, send](beast::error_code ec4) {
            if (!ec4) return send();
            done = true;
            error = ec4 == beast::error::timeout
                        ? timed_out("the TLS handshake")
                        : Error{"TLS_FAILED", "https: TLS handshake with " + where + " failed: " + ec4.message()};
          });
        });
      });

  // The stream's deadline bounds connect, write and read; this bounds resolution.
  ioc.run_for(timeout + std::chrono::milliseconds(100));
  if (!done) {
    resolver.cancel();
    stream.close();
    return fail(timed_out("resolving the host"));
  }
  if (error) return fail(std::move(*error));

  auto res = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res.base())
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return out;
}

}  // namespace ts::server
