#include "protocol/schema_validator.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>

#include "core/trading_date.hpp"
#include "protocol/envelope.hpp"
#include "protocol/json_util.hpp"

namespace ts::protocol {

using nlohmann::json;

namespace {

constexpr std::string_view kValidationKeywords[] = {"type",
                                                    "enum",
                                                    "const",
                                                    "required",
                                                    "properties",
                                                    "additionalProperties",
                                                    "minProperties",
                                                    "maxProperties",
                                                    "minimum",
                                                    "maximum",
                                                    "exclusiveMinimum",
                                                    "exclusiveMaximum",
                                                    "minLength",
                                                    "maxLength",
                                                    "pattern",
                                                    "items",
                                                    "minItems",
                                                    "maxItems",
                                                    "uniqueItems",
                                                    "allOf",
                                                    "anyOf",
                                                    "oneOf",
                                                    "not",
                                                    "$ref",
                                                    "format"};
constexpr std::string_view kAnnotations[] = {"$schema",     "$id",        "$comment", "title",
                                             "description", "default",    "examples", "definitions",
                                             "$defs",       "deprecated", "readOnly", "writeOnly"};
constexpr std::string_view kFormats[] = {"date-time", "date", "uuid"};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

std::string escape_pointer(std::string_view token) {
  std::string out;
  for (const char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

/// "events/x.json" + "../common.json" -> "common.json".
std::string resolve_path(std::string_view base_uri, std::string_view rel) {
  std::vector<std::string> parts;
  auto push_segments = [&](std::string_view s) {
    std::size_t pos = 0;
    while (pos <= s.size()) {
      const auto slash = s.find('/', pos);
      const std::string_view seg =
          s.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.emplace_back(seg);
      }
      if (slash == std::string_view::npos) break;
      pos = slash + 1;
    }
  };
  const auto dir_end = base_uri.rfind('/');
  if (dir_end != std::string_view::npos) push_segments(base_uri.substr(0, dir_end));
  push_segments(rel);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

const json* resolve_pointer(const json& doc, std::string_view pointer) {
  const json* node = &doc;
  if (pointer.empty()) return node;
  if (pointer.front() != '/') return nullptr;
  std::size_t pos = 1;
  while (true) {
    const auto slash = pointer.find('/', pos);
    const std::string_view raw =
        pointer.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    std::string token;  // unescape ~1 -> '/', ~0 -> '~'
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t idx = 0;
      for (const char c : token) {
        if (c < '0' || c > '9') return nullptr;
        idx = idx * 10 + static_cast<std::size_t>(c - '0');
      }
      if (token.empty() || idx >= node->size()) return nullptr;
      node = &(*node)[idx];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) return node;
    pos = slash + 1;
  }
}

bool is_uuid_loose(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && parse_date(s).ok();
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool matches_type(const json& v, std::string_view t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  if (t == "number") return v.is_number();
  if (t == "integer")
    return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                     v.get<double>() == std::floor(v.get<double>()));
  return false;
}

std::string short_value(const json& v) {
  std::string s = dump_json(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace

struct SchemaSet::Impl {
  std::map<std::string, json, std::less<>> docs;
  mutable std::mutex regex_mutex;
  mutable std::map<std::string, std::shared_ptr<const std::regex>, std::less<>> regexes;

  struct Ctx {
    std::vector<SchemaViolation>* out;  // null = only the verdict matters
    int depth = 0;
  };

  std::shared_ptr<const std::regex> regex(const std::string& pattern) const {
    std::lock_guard lock(regex_mutex);
    const auto it = regexes.find(pattern);
    if (it != regexes.end()) return it->second;
    std::shared_ptr<const std::regex> re;
    try {
      re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      re = nullptr;
    }
    regexes.emplace(pattern, re);
    return re;
  }

  /// Resolves "$ref" relative to the document `uri`; returns the target and its document uri.
  std::pair<const json*, std::string> resolve(std::string_view uri, std::string_view ref) const {
    const auto hash = ref.find('#');
    const std::string_view file = ref.substr(0, hash);
    const std::string_view pointer =
        hash == std::string_view::npos ? std::string_view{} : ref.substr(hash + 1);
    const std::string target_uri = file.empty() ? std::string(uri) : resolve_path(uri, file);
    const auto it = docs.find(target_uri);
    if (it == docs.end()) return {nullptr, target_uri};
    return {resolve_pointer(it->second, pointer), target_uri};
  }

  static void report(Ctx& ctx, const std::string& ipath, const std::string& spath, std::string msg) {
    if (ctx.out) ctx.out->push_back({ipath, spath, std::move(msg)});
  }

  /// True when `v` satisfies `s`. Appends violations to ctx.out when set.
  bool check(const json& s, const std::string& uri, const std::string& spath, const json& v,
             const std::string& ipath, Ctx& ctx) const {
    if (s.is_boolean()) {
      if (!s.get<bool>()) report(ctx, ipath, spath, "no value is allowed here");
      return s.get<bool>();
    }
    if (!s.is_object()) {
      report(ctx, ipath, spath, "schema is not an object");
      return false;
    }
    if (ctx.depth > 64) {
      report(ctx, ipath, spath, "schema nesting too deep ($ref cycle?)");
      return false;
    }
    bool ok = true;
    auto fail_kw = [&](std::string_view kw, std::string msg) {
      ok = false;
      report(ctx, ipath, spath + "/" + std::string(kw), std::move(msg));
    };
    // A sub-check that reports into this context.
    auto sub = [&](const json& schema, const std::string& suri, const std::string& sp, const json& val,
                   const std::string& ip) {
      ++ctx.depth;
      const bool r = check(schema, suri, sp, val, ip, ctx);
      --ctx.depth;
      return r;
    };
    // A sub-check whose violations are collected separately (combinators).
    auto probe = [&](const json& schema, const std::string& sp, std::vector<SchemaViolation>* into) {
      Ctx inner{into, ctx.depth + 1};
      return check(schema, uri, sp, v, ipath, inner);
    };

    if (const auto it = s.find("$ref"); it != s.end()) {
      if (!it->is_string()) {
        fail_kw("$ref", "$ref is not a string");
      } else {
        const auto [target, turi] = resolve(uri, it->get_ref<const std::string&>());
        if (!target) {
          fail_kw("$ref", "unresolvable $ref " + it->get<std::string>());
        } else {
          const auto hash = it->get_ref<const std::string&>().find('#');
          const std::string tpath =
              turi + "#" +
              (hash == std::string::npos ? std::string() : it->get<std::string>().substr(hash + 1));
          if (!sub(*target, turi, tpath, v, ipath)) ok = false;
        }
      }
    }

    if (const auto it = s.find("type"); it != s.end()) {
      bool any = false;
      if (it->is_string()) {
        any = matches_type(v, it->get_ref<const std::string&>());
      } else if (it->is_array()) {
        for (const auto& t : *it)
          any = any || (t.is_string() && matches_type(v, t.get_ref<const std::string&>()));
      }
      if (!any) {
        fail_kw("type", "expected " + (it->is_string() ? it->get<std::string>() : dump_json(*it)) + ", got " +
                            type_name(v) + " " + short_value(v));
        return false;  // the other keywords would only repeat the mismatch
      }
    }
    if (const auto it = s.find("enum"); it != s.end() && it->is_array()) {
      if (std::find(it->begin(), it->end(), v) == it->end())
        fail_kw("enum", short_value(v) + " is not one of " + short_value(*it));
    }
    if (const auto it = s.find("const"); it != s.end()) {
      if (*it != v) fail_kw("const", short_value(v) + " is not " + short_value(*it));
    }

    if (v.is_number()) {
      const double x = v.get<double>();
      if (const auto it = s.find("minimum"); it != s.end() && it->is_number() && x < it->get<double>())
        fail_kw("minimum", short_value(v) + " is less than the minimum " + short_value(*it));
      if (const auto it = s.find("maximum"); it != s.end() && it->is_number() && x > it->get<double>())
        fail_kw("maximum", short_value(v) + " is greater than the maximum " + short_value(*it));
      if (const auto it = s.find("exclusiveMinimum");
          it != s.end() && it->is_number() && x <= it->get<double>())
        fail_kw("exclusiveMinimum", short_value(v) + " is not greater than " + short_value(*it));
      if (const auto it = s.find("exclusiveMaximum");
          it != s.end() && it->is_number() && x >= it->get<double>())
        fail_kw("exclusiveMaximum", short_value(v) + " is not less than " + short_value(*it));
    }

    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      const std::size_t len = code_points(str);
      if (const auto it = s.find("minLength");
          it != s.end() && it->is_number_unsigned() && len < it->get<std::size_t>())
        fail_kw("minLength",
                "string of length " + std::to_string(len) + " is shorter than " + short_value(*it));
      if (const auto it = s.find("maxLength");
          it != s.end() && it->is_number_unsigned() && len > it->get<std::size_t>())
        fail_kw("maxLength",
                "string of length " + std::to_string(len) + " is longer than " + short_value(*it));
      if (const auto it = s.find("pattern"); it != s.end() && it->is_string()) {
        const auto re = regex(it->get<std::string>());
        if (!re)
          fail_kw("pattern", "pattern " + it->get<std::string>() + " does not compile");
        else if (!std::regex_search(str, *re))
          fail_kw("pattern", short_value(v) + " does not match " + it->get<std::string>());
      }
      if (const auto it = s.find("format"); it != s.end() && it->is_string()) {
        const auto& f = it->get_ref<const std::string&>();
        const bool good = f == "date-time" ? is_rfc3339(str)
                          : f == "date"    ? is_date(str)
                          : f == "uuid"    ? is_uuid_loose(str)
                                           : true;
        if (!good) fail_kw("format", short_value(v) + " is not a valid " + f);
      }
    }

    if (v.is_array()) {
      if (const auto it = s.find("minItems");
          it != s.end() && it->is_number_unsigned() && v.size() < it->get<std::size_t>())
        fail_kw("minItems",
                "array of " + std::to_string(v.size()) + " items has fewer than " + short_value(*it));
      if (const auto it = s.find("maxItems");
          it != s.end() && it->is_number_unsigned() && v.size() > it->get<std::size_t>())
        fail_kw("maxItems",
                "array of " + std::to_string(v.size()) + " items has more than " + short_value(*it));
      if (const auto it = s.find("uniqueItems"); it != s.end() && it->is_boolean() && it->get<bool>()) {
        for (std::size_t i = 0; i < v.size(); ++i)
          for (std::size_t j = i + 1; j < v.size(); ++j)
            if (v[i] == v[j]) {
              fail_kw("uniqueItems",
                      "items " + std::to_string(i) + " and " + std::to_string(j) + " are equal");
              i = j = v.size();
            }
      }
      if (const auto it = s.find("items"); it != s.end() && (it->is_object() || it->is_boolean())) {
        for (std::size_t i = 0; i < v.size(); ++i)
          if (!sub(*it, uri, spath + "/items", v[i], ipath + "/" + std::to_string(i))) ok = false;
      }
    }

    if (v.is_object()) {
      if (const auto it = s.find("required"); it != s.end() && it->is_array()) {
        for (const auto& name : *it)
          if (name.is_string() && !v.contains(name.get<std::string>()))
            fail_kw("required", "missing required property '" + name.get<std::string>() + "'");
      }
      if (const auto it = s.find("minProperties");
          it != s.end() && it->is_number_unsigned() && v.size() < it->get<std::size_t>())
        fail_kw("minProperties", "object has fewer than " + short_value(*it) + " properties");
      if (const auto it = s.find("maxProperties");
          it != s.end() && it->is_number_unsigned() && v.size() > it->get<std::size_t>())
        fail_kw("maxProperties", "object has more than " + short_value(*it) + " properties");
      const auto props = s.find("properties");
      const auto additional = s.find("additionalProperties");
      for (const auto& [key, value] : v.items()) {
        const std::string ip = ipath + "/" + escape_pointer(key);
        if (props != s.end() && props->is_object()) {
          if (const auto p = props->find(key); p != props->end()) {
            if (!sub(*p, uri, spath + "/properties/" + escape_pointer(key), value, ip)) ok = false;
            continue;
          }
        }
        if (additional != s.end()) {
          if (additional->is_boolean() && !additional->get<bool>()) {
            fail_kw("additionalProperties", "property '" + key + "' is not allowed");
          } else if (additional->is_object() &&
                     !sub(*additional, uri, spath + "/additionalProperties", value, ip)) {
            ok = false;
          }
        }
      }
    }

    if (const auto it = s.find("allOf"); it != s.end() && it->is_array()) {
      for (std::size_t i = 0; i < it->size(); ++i)
        if (!sub((*it)[i], uri, spath + "/allOf/" + std::to_string(i), v, ipath)) ok = false;
    }
    if (const auto it = s.find("anyOf"); it != s.end() && it->is_array()) {
      std::vector<SchemaViolation> first;
      bool any = false;
      for (std::size_t i = 0; i < it->size() && !any; ++i) {
        std::vector<SchemaViolation> branch;
        any = probe((*it)[i], spath + "/anyOf/" + std::to_string(i), &branch);
        if (i == 0) first = std::move(branch);
      }
      if (!any)
        fail_kw("anyOf",
                "matches none of anyOf" +
                    (first.empty() ? std::string() : " (first branch: " + first.front().message + ")"));
    }
    if (const auto it = s.find("oneOf"); it != s.end() && it->is_array()) {
      std::size_t matches = 0;
      std::string why;
      for (std::size_t i = 0; i < it->size(); ++i) {
        std::vector<SchemaViolation> branch;
        if (probe((*it)[i], spath + "/oneOf/" + std::to_string(i), &branch))
          ++matches;
        else if (!branch.empty())
          why += (why.empty() ? "" : "; ") + std::to_string(i) + ": " + branch.front().instance_path + " " +
                 branch.front().message;
      }
      if (matches == 0) fail_kw("oneOf", "matches none of oneOf (" + why + ")");
      if (matches > 1)
        fail_kw("oneOf", "matches " + std::to_string(matches) + " branches of oneOf, expected one");
    }
    if (const auto it = s.find("not"); it != s.end()) {
      if (probe(*it, spath + "/not", nullptr))
        fail_kw("not", short_value(v) + " must not match the 'not' schema");
    }
    return ok;
  }

  /// Walks every schema node of a document (schema-aware: property names and
  /// examples are not schemas) and calls fn(node, pointer).
  template <class Fn>
  static void walk(const json& s, const std::string& ptr, Fn&& fn) {
    if (!s.is_object()) return;
    fn(s, ptr);
    for (const char* kw : {"properties", "definitions", "$defs"})
      if (const auto it = s.find(kw); it != s.end() && it->is_object())
        for (const auto& [k, sub] : it->items()) walk(sub, ptr + "/" + kw + "/" + escape_pointer(k), fn);
    for (const char* kw : {"additionalProperties", "items", "not"})
      if (const auto it = s.find(kw); it != s.end()) walk(*it, ptr + "/" + kw, fn);
    for (const char* kw : {"allOf", "anyOf", "oneOf"})
      if (const auto it = s.find(kw); it != s.end() && it->is_array())
        for (std::size_t i = 0; i < it->size(); ++i)
          walk((*it)[i], ptr + "/" + kw + "/" + std::to_string(i), fn);
  }
};

SchemaSet::SchemaSet() : impl_(std::make_unique<Impl>()) {}
SchemaSet::~SchemaSet() = default;
SchemaSet::SchemaSet(SchemaSet&&) noexcept = default;
SchemaSet& SchemaSet::operator=(SchemaSet&&) noexcept = default;

void SchemaSet::add(std::string uri, json schema) { impl_->docs[std::move(uri)] = std::move(schema); }
bool SchemaSet::contains(std::string_view uri) const { return impl_->docs.find(uri) != impl_->docs.end(); }
std::vector<std::string> SchemaSet::uris() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : impl_->docs) out.push_back(k);
  return out;
}

std::vector<SchemaViolation> SchemaSet::validate(std::string_view uri, const json& instance) const {
  std::vector<SchemaViolation> out;
  const auto hash = uri.find('#');
  const std::string file(uri.substr(0, hash));
  const auto doc = impl_->docs.find(file);
  const json* target = doc == impl_->docs.end() ? nullptr
                                                : resolve_pointer(doc->second, hash == std::string_view::npos
                                                                                   ? std::string_view{}
                                                                                   : uri.substr(hash + 1));
  const std::string& turi = file;
  if (!target) {
    out.push_back({"", std::string(uri), "no schema " + std::string(uri)});
    return out;
  }
  Impl::Ctx ctx{&out, 0};
  const std::string spath =
      turi + "#" + (hash == std::string_view::npos ? std::string() : std::string(uri.substr(hash + 1)));
  impl_->check(*target, turi, spath, instance, "", ctx);
  return out;
}

std::vector<std::string> SchemaSet::unsupported_keywords() const {
  std::vector<std::string> out;
  for (const auto& entry : impl_->docs) {
    const std::string& uri = entry.first;  // a named variable: lambdas cannot capture bindings in C++20
    Impl::walk(entry.second, "", [&](const json& node, const std::string& ptr) {
      for (const auto& [kw, value] : node.items()) {
        if (one_of(kw, kValidationKeywords) || one_of(kw, kAnnotations)) {
          if (kw == "format" && (!value.is_string() || !one_of(value.get<std::string>(), kFormats)))
            out.push_back(uri + "#" + ptr + ": format " + dump_json(value));
          continue;
        }
        out.push_back(uri + "#" + ptr + ": " + kw);
      }
    });
  }
  return out;
}

std::vector<std::string> SchemaSet::broken_references() const {
  std::vector<std::string> out;
  for (const auto& entry : impl_->docs) {
    const std::string& uri = entry.first;  // a named variable: lambdas cannot capture bindings in C++20
    Impl::walk(entry.second, "", [&](const json& node, const std::string& ptr) {
      if (const auto it = node.find("$ref"); it != node.end()) {
        if (!it->is_string() || !impl_->resolve(uri, it->get_ref<const std::string&>()).first)
          out.push_back(uri + "#" + ptr + ": $ref " + dump_json(*it));
      }
      if (const auto it = node.find("pattern"); it != node.end())
        if (!it->is_string() || !impl_->regex(it->get<std::string>()))
          out.push_back(uri + "#" + ptr + ": pattern " + dump_json(*it));
    });
  }
  return out;
}

std::string to_string(const std::vector<SchemaViolation>& v) {
  std::string out;
  for (const auto& x : v) {
    if (!out.empty()) out += "; ";
    out += (x.instance_path.empty() ? std::string("(root)") : x.instance_path) + ": " + x.message + " [" +
           x.schema_path + "]";
  }
  return out;
}

}  // namespace ts::protocol
