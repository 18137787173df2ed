#pragma once
// Secrets (the command secret, API tokens, the vendor key, passwords) come from
// the environment or from files, never from command-line literals, which any
// local user can read in `ps`. docs/security.md ("Secrets") lists them.
//
//   NAME         the value itself
//   NAME_FILE    a file holding it (e.g. a container secret, mode 0600)
//
// Errors name the variable or path, never the content.
#include <string>

#include "core/result.hpp"

namespace ts {

/// The file's content without one trailing newline (LF or CRLF). Errors:
/// SECRET_UNREADABLE (missing, unreadable, or larger than 64 KiB), SECRET_EMPTY.
Result<std::string> read_secret_file(const std::string& path);

/// $NAME when set and not empty, else the content of the file $NAME_FILE
/// names, else "" (not configured). Both set is INVALID_CONFIG (ambiguous).
Result<std::string> secret_from_environment(const std::string& name);

}  // namespace ts
