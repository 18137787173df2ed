// `tickstock app`: the dashboard server, and `tickstock app user ...`, its users.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/dashboard.hpp"
#include "core/secret.hpp"

namespace ts::app {

namespace {

struct AppFlags {
  std::string config_file, redis, db, http, web_dir, tls_cert, tls_key;
  std::string command_secret_file;
  long engine_timeout_ms = 0;
};

Result<AppConfig> effective_config(const AppFlags& f) {
  auto c = apply_file_and_environment(AppConfig{}, f.config_file);
  if (!c) return c;
  if (!f.redis.empty()) c->redis_url = f.redis;
  if (!f.db.empty()) c->db_url = f.db;
  if (!f.http.empty()) c->http = f.http;
  if (!f.web_dir.empty()) c->web_dir = f.web_dir;
  if (!f.tls_cert.empty()) c->tls_cert = f.tls_cert;
  if (!f.tls_key.empty()) c->tls_key = f.tls_key;
  if (f.engine_timeout_ms > 0) c->engine_timeout_ms = f.engine_timeout_ms;
  if (!f.command_secret_file.empty()) {
    auto secret = read_secret_file(f.command_secret_file);
    if (!secret) return fail("INVALID_CONFIG", secret.error().message);
    c->command_secret = std::move(secret).value();
  }
  return c;
}

/// A password from one line of stdin, or typed at the terminal without echo (twice).
Result<std::string> read_password(bool from_stdin, bool confirm) {
  std::string line;
  if (from_stdin) {
    if (!std::getline(std::cin, line)) return fail("USAGE", "no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY);
  if (fd < 0) return fail("USAGE", "no terminal to prompt on: use --password-stdin");
  auto prompt = [fd](const char* text) -> std::optional<std::string> {
    (void)!::write(fd, text, std::strlen(text));
    termios old{};
    const bool tty = tcgetattr(fd, &old) == 0;
    if (tty) {
      termios quiet = old;
      quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
      tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::string s;
    char ch;
    bool got = false;
    while (::read(fd, &ch, 1) == 1) {
      got = true;
      if (ch == '\n') break;
      s += ch;
    }
    if (tty) tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    if (!got) return std::nullopt;
    return s;
  };
  auto first = prompt("Password: ");
  if (!first) {
    ::close(fd);
    return fail("USAGE", "no password entered");
  }
  if (confirm) {
    auto again = prompt("Password (again): ");
    if (!again || *again != *first) {
      ::close(fd);
      return fail("USAGE", "the passwords differ");
    }
  }
  ::close(fd);
  return *first;
}

int with_users(const std::string& db, const std::function<int(auth::UserStore&)>& fn) {
  AppFlags f;
  f.db = db;
  auto cfg = effective_config(f);
  if (!cfg) {
    std::cerr << "error: " << cfg.error().message << "\n";
    return 2;
  }
  try {
    auto users = open_users(cfg->db_url);
    return fn(*users);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

int report(const Status<>& st, const std::string& done) {
  if (!st) {
    std::cerr << "error: " << st.error().code << ": " << st.error().message << "\n";
    return st.error().code == "NOT_FOUND" ? 3 : 1;
  }
  std::cout << done << "\n";
  return 0;
}

void add_user_commands(CLI::App* app, int& exit_code) {
  auto* user = app->add_subcommand("user", "Manage the dashboard's users");
  user->require_subcommand(1);
  struct UserFlags {
    std::string db, name, role;
    bool password_stdin = false;
  };
  auto f = std::make_shared<UserFlags>();
  auto common = [f](CLI::App* cmd, bool with_name) {
    cmd->add_option("--db", f->db,
                    "The app's database (sqlite:PATH; default sqlite:./tickstock-data/app.db)");
    if (with_name) cmd->add_option("name", f->name, "User name")->required();
  };

  auto* add = user->add_subcommand("add", "Add a user (password from --password-stdin or a prompt)");
  common(add, true);
  add->add_option("--role", f->role, "viewer, operator or admin")->required();
  add->add_flag("--password-stdin", f->password_stdin, "Read the password from standard input");
  add->callback([f, &exit_code] {
    const auto role = auth::parse_role(f->role);
    if (!role) {
      std::cerr << "error: --role must be viewer, operator or admin\n";
      exit_code = 2;
      return;
    }
    exit_code = with_users(f->db, [&](auth::UserStore& users) {
      auto pw = read_password(f->password_stdin, true);
      if (!pw) {
        std::cerr << "error: " << pw.error().message << "\n";
        return 2;
      }
      auto added = users.add_user(f->name, *pw, *role);
      if (!added) return report(fail(added.error()), "");
      std::cout << "added " << added->username << " (" << auth::to_string(added->role) << ")\n";
      return 0;
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password (ends the user's sessions)");
  common(passwd, true);
  passwd->add_flag("--password-stdin", f->password_stdin, "Read the password from standard input");
  passwd->callback([f, &exit_code] {
    exit_code = with_users(f->db, [&](auth::UserStore& users) {
      auto pw = read_password(f->password_stdin, true);
      if (!pw) {
        std::cerr << "error: " << pw.error().message << "\n";
        return 2;
      }
      return report(users.set_password(f->name, *pw), "password changed for " + f->name);
    });
  });

  auto* list = user->add_subcommand("list", "List the users");
  common(list, false);
  list->callback([f, &exit_code] {
    exit_code = with_users(f->db, [](auth::UserStore& users) {
      std::printf("%-24s %-9s %-24s %-24s %s\n", "USER", "ROLE", "CREATED", "LAST LOGIN", "LOCKED UNTIL");
      for (const auto& u : users.list_users())
        std::printf("%-24s %-9s %-24s %-24s %s\n", u.username.c_str(),
                    std::string(auth::to_string(u.role)).c_str(), u.created_at.c_str(),
                    u.last_login.empty() ? "-" : u.last_login.c_str(),
                    u.locked_until.empty() ? "-" : u.locked_until.c_str());
      return 0;
    });
  });

  auto* remove = user->add_subcommand("remove", "Remove a user (and end their sessions)");
  common(remove, true);
  remove->callback([f, &exit_code] {
    exit_code = with_users(f->db, [&](auth::UserStore& users) {
      return report(users.remove_user(f->name), "removed " + f->name);
    });
  });
}

}  // namespace

void add_app_command(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<AppFlags>();
  auto* cmd = app.add_subcommand("app", "Run the dashboard server (web UI, command proxy, live events)");
  cmd->add_option("--config", f->config_file, "TOML configuration file");
  cmd->add_option("--redis", f->redis, "Redis URL of the engine (redis://[user:pass@]host:port/db)");
  cmd->add_option("--http", f->http, "Address HOST:PORT to serve on (default 127.0.0.1:8000)");
  cmd->add_option("--db", f->db, "The app's database: users and sessions (sqlite:PATH)");
  cmd->add_option("--web-dir", f->web_dir, "The front end's files (default: the source tree's web/)");
  cmd->add_option("--engine-timeout-ms", f->engine_timeout_ms, "How long to wait for the engine's replies");
  cmd->add_option("--command-secret-file", f->command_secret_file,
                  "File holding the engine's command secret: the app signs its commands (or "
                  "TICKSTOCK_COMMAND_SECRET[_FILE])");
  cmd->add_option("--tls-cert", f->tls_cert, "PEM certificate chain: serve HTTPS and WSS (or TICKSTOCK_APP_TLS_CERT)");
  cmd->add_option("--tls-key", f->tls_key, "PEM private key for --tls-cert (or TICKSTOCK_APP_TLS_KEY)");
  add_user_commands(cmd, exit_code);
  cmd->callback([f, cmd, &exit_code] {
    if (!cmd->get_subcommands().empty()) return;  // `app user ...` ran
    const auto signals = block_stop_signals();
    auto cfg = effective_config(*f);
    if (!cfg) {
      std::cerr << "error: " << cfg.error().message << "\n";
      exit_code = 2;
      return;
    }
    auto options = server_options(*cfg);
    if (!options) {
      std::cerr << "error: " << options.error().message << "\n";
      exit_code = 2;
      return;
    }
    spdlog::info("app starting: {}", describe(*cfg));
    try {
      auto users = open_users(cfg->db_url);
      if (users->user_count() == 0)
        spdlog::warn("app: no users yet: add one with `tickstock app user add NAME --role admin`");
      webapp::AppServer server(*options, *users);
      server.start();
      std::cout << "Dashboard: " << (options->tls.enabled() ? "https" : "http") << "://" << options->endpoint.host << ":" << server.port() << "/" << std::endl;
      int sig = 0;
      sigwait(&signals, &sig);
      spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      server.stop();
      exit_code = 0;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      exit_code = 1;
    }
  });
}

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

Result<webapp::AppServerOptions> server_options(const AppConfig& c) {
  webapp::AppServerOptions o;
  auto ep = server::parse_endpoint(c.http);
  if (!ep) return fail("INVALID_CONFIG", "http: " + ep.error().message);
  o.endpoint = *ep;
  auto url = bus::RedisUrl::parse(c.redis_url);
  if (!url) return fail("INVALID_CONFIG", "redis: " + url.error().message);
  o.redis = *url;
  o.web_dir = c.web_dir.empty() ? webapp::default_web_dir() : std::filesystem::path(c.web_dir);
  o.engine_timeout = std::chrono::milliseconds(c.engine_timeout_ms);
  o.secure_cookies = c.secure_cookies || !c.tls_cert.empty();
  o.command_secret = c.command_secret;
  o.tls = {c.tls_cert, c.tls_key};
  return o;
}

std::unique_ptr<auth::UserStore> open_users(const std::string& db_url) {
  auto path = sqlite_path(db_url);
  if (!path) throw auth::AuthStoreError(path.error().message);
  const auto parent = std::filesystem::path(*path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  return auth::UserStore::open(*path);
}

Result<std::optional<std::string>> ensure_admin(auth::UserStore& users,
                                                const std::filesystem::path& password_file) {
  if (users.user_count() > 0) return std::optional<std::string>{};
  std::string password = auth::generate_password();
  auto added = users.add_user("admin", password, auth::Role::admin);
  if (!added) return fail(added.error());
  // Created 0600 before anything is written, so the password is never readable by others.
  const int fd = ::open(password_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("IO_ERROR", "cannot write " + password_file.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  const std::string line = password + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return fail("IO_ERROR", "cannot write " + password_file.string());
  return std::optional<std::string>(std::move(password));
}

}  // namespace ts::app
