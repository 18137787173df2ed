#pragma once
// listen_on: opens, binds (SO_REUSEADDR) and listens an acceptor on the first
// address an Endpoint resolves to. Shared by the engine's HttpServer and the
// dashboard's AppServer. Throws HttpServerError naming the endpoint and why.
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/asio/ip/tcp.hpp>

#include "server/endpoint.hpp"

namespace ts::server {

void listen_on(boost::asio::ip::tcp::acceptor& acceptor, const Endpoint& endpoint);

}  // namespace ts::server
