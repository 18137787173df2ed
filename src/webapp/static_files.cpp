#include "webapp/static_files.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <system_error>

#include "webapp/policy.hpp"
#include "core/percent.hpp"

namespace ts::webapp {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kChartsJs =
    "node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js";
constexpr std::string_view kChartsLicense = "node_modules/lightweight-charts/LICENSE";

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
                            path[prefix.size()] == '/');
}

/// FNV-1a 64: a content hash for ETags (not security relevant).
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

Result<std::string> checked_relative(std::string_view url_path) {
  auto decoded = percent_decode(url_path);
  if (!decoded) return fail("INVALID_PATH", "bad percent-escape in the path");
  std::string_view p = *decoded;
  for (const char c : p)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f)
      return fail("INVALID_PATH", "control character or backslash in the path");
  std::string rel;
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto slash = p.find('/', start);
    const std::string_view seg = p.substr(start, slash == std::string_view::npos ? p.npos : slash - start);
    if (seg == "." || seg == "..") return fail("INVALID_PATH", "'.' or '..' in the path");
    if (!seg.empty()) {
      if (!rel.empty()) rel += '/';
      rel += seg;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return rel;
}

}  // namespace

StaticKind classify_path(std::string_view path) noexcept {
  if (under(path, "/api") || under(path, "/auth") || under(path, "/ws")) return StaticKind::not_static;
  if (path == "/login") return StaticKind::login;
  if (under(path, "/assets")) return StaticKind::asset;
  if (path == "/vendor/lightweight-charts.js" || path == "/vendor/lightweight-charts.LICENSE")
    return StaticKind::vendor;
  return StaticKind::shell;
}

std::string_view content_type_for(const fs::path& p) noexcept {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr std::array<Type, 16> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".LICENSE", "text/plain; charset=utf-8"},
  }};
  const std::string ext = p.extension().string();
  for (const auto& t : kTypes)
    if (ext == t.ext) return t.type;
  if (p.filename() == "LICENSE") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(root_, ec);
  if (!ec) root_ = std::move(canonical);
}

Result<fs::path> StaticFiles::resolve(std::string_view url_path) const {
  auto rel = checked_relative(url_path);
  if (!rel) return fail(std::move(rel).error());
  switch (classify_path("/" + *rel)) {
    case StaticKind::login:
      return root_ / "login.html";
    case StaticKind::asset:
      if (*rel == "assets") return fail("NOT_FOUND", "no such file");
      return root_ / *rel;
    case StaticKind::vendor:
      return root_ / (rel->ends_with(".js") ? kChartsJs : kChartsLicense);
    case StaticKind::shell:
      return root_ / "index.html";
    case StaticKind::not_static:
      break;
  }
  return fail("NOT_FOUND", "not a static path");
}

Result<StaticFile> StaticFiles::lookup(std::string_view url_path) const {
  auto path = resolve(url_path);
  if (!path) return fail(std::move(path).error());
  std::error_code ec;
  const fs::path real = fs::canonical(*path, ec);
  if (ec || !fs::is_regular_file(real, ec)) return fail("NOT_FOUND", "no such file");
  // Symlinks must not lead out of the web directory.
  const auto mismatch = std::mismatch(root_.begin(), root_.end(), real.begin(), real.end());
  if (mismatch.first != root_.end()) return fail("NOT_FOUND", "no such file");
  std::ifstream in(real, std::ios::binary);
  if (!in) return fail("NOT_FOUND", "no such file");
  std::ostringstream ss;
  ss << in.rdbuf();
  StaticFile f;
  f.body = std::move(ss).str();
  f.content_type = std::string(content_type_for(real));
  char tag[24];
  std::snprintf(tag, sizeof tag, "\"%016llx\"", static_cast<unsigned long long>(fnv1a(f.body)));
  f.etag = tag;
  return f;
}

}  // namespace ts::webapp
