#pragma once
// The parts of an HTTP request line that routing looks at, shared by the
// engine's API router and the dashboard's routes. Views into the request:
// valid while it lives. Pure.
#include <string_view>

namespace ts::server {

struct RequestTarget {
  std::string_view method;
  std::string_view path;   // before '?'
  std::string_view query;  // after '?', without any '#fragment'; "" when none
};

/// Splits "/path?query#fragment".
constexpr RequestTarget split_target(std::string_view method, std::string_view target) noexcept {
  const auto qpos = target.find('?');
  std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  return {method, target.substr(0, qpos), query};
}

}  // namespace ts::server
