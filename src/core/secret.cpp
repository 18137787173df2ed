#include "core/secret.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace ts {

namespace {
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

std::string env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}
}  // namespace

Result<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("SECRET_UNREADABLE", "cannot read the secret file '" + path + "'");
  std::string s;
  // Bounded read: a secret path pointing at /dev/zero or a huge file must not hang or exhaust memory.
  s.resize(kMaxSecretFileBytes + 1);
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  if (s.size() > kMaxSecretFileBytes)
    return fail("SECRET_UNREADABLE", "the secret file '" + path + "' is larger than 64 KiB");
  // Editors and `echo` add a final newline that is not part of the secret.
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) return fail("SECRET_EMPTY", "the secret file '" + path + "' is empty");
  return s;
}

Result<std::string> secret_from_environment(const std::string& name) {
  const std::string value = env(name), file = env(name + "_FILE");
  if (!value.empty() && !file.empty())
    return fail("INVALID_CONFIG", name + " and " + name + "_FILE are both set; set one of them");
  if (!value.empty()) return value;
  if (!file.empty()) {
    auto s = read_secret_file(file);
    if (!s) return fail(s.error().code, name + "_FILE: " + s.error().message);
    return s;
  }
  return std::string();
}

}  // namespace ts
