#pragma once
// Percent-encoding (RFC 3986), one implementation for every URL the project
// builds or reads: Redis URLs, HTTP API queries, the dashboard's paths. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace ts {

/// Keeps A-Z a-z 0-9 - _ . ~ (the unreserved characters) and any character of
/// `keep` (e.g. "/" for a path), and writes every other byte as %XX (upper case).
std::string percent_encode(std::string_view s, std::string_view keep = {});

/// Decodes %XX escapes (either case); nullopt on a truncated or non-hex escape.
/// `plus_is_space`: a form-encoded query string, where '+' stands for ' '; in a
/// path or a URL's user info '+' is itself.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

}  // namespace ts
