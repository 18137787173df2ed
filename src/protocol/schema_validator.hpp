#pragma once
// A small JSON Schema validator: the subset docs/schemas/*.json use (draft-07
// syntax, which AsyncAPI and OpenAPI 3.1 tools read as well).
//
//   type (incl. integer, arrays of types), enum, const, required, properties,
//   additionalProperties (bool or schema), minProperties, maxProperties,
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers), minLength,
//   maxLength (code points), pattern (ECMAScript, unanchored search), items (one
//   schema), minItems, maxItems, uniqueItems, allOf, anyOf, oneOf, not, $ref
//   (local "#/definitions/x", "#/$defs/x" and relative files
//   "../common.json#/definitions/x"), format date-time, date and uuid (loose).
//   Annotations ($schema, $id, $comment, title, description, default, examples,
//   definitions, $defs, deprecated, readOnly, writeOnly) are ignored.
//
// unsupported_keywords() reports anything else a stored schema uses, so a
// schema can never rely on a keyword this validator silently skips.
// Pure: documents are added as parsed JSON; validate() is thread-safe.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ts::protocol {

struct SchemaViolation {
  std::string instance_path;  // JSON pointer into the instance, "" = the root
  std::string schema_path;    // document uri + "#" + JSON pointer of the failing keyword
  std::string message;
};

class SchemaSet {
 public:
  SchemaSet();
  ~SchemaSet();
  SchemaSet(SchemaSet&&) noexcept;
  SchemaSet& operator=(SchemaSet&&) noexcept;

  /// Stores a schema document under a relative uri, e.g. "events/import_progress.json".
  void add(std::string uri, nlohmann::json schema);
  bool contains(std::string_view uri) const;
  std::vector<std::string> uris() const;

  /// Validates an instance against the document at `uri` (optionally with a
  /// "#/pointer" fragment). Empty result = valid. An unknown uri or an
  /// unresolvable $ref is reported as a violation, never ignored.
  std::vector<SchemaViolation> validate(std::string_view uri, const nlohmann::json& instance) const;
  bool is_valid(std::string_view uri, const nlohmann::json& instance) const {
    return validate(uri, instance).empty();
  }

  /// "uri#/pointer: keyword" for every keyword outside the supported subset and
  /// every unknown format.
  std::vector<std::string> unsupported_keywords() const;
  /// "uri#/pointer: $ref" for every $ref that does not resolve, and every
  /// pattern std::regex cannot compile.
  std::vector<std::string> broken_references() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Joins all violations into one readable line (for test failures and logs).
std::string to_string(const std::vector<SchemaViolation>& v);

}  // namespace ts::protocol
