#pragma once
// Test-only helpers: loads docs/schemas/**/*.json into a SchemaSet once.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "protocol/schema_validator.hpp"

namespace ts::protocol::testing {

inline std::filesystem::path schema_dir() {
  return std::filesystem::path(TICKSTOCK_SOURCE_DIR) / "docs" / "schemas";
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Every schema document, keyed by its path relative to docs/schemas.
inline const SchemaSet& schemas() {
  static const SchemaSet set = [] {
    SchemaSet s;
    for (const auto& e : std::filesystem::recursive_directory_iterator(schema_dir())) {
      if (!e.is_regular_file() || e.path().extension() != ".json") continue;
      s.add(std::filesystem::relative(e.path(), schema_dir()).generic_string(),
            nlohmann::json::parse(read_text(e.path())));
    }
    return s;
  }();
  return set;
}

inline const nlohmann::json& schema_doc(const std::string& rel) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(rel);
  if (it == cache.end()) it = cache.emplace(rel, nlohmann::json::parse(read_text(schema_dir() / rel))).first;
  return it->second;
}

}  // namespace ts::protocol::testing
