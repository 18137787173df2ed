#include "protocol/json_util.hpp"

#include <unordered_set>
#include <vector>

namespace ts::protocol {

using nlohmann::json;

namespace {
/// Thrown from the strict parser's callback; carries the refusal's text.
struct StrictRefusal {
  std::string message;
};
}  // namespace

std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> parse_json(std::string_view raw, std::size_t* error_position, bool strict) {
  try {
    if (!strict) return json::parse(raw.begin(), raw.end());
    // The callback sees every object's keys as they are read, and the depth:
    // one set of keys per open object.
    std::vector<std::unordered_set<std::string>> keys;
    auto check = [&keys](int depth, json::parse_event_t event, json& parsed) {
      switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
          if (depth >= kMaxStrictDepth)
            throw StrictRefusal{"nested deeper than " + std::to_string(kMaxStrictDepth) + " levels"};
          if (event == json::parse_event_t::object_start) keys.emplace_back();
          break;
        case json::parse_event_t::key:
          if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
            throw StrictRefusal{"duplicate key " + quote_for_message(parsed.get<std::string>())};
          break;
        case json::parse_event_t::object_end:
          if (!keys.empty()) keys.pop_back();
          break;
        default:
          break;
      }
      return true;
    };
    return json::parse(raw.begin(), raw.end(), check);
  } catch (const StrictRefusal& e) {
    if (error_position) *error_position = 0;
    return fail("INVALID_JSON", "refused JSON: " + e.message);
  } catch (const json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: <reason>".
    const std::string what = e.what();
    const auto at = what.find(" at line ");
    const auto colon = what.find(": ", at == std::string::npos ? 0 : at);
    std::string where = at == std::string::npos || colon == std::string::npos
                            ? std::string()
                            : " (" + what.substr(at + 4, colon - at - 4) + ")";
    const std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    if (error_position) *error_position = e.byte;
    return fail("INVALID_JSON", "malformed JSON at byte " + std::to_string(e.byte) + where + ": " + reason);
  } catch (const json::exception& e) {
    // Syntactically fine but not representable, e.g. out_of_range.406 for a
    // number such as 1e999: as bad as a syntax error for every caller, and it
    // must not escape (found by fuzz/fuzz_http_request).
    const std::string what = e.what();
    const auto bracket = what.find("] ");
    if (error_position) *error_position = 0;
    return fail("INVALID_JSON", "unusable JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::null:
      return "null";
    default:
      return "invalid";
  }
}

std::string quote_for_message(std::string_view s) {
  const std::string escaped = dump_json(json(std::string(s.substr(0, 60))));  // "..." with JSON escapes
  std::string out = "'";
  out.append(escaped, 1, escaped.size() - 2);
  out += s.size() > 60 ? "...'" : "'";
  return out;
}

Result<json> parse_bounded(std::string_view raw, std::size_t max_bytes, std::string_view what,
                           std::size_t* error_position, bool strict) {
  if (raw.size() > max_bytes)
    return fail("PAYLOAD_TOO_LARGE", std::string(what) + " is " + std::to_string(raw.size()) +
                                         " bytes, over the limit of " + std::to_string(max_bytes) + " bytes");
  return parse_json(raw, error_position, strict);
}

}  // namespace ts::protocol
