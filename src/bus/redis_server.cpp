#include "bus/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <system_error>
#include <thread>

#include "bus/sync_client.hpp"

namespace ts::bus {
namespace {

std::string find_executable(const std::string& configured) {
  std::string name = configured;
  if (name.empty()) {
    const char* env = std::getenv("TICKSTOCK_REDIS_SERVER");
    name = env && *env ? env : "redis-server";
  }
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  dirs += ":/usr/sbin:/usr/local/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

bool reap(pid_t pid, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Result<int> pick_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("REDIS_SERVER_FAILED", std::string("socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  int err = errno;
  ::close(fd);
  if (port <= 0)
    return fail("REDIS_SERVER_FAILED", std::string("no free loopback port: ") + std::strerror(err));
  return port;
}

RedisServer::RedisServer(RedisServerOptions options)
    : opt_(std::move(options)), port_(opt_.port), dir_(opt_.dir) {}

RedisServer::~RedisServer() {
  stop(true);
  if (own_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

RedisUrl RedisServer::url() const {
  RedisUrl u;
  u.host = "127.0.0.1";
  u.port = port_;
  u.password = opt_.password;
  return u;
}

std::string RedisServer::log_tail(std::size_t lines) const {
  std::ifstream in(dir_ / "redis.log");
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

Status<> RedisServer::start() {
  auto bad = [](const std::string& why) { return fail("REDIS_SERVER_FAILED", why); };
  if (running()) return Ok{};
  std::string exe = find_executable(opt_.executable);
  if (exe.empty())
    return bad(
        "redis-server not found (PATH or $TICKSTOCK_REDIS_SERVER); install the Debian package redis-server");
  if (dir_.empty()) {
    std::error_code ec;
    auto tmp = std::filesystem::temp_directory_path(ec);
    std::string tmpl = ((ec ? std::filesystem::path("/tmp") : tmp) / "tickstock-redis-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return bad(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    own_dir_ = true;
  }
  if (port_ == 0) {
    auto p = pick_free_port();
    if (!p) return fail(p.error());
    port_ = *p;
  }

  std::vector<std::string> args{
      exe,  "--port", std::to_string(port_), "--bind",      "127.0.0.1", "--save",    "", "--appendonly",
      "no", "--dir",  dir_.string(),         "--daemonize", "no",        "--logfile", ""};
  if (!opt_.password.empty()) args.insert(args.end(), {"--requirepass", opt_.password});
  args.insert(args.end(), opt_.extra_args.begin(), opt_.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log_path = (dir_ / "redis.log").string();
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return bad(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {  // child: async-signal-safe calls only
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    if (in >= 0) dup2(in, 0);
    execv(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;

  auto deadline = std::chrono::steady_clock::now() + opt_.start_timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return bad("redis-server exited at start (port " + std::to_string(port_) + "); its log:\n" +
                 log_tail());
    }
    auto c = SyncClient::connect(url(), std::chrono::milliseconds(500), "tickstock-test-probe");
    if (c) return Ok{};
    last_error = c.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop(true);
  return bad("redis-server did not answer PING within " + std::to_string(opt_.start_timeout.count()) +
             " ms: " + last_error + "\n" + log_tail());
}

void RedisServer::stop(bool hard) {
  if (pid_ <= 0) return;
  kill(pid_, hard ? SIGKILL : SIGTERM);
  if (!reap(pid_, std::chrono::seconds(5))) {
    kill(pid_, SIGKILL);
    reap(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
}

Status<> RedisServer::restart() {
  stop();
  return start();
}

}  // namespace ts::bus
