#pragma once
// Internal JSON helpers shared by the protocol codecs (not part of the API;
// the dashboard's routes use parse_json's strict mode for request bodies).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts::protocol {

/// Compact dump that never throws: invalid UTF-8 becomes U+FFFD.
std::string dump_json(const nlohmann::json& j);
/// Nesting allowed by strict parsing (objects and arrays; a command needs 3).
inline constexpr int kMaxStrictDepth = 32;

/// Parses one JSON text. INVALID_JSON with the byte position, line, column and
/// the parser's reason on failure (the byte offset also in *error_position);
/// never throws. `strict` (commands: input from anyone who can publish or
/// connect) also refuses, as INVALID_JSON, a key repeated within one object
/// (which value would win is parser-specific, so a validator and a consumer
/// could read different commands) and nesting deeper than kMaxStrictDepth.
Result<nlohmann::json> parse_json(std::string_view raw, std::size_t* error_position = nullptr,
                                  bool strict = false);
/// The decoders' first step: PAYLOAD_TOO_LARGE when raw is over max_bytes (checked
/// before parsing; `what` names the message, e.g. "event"), else parse_json.
Result<nlohmann::json> parse_bounded(std::string_view raw, std::size_t max_bytes, std::string_view what,
                                     std::size_t* error_position = nullptr, bool strict = false);
/// "object", "array", "string", "integer", "number", "boolean", "null".
std::string type_name(const nlohmann::json& j);
/// s quoted for messages: 'text', JSON-escaped, at most 60 bytes of it.
std::string quote_for_message(std::string_view s);

}  // namespace ts::protocol
