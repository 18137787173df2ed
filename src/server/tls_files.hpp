#pragma once
// TlsFiles: where a server's TLS certificate and key are (`--tls-cert FILE
// --tls-key FILE`). Kept apart from listener.hpp so option structs can hold
// it without pulling in Asio and OpenSSL.
#include <string>

namespace ts::server {

/// Certificate chain and private key as PEM files. Both empty = plain HTTP;
/// exactly one given is a configuration error (make_server_tls_context says so).
struct TlsFiles {
  std::string cert_file;  ///< the certificate chain, leaf first
  std::string key_file;   ///< the private key, unencrypted PEM
  bool enabled() const noexcept { return !cert_file.empty() || !key_file.empty(); }
};

}  // namespace ts::server
