#pragma once
// Test-only: a throwaway self-signed certificate for 127.0.0.1 / localhost,
// generated at test time with OpenSSL's API (no key is ever committed).
//
//   auto pki = ts::server::testing::make_self_signed(dir);   // dir/cert.pem, dir/key.pem
//   options.tls = {pki.cert, pki.key};  client: {.ca_file = pki.cert}
//
// The certificate is its own CA (basicConstraints CA:TRUE), valid for a day,
// with subjectAltName DNS:localhost, IP:127.0.0.1, so hostname verification
// passes for https://127.0.0.1:PORT. Throws std::runtime_error on failure.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace ts::server::testing {

struct SelfSigned {
  std::string cert;  ///< PEM certificate path
  std::string key;   ///< PEM private key path
};

inline SelfSigned make_self_signed(const std::filesystem::path& dir, const std::string& name = "server") {
  auto need = [](bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("make_self_signed: ") + what);
  };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  need(key != nullptr, "EC key generation");
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  need(x != nullptr, "X509_new");
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 24 * 3600);
  need(X509_set_pubkey(x.get(), key.get()) == 1, "set_pubkey");
  X509_NAME* subject = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1,
                             -1, 0);
  need(X509_set_issuer_name(x.get(), subject) == 1, "set_issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    need(ext != nullptr, "extension");
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  need(X509_sign(x.get(), key.get(), EVP_sha256()) > 0, "sign");

  std::filesystem::create_directories(dir);
  SelfSigned out{(dir / (name + "-cert.pem")).string(), (dir / (name + "-key.pem")).string()};
  auto write = [&](const std::string& path, auto&& fn) {
    std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), std::fclose);
    need(f != nullptr, "open output file");
    need(fn(f.get()) == 1, "PEM write");
  };
  write(out.cert, [&](FILE* f) { return PEM_write_X509(f, x.get()); });
  write(out.key, [&](FILE* f) { return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  return out;
}

}  // namespace ts::server::testing
