#pragma once
// StaticFiles: the front end's files under --web-dir, mapped from URL paths
// (docs/app.md, "Static files"):
//   /login                                -> login.html
//   /assets/<path>                        -> assets/<path>
//   /vendor/lightweight-charts.js         ->
//   node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js
//   /vendor/lightweight-charts.LICENSE    -> node_modules/lightweight-charts/LICENSE
//   everything else (the SPA's routes)    -> index.html (the caller checks the session first)
//
// Traversal: the path is percent-decoded once, then refused (INVALID_PATH) if
// any segment is "." or "..", or it holds a backslash, a NUL or a control
// character, encoded or not; the file found must also resolve (symlinks
// followed) inside the web directory. Files are read on each request (they
// are small, and an edited file shows at once); the ETag is a hash of the
// content, so a browser revalidates cheaply (304).
//
// Thread-safety: const methods, safe from any thread. Blocking (file reads).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts::webapp {

/// What an URL path maps to.
enum class StaticKind { login, asset, vendor, shell, not_static };

/// not_static for /api, /auth, /ws and anything under them (and exactly those).
StaticKind classify_path(std::string_view path) noexcept;

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;  ///< strong, quoted
};

/// "text/javascript; charset=utf-8" for ".js", ...; application/octet-stream when unknown.
std::string_view content_type_for(const std::filesystem::path& p) noexcept;

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  /// The file for an URL path (without the query). Errors: INVALID_PATH
  /// (traversal, bad escape), NOT_FOUND.
  Result<StaticFile> lookup(std::string_view url_path) const;
  /// Where `url_path` would be served from, after the traversal checks.
  Result<std::filesystem::path> resolve(std::string_view url_path) const;
  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace ts::webapp
