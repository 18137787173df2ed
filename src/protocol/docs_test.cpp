// Keeps docs/protocol.md, docs/asyncapi.yaml and docs/openapi.yaml in step with the
// registries: every annotated JSON example in protocol.md validates against its schema, and
// every event, channel, command, route and error code appears where it must.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "protocol/commands.hpp"
#include "protocol/events.hpp"
#include "protocol/test_support.hpp"

namespace ts::protocol {
namespace {

using nlohmann::json;

std::string doc(const char* name) {
  return testing::read_text(std::filesystem::path(TICKSTOCK_SOURCE_DIR) / "docs" / name);
}

/// Concatenation that avoids GCC 12's false -Wrestrict on "literal" + std::string.
template <class... T>
std::string cat(const T&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

TEST(ProtocolDoc, EveryAnnotatedExampleValidates) {
  const std::string md = doc("protocol.md");
  // <!-- schema: X -->, then a ```json block.
  const std::regex block(R"(<!-- schema: ([^ ]+) -->\n```json\n([\s\S]*?)\n```)");
  int n = 0;
  for (auto it = std::sregex_iterator(md.begin(), md.end(), block); it != std::sregex_iterator(); ++it) {
    const std::string uri = (*it)[1];
    SCOPED_TRACE(uri);
    ++n;
    const json value = json::parse((*it)[2].str());
    const auto errs = testing::schemas().validate(uri, value);
    EXPECT_TRUE(errs.empty()) << to_string(errs) << "\n" << value.dump();
  }
  // Every event, every command and the envelope, seed, replies, errors and status.
  EXPECT_GE(n, static_cast<int>(kEvents.size() / 2 + kCommands.size() * 2 + 6));
  // An unannotated ```json block would escape the check.
  std::size_t blocks = 0;
  for (std::size_t pos = 0; (pos = md.find("```json\n", pos)) != std::string::npos; ++pos) ++blocks;
  EXPECT_EQ(blocks, static_cast<std::size_t>(n));
}

TEST(ProtocolDoc, NamesEveryEventCommandRouteAndErrorCode) {
  const std::string md = doc("protocol.md");
  for (const auto& e : kEvents) {
    EXPECT_NE(md.find(cat("`", e.name, "`")), std::string::npos) << e.name;
    EXPECT_NE(md.find(std::string(e.channel)), std::string::npos) << e.channel;
  }
  for (const auto& c : kCommands) {
    EXPECT_NE(md.find(cat("#### `", c.name, "`")), std::string::npos) << c.name;
    const std::string row = cat("| ", c.route.method, " | `", c.route.path, "` | `", c.name, "` |");
    EXPECT_NE(md.find(row), std::string::npos) << row;
    for (const auto& p : c.params) EXPECT_NE(md.find(cat("| `", p.name, "` |")), std::string::npos);
  }
  for (const auto& e : kErrorCodes) {
    const std::string row = cat("| `", e.name, "` | ", std::to_string(e.http_status), " |");
    EXPECT_NE(md.find(row), std::string::npos) << row;
  }
  for (const auto key :
       {kStreamKey, kStatusSnapshotKey, kCommandChannel, kDefaultReplyChannel, kLegacyPatternsChannel})
    EXPECT_NE(md.find(std::string(key)), std::string::npos) << key;
}

TEST(AsyncApi, DescribesEveryChannelAndMessage) {
  const std::string y = doc("asyncapi.yaml");
  EXPECT_NE(y.find("asyncapi: 3.0.0"), std::string::npos);
  for (const auto& e : kEvents) {
    EXPECT_NE(y.find(cat("      name: ", e.name, "\n")), std::string::npos) << e.name;
    EXPECT_NE(y.find(cat("address: ", e.channel, "\n")), std::string::npos) << e.channel;
    EXPECT_NE(y.find(cat("$ref: ./schemas/events/", e.name, ".json")), std::string::npos) << e.name;
  }
  for (const auto a : {kStreamKey, kCommandChannel, kDefaultReplyChannel, kLegacyPatternsChannel})
    EXPECT_NE(y.find(cat("address: ", a, "\n")), std::string::npos) << a;
  EXPECT_NE(y.find("address: tickstock:commands:{suffix}\n"), std::string::npos);
}

TEST(OpenApi, DescribesEveryRoute) {
  const std::string y = doc("openapi.yaml");
  EXPECT_NE(y.find("openapi: 3.1.0"), std::string::npos);
  for (const auto& c : kCommands) {
    SCOPED_TRACE(std::string(c.name));
    const std::string path_line = cat("\n  ", c.route.path, ":\n");
    const auto at = y.find(path_line);
    ASSERT_NE(at, std::string::npos);
    // The method appears under its path, before the next path.
    const auto next = y.find("\n  /", at + 1);
    const std::string section = y.substr(at, next == std::string::npos ? std::string::npos : next - at);
    const auto op = section.find("\n    " + lower(c.route.method) + ":\n");
    ASSERT_NE(op, std::string::npos);
    EXPECT_NE(section.find(cat("./schemas/commands/", c.name, ".result.json")), std::string::npos);
    if (c.mutating) {
      EXPECT_NE(section.find("bearerAuth"), std::string::npos);
    }
  }
  for (const auto* p : {"\n  /health:\n", "\n  /metrics:\n"}) EXPECT_NE(y.find(p), std::string::npos) << p;
  for (const auto& e : kErrorCodes)
    EXPECT_NE(y.find(cat("'", std::to_string(e.http_status), "':")), std::string::npos) << e.http_status;
}

}  // namespace
}  // namespace ts::protocol
