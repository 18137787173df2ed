#include "protocol/schema_validator.hpp"

#include <gtest/gtest.h>

namespace ts::protocol {
namespace {

using nlohmann::json;

/// Validates `instance` against an inline schema stored as "t.json".
std::vector<SchemaViolation> check(const char* schema, const json& instance) {
  SchemaSet s;
  s.add("t.json", json::parse(schema));
  return s.validate("t.json", instance);
}

bool valid(const char* schema, const json& instance) { return check(schema, instance).empty(); }

/// Fails unless exactly the expected keyword rejects the instance.
void expect_rejected_by(const char* schema, const json& instance, const std::string& keyword) {
  const auto v = check(schema, instance);
  ASSERT_FALSE(v.empty()) << schema << " accepted " << instance.dump();
  EXPECT_TRUE(v.front().schema_path.ends_with("/" + keyword)) << to_string(v);
}

TEST(SchemaValidator, Type) {
  EXPECT_TRUE(valid(R"({"type":"integer"})", 3));
  EXPECT_TRUE(valid(R"({"type":"integer"})", 3.0));
  expect_rejected_by(R"({"type":"integer"})", 3.5, "type");
  expect_rejected_by(R"({"type":"integer"})", "3", "type");
  expect_rejected_by(R"({"type":"integer"})", true, "type");
  EXPECT_TRUE(valid(R"({"type":"number"})", 3));
  expect_rejected_by(R"({"type":"number"})", nullptr, "type");
  expect_rejected_by(R"({"type":"string"})", 1, "type");
  expect_rejected_by(R"({"type":"boolean"})", 0, "type");
  expect_rejected_by(R"({"type":"object"})", json::array(), "type");
  expect_rejected_by(R"({"type":"array"})", json::object(), "type");
  expect_rejected_by(R"({"type":"null"})", 0, "type");
  EXPECT_TRUE(valid(R"({"type":["string","null"]})", nullptr));
  expect_rejected_by(R"({"type":["string","null"]})", 1, "type");
}

TEST(SchemaValidator, EnumAndConst) {
  EXPECT_TRUE(valid(R"({"enum":["a",1]})", 1));
  expect_rejected_by(R"({"enum":["a",1]})", "b", "enum");
  EXPECT_TRUE(valid(R"({"const":"1.0"})", "1.0"));
  expect_rejected_by(R"({"const":"1.0"})", 1.0, "const");
}

TEST(SchemaValidator, ObjectKeywords) {
  const char* s = R"({"type":"object","required":["a"],"properties":{"a":{"type":"integer"},"b":{}},
                     "additionalProperties":false})";
  EXPECT_TRUE(valid(s, json{{"a", 1}, {"b", "x"}}));
  expect_rejected_by(s, json{{"b", 1}}, "required");
  expect_rejected_by(s, json{{"a", "1"}}, "type");
  expect_rejected_by(s, json{{"a", 1}, {"c", 1}}, "additionalProperties");
  const char* typed = R"({"additionalProperties":{"type":"number"}})";
  EXPECT_TRUE(valid(typed, json{{"x", 1.5}}));
  expect_rejected_by(typed, json{{"x", "1.5"}}, "type");
  expect_rejected_by(R"({"minProperties":1})", json::object(), "minProperties");
  expect_rejected_by(R"({"maxProperties":1})", json{{"a", 1}, {"b", 2}}, "maxProperties");
  // Keywords for other types do not apply.
  EXPECT_TRUE(valid(R"({"required":["a"],"minLength":3})", 5));
}

TEST(SchemaValidator, NumberKeywords) {
  EXPECT_TRUE(valid(R"({"minimum":1,"maximum":200})", 200));
  expect_rejected_by(R"({"minimum":1})", 0, "minimum");
  expect_rejected_by(R"({"maximum":200})", 200.5, "maximum");
  expect_rejected_by(R"({"exclusiveMinimum":0})", 0, "exclusiveMinimum");
  expect_rejected_by(R"({"exclusiveMaximum":1})", 1, "exclusiveMaximum");
}

TEST(SchemaValidator, StringKeywords) {
  EXPECT_TRUE(
      valid(R"({"minLength":2,"maxLength":3})", "\xc3\xa9\xc3\xa9\xc3\xa9"));  // 3 code points, 6 bytes
  expect_rejected_by(R"({"minLength":2})", "a", "minLength");
  expect_rejected_by(R"({"maxLength":3})", "abcd", "maxLength");
  EXPECT_TRUE(valid(R"({"pattern":"^[A-Z][A-Z0-9.\\-]{0,9}$"})", "BRK.B"));
  expect_rejected_by(R"({"pattern":"^[A-Z][A-Z0-9.\\-]{0,9}$"})", "AAPL;DROP", "pattern");
  EXPECT_TRUE(valid(R"({"pattern":"b"})", "abc"));           // unanchored, as JSON Schema says
  expect_rejected_by(R"({"pattern":"("})", "x", "pattern");  // a broken pattern never passes
}

TEST(SchemaValidator, Formats) {
  EXPECT_TRUE(valid(R"({"format":"date-time"})", "2025-09-26T16:00:00Z"));
  EXPECT_TRUE(valid(R"({"format":"date-time"})", "2026-03-09T16:10:00-04:00"));
  expect_rejected_by(R"({"format":"date-time"})", "2025-09-26 16:00", "format");
  EXPECT_TRUE(valid(R"({"format":"date"})", "2024-02-29"));
  expect_rejected_by(R"({"format":"date"})", "2025-02-29", "format");
  expect_rejected_by(R"({"format":"date"})", "20250228", "format");
  EXPECT_TRUE(valid(R"({"format":"uuid"})", "6F1C2A9E-4B7D-4F3E-9A51-0C2D8E7F1A23"));
  expect_rejected_by(R"({"format":"uuid"})", "uuid-here", "format");
  EXPECT_TRUE(valid(R"({"format":"date"})", 5));  // formats apply to strings only
}

TEST(SchemaValidator, ArrayKeywords) {
  const char* s =
      R"({"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2,"uniqueItems":true})";
  EXPECT_TRUE(valid(s, json{"a", "b"}));
  expect_rejected_by(s, json::array(), "minItems");
  expect_rejected_by(s, json{"a", "b", "c"}, "maxItems");
  expect_rejected_by(s, json{"a", "a"}, "uniqueItems");
  const auto v = check(s, json{"a", 2});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_path, "/1");
}

TEST(SchemaValidator, Combinators) {
  const char* one = R"({"oneOf":[{"type":"integer"},{"type":"number","minimum":10}]})";
  EXPECT_TRUE(valid(one, 3));
  EXPECT_TRUE(valid(one, 10.5));
  expect_rejected_by(one, 12, "oneOf");   // matches both
  expect_rejected_by(one, "x", "oneOf");  // matches none
  const char* any = R"({"anyOf":[{"type":"string"},{"type":"null"}]})";
  EXPECT_TRUE(valid(any, nullptr));
  expect_rejected_by(any, 1, "anyOf");
  const char* all = R"({"allOf":[{"type":"integer"},{"minimum":5}]})";
  EXPECT_TRUE(valid(all, 6));
  expect_rejected_by(all, 4, "minimum");
  const char* no = R"({"not":{"required":["universe","symbols"]}})";
  EXPECT_TRUE(valid(no, json{{"universe", "dow30"}}));
  expect_rejected_by(no, json{{"universe", "dow30"}, {"symbols", json::array()}}, "not");
}

TEST(SchemaValidator, References) {
  SchemaSet s;
  s.add("common.json", json::parse(R"({"definitions":{"runId":{"type":"string","pattern":"^[a-z]+$"},
                                                       "a~b/c":{"const":1}}})"));
  s.add("events/x.json", json::parse(R"({"type":"object","properties":{
      "run_id":{"$ref":"../common.json#/definitions/runId"},
      "local":{"$ref":"#/$defs/n"},
      "esc":{"$ref":"../common.json#/definitions/a~0b~1c"}},
      "$defs":{"n":{"type":"integer"}}})"));
  EXPECT_TRUE(s.is_valid("events/x.json", json{{"run_id", "abc"}, {"local", 1}, {"esc", 1}}));
  auto v = s.validate("events/x.json", json{{"run_id", "ABC"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].instance_path, "/run_id");
  EXPECT_EQ(v[0].schema_path, "common.json#/definitions/runId/pattern");
  EXPECT_FALSE(s.is_valid("events/x.json", json{{"local", "1"}}));
  EXPECT_FALSE(s.is_valid("events/x.json", json{{"esc", 2}}));
  EXPECT_TRUE(s.is_valid("common.json#/definitions/runId", "abc"));
  EXPECT_FALSE(s.is_valid("common.json#/definitions/runId", "1"));
  EXPECT_TRUE(s.broken_references().empty());

  // Unresolvable references and unknown documents are violations, never passes.
  s.add("bad.json", json::parse(R"({"properties":{"a":{"$ref":"missing.json#/definitions/x"}}})"));
  EXPECT_FALSE(s.is_valid("bad.json", json{{"a", 1}}));
  EXPECT_EQ(s.broken_references().size(), 1u);
  EXPECT_FALSE(s.is_valid("nope.json", 1));
  // A $ref cycle ends in a violation, not a stack overflow.
  s.add("loop.json", json::parse(R"({"$ref":"#"})"));
  EXPECT_FALSE(s.is_valid("loop.json", 1));
}

TEST(SchemaValidator, ReportsKeywordsOutsideTheSubset) {
  SchemaSet s;
  s.add("a.json", json::parse(R"({"type":"object","description":"d","examples":[{"if":1}],
      "properties":{"if":{"type":"string","format":"email"},"pattern":{"then":{}}},
      "definitions":{"x":{"patternProperties":{}}}})"));
  auto u = s.unsupported_keywords();
  std::sort(u.begin(), u.end());
  ASSERT_EQ(u.size(), 3u) << ::testing::PrintToString(u);
  EXPECT_EQ(u[0], "a.json#/definitions/x: patternProperties");
  EXPECT_EQ(u[1], "a.json#/properties/if: format \"email\"");
  EXPECT_EQ(u[2], "a.json#/properties/pattern: then");
}

TEST(SchemaValidator, BooleanSchemas) {
  EXPECT_TRUE(valid("true", 1));
  expect_rejected_by(R"({"properties":{"a":false}})", json{{"a", 1}}, "a");
}

}  // namespace
}  // namespace ts::protocol
