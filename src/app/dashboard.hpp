#pragma once
// The dashboard's composition helpers, shared by `tickstock app` and
// `tickstock up` (which runs the engine and the dashboard in one process).
#include <signal.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "auth/auth.hpp"
#include "core/result.hpp"
#include "webapp/app_server.hpp"

namespace ts::app {

/// Blocks SIGINT/SIGTERM in every thread (call before any thread starts); the
/// caller then waits for one with sigwait and stops cleanly.
sigset_t block_stop_signals();

/// The AppServer settings for a configuration. Errors: INVALID_CONFIG.
Result<webapp::AppServerOptions> server_options(const AppConfig& c);

/// Opens the users database of `db_url` (sqlite:PATH), creating its directory.
/// Throws auth::AuthStoreError.
std::unique_ptr<auth::UserStore> open_users(const std::string& db_url);

/// First start of `up`: when there is no user at all, creates `admin` with a
/// generated password, writes it to `password_file` (mode 0600) and returns it
/// (the caller prints it once). nullopt when users exist already.
Result<std::optional<std::string>> ensure_admin(auth::UserStore& users,
                                                const std::filesystem::path& password_file);

}  // namespace ts::app
