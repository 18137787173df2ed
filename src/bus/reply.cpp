#include "bus/reply.hpp"

#include <charconv>

namespace ts::bus {

std::string Reply::debug_string() const {
  switch (type) {
    case Type::nil:
      return "(nil)";
    case Type::string:
    case Type::status:
      return str;
    case Type::error:
      return "(error) " + str;
    case Type::integer:
      return std::to_string(integer);
    case Type::array: {
      std::string s = "[";
      for (std::size_t i = 0; i < elements.size(); ++i) s += (i ? ", " : "") + elements[i].debug_string();
      return s + "]";
    }
  }
  return "?";
}

Error redis_error(const Reply& r, std::string_view what) {
  std::string text = r.is_error() ? r.str : "unexpected reply " + r.debug_string();
  return Error{"REDIS_ERROR", std::string(what) + ": " + text};
}

std::optional<StreamId> StreamId::parse(std::string_view text) noexcept {
  auto num = [](std::string_view s, std::uint64_t& v) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  StreamId id;
  auto dash = text.find('-');
  if (!num(text.substr(0, dash), id.ms)) return std::nullopt;
  if (dash != std::string_view::npos && !num(text.substr(dash + 1), id.seq)) return std::nullopt;
  return id;
}

std::string StreamId::str() const { return std::to_string(ms) + "-" + std::to_string(seq); }

std::optional<StreamGap> detect_gap(const StreamInfo& info, std::string_view after_id) {
  if (!info.exists || after_id == "$") return std::nullopt;
  auto after = StreamId::parse(after_id);
  if (!after) return std::nullopt;
  auto newer = [&](const std::string& id) {
    auto v = StreamId::parse(id);
    return v && *v > *after;
  };
  bool removed;
  if (*after == StreamId{})
    removed = info.entries_added > info.length;  // from the start: was anything ever removed?
  else if (info.first_id.empty())
    removed = newer(info.last_generated_id);  // emptied after the position
  else
    removed = newer(info.first_id);
  if (!removed && !newer(info.max_deleted_id)) return std::nullopt;
  return StreamGap{std::string(after_id), info.first_id, info.max_deleted_id};
}

Result<StreamInfo> parse_stream_info(const Reply& r) {
  StreamInfo info;
  if (r.is_error()) {
    if (r.str.find("no such key") != std::string::npos) return info;
    return fail(redis_error(r, "XINFO STREAM"));
  }
  if (!r.is_array() || r.elements.size() % 2 != 0) return fail(redis_error(r, "XINFO STREAM"));
  info.exists = true;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& k = r.elements[i].str;
    const Reply& v = r.elements[i + 1];
    if (k == "length") {
      info.length = v.integer;
    } else if (k == "last-generated-id") {
      info.last_generated_id = v.str;
    } else if (k == "max-deleted-entry-id") {
      info.max_deleted_id = v.str;
    } else if (k == "entries-added") {
      info.entries_added = v.integer;
    } else if (k == "first-entry") {
      if (v.is_array() && !v.elements.empty()) info.first_id = v.elements[0].str;
    }
  }
  return info;
}

Result<std::vector<StreamEntry>> parse_stream_entries(const Reply& r, std::string_view field) {
  std::vector<StreamEntry> out;
  if (r.is_nil()) return out;
  if (!r.is_array()) return fail(redis_error(r, "stream entries"));
  out.reserve(r.elements.size());
  for (const Reply& e : r.elements) {
    if (!e.is_array() || e.elements.size() != 2 || !e.elements[1].is_array())
      return fail(redis_error(e, "stream entry"));
    const auto& fields = e.elements[1].elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == field) {
        out.push_back({e.elements[0].str, fields[i + 1].str});
        break;
      }
    }
  }
  return out;
}

Result<std::vector<StreamEntry>> parse_xread(const Reply& r, std::string_view field) {
  if (r.is_nil()) return std::vector<StreamEntry>{};
  if (!r.is_array() || r.elements.size() != 1 || !r.elements[0].is_array() ||
      r.elements[0].elements.size() != 2)
    return fail(redis_error(r, "XREAD"));
  return parse_stream_entries(r.elements[0].elements[1], field);
}

}  // namespace ts::bus
