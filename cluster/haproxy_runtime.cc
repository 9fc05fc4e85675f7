#include "cluster/haproxy_runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "cluster/haproxy_config.h"
#include "core/unique_fd.h"

namespace s3ml::cluster {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxReplyBytes = 4u << 20;


int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline: true when ready.
Result<bool> WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return Unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool IsIpLiteral(const std::string& address) {
  in_addr v4;
  in6_addr v6;
  return ::inet_pton(AF_INET, address.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, address.c_str(), &v6) == 1;
}

std::string HostPort(const std::string& address, uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

Result<int> ParseInt(const std::string& field, const std::string& column) {
  if (field.empty() || field.size() > 18) return InvalidArgument("servers state: bad " + column + " '" + field + "'");
  int64_t v = 0;
  bool negative = false;
  size_t i = 0;
  if (field[0] == '-') {
    negative = true;
    i = 1;
    if (field.size() == 1) return InvalidArgument("servers state: bad " + column + " '-'");
  }
  for (; i < field.size(); ++i) {
    if (field[i] < '0' || field[i] > '9') return InvalidArgument("servers state: bad " + column + " '" + field + "'");
    v = v * 10 + (field[i] - '0');
  }
  if (v > INT32_MAX) return InvalidArgument("servers state: " + column + " out of range");
  return static_cast<int>(negative ? -v : v);
}

Result<uint16_t> ParsePort(const std::string& field, const std::string& column) {
  S3ML_ASSIGN_OR_RETURN(int v, ParseInt(field, column));
  if (v < 0 || v > 65535) return InvalidArgument("servers state: " + column + " out of range: " + field);
  return static_cast<uint16_t>(v);
}

std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

Status CheckName(const std::string& what, const std::string& name) {
  if (!IsValidHaproxyName(name)) return InvalidArgument("invalid haproxy " + what + " name '" + name + "'");
  return Status::Ok();
}

}  // namespace

std::string HaproxyServerState::Describe() const {
  if (in_maintenance()) return "MAINT";
  if (draining()) return up() ? "DRAIN" : "DRAIN (DOWN)";
  return up() ? "UP" : "DOWN";
}

Result<std::vector<HaproxyServerState>> ParseServersState(std::string_view reply) {
  std::istringstream in{std::string(reply)};
  std::string line;
  // Skip leading blank lines; the first line is the format version.
  while (std::getline(in, line) && Trim(line).empty()) {
  }
  if (Trim(line) != "1") return InvalidArgument("servers state: unsupported format version line '" + Trim(line) + "'");
  std::map<std::string, size_t> column;
  std::vector<HaproxyServerState> servers;
  while (std::getline(in, line)) {
    const std::string t = Trim(line);
    if (t.empty()) continue;
    if (t[0] == '#') {
      const auto words = SplitWords(std::string_view(t).substr(1));
      if (column.empty())
        for (size_t i = 0; i < words.size(); ++i) column[words[i]] = i;
      continue;
    }
    if (column.empty()) return InvalidArgument("servers state: data before the column header");
    const auto fields = SplitWords(t);
    auto get = [&](const std::string& name) -> Result<std::string> {
      auto it = column.find(name);
      if (it == column.end()) return InvalidArgument("servers state: no column " + name);
      if (it->second >= fields.size()) return InvalidArgument("servers state: row too short: '" + t + "'");
      return fields[it->second];
    };
    HaproxyServerState s;
    S3ML_ASSIGN_OR_RETURN(s.backend, get("be_name"));
    S3ML_ASSIGN_OR_RETURN(s.name, get("srv_name"));
    S3ML_ASSIGN_OR_RETURN(s.address, get("srv_addr"));
    S3ML_ASSIGN_OR_RETURN(std::string port, get("srv_port"));
    S3ML_ASSIGN_OR_RETURN(s.port, ParsePort(port, "srv_port"));
    S3ML_ASSIGN_OR_RETURN(std::string op, get("srv_op_state"));
    S3ML_ASSIGN_OR_RETURN(s.op_state, ParseInt(op, "srv_op_state"));
    if (s.op_state < 0 || s.op_state > 3) return InvalidArgument("servers state: srv_op_state out of range: " + op);
    S3ML_ASSIGN_OR_RETURN(std::string admin, get("srv_admin_state"));
    S3ML_ASSIGN_OR_RETURN(s.admin_state, ParseInt(admin, "srv_admin_state"));
    S3ML_ASSIGN_OR_RETURN(std::string weight, get("srv_uweight"));
    S3ML_ASSIGN_OR_RETURN(s.weight, ParseInt(weight, "srv_uweight"));
    if (column.count("srv_agent_port")) {
      S3ML_ASSIGN_OR_RETURN(std::string agent, get("srv_agent_port"));
      S3ML_ASSIGN_OR_RETURN(s.agent_port, ParsePort(agent, "srv_agent_port"));
    }
    servers.push_back(std::move(s));
  }
  return servers;
}

Result<std::string> AddServerCommand(const std::string& backend, const DynamicServer& server,
                                     const ServerCheckOptions& checks) {
  S3ML_RETURN_IF_ERROR(CheckName("backend", backend));
  S3ML_RETURN_IF_ERROR(CheckName("server", server.name));
  if (!IsIpLiteral(server.address))
    return InvalidArgument("server " + server.name + ": address must be an IP literal, got '" + server.address + "'");
  if (server.port == 0) return InvalidArgument("server " + server.name + ": port must not be 0");
  if (checks.check_interval_ms <= 0 || checks.agent_interval_ms <= 0 || checks.fall <= 0 || checks.rise <= 0)
    return InvalidArgument("server checks: intervals, rise and fall must be positive");
  if (checks.weight < 1 || checks.weight > 256) return InvalidArgument("server weight must be in 1..256");
  std::ostringstream cmd;
  cmd << "add server " << backend << "/" << server.name << " " << HostPort(server.address, server.port)
      // Agents answer percentages of the initial weight ("up 40%"); 100 gives them room to act.
      << " weight " << checks.weight << " check inter " << checks.check_interval_ms << "ms fall " << checks.fall << " rise " << checks.rise
      // A server marked down has its sessions killed so keep-alive clients reconnect elsewhere.
      << " on-marked-down shutdown-sessions";
  if (server.agent_port != 0) {
    cmd << " agent-check agent-addr " << server.address << " agent-port " << server.agent_port << " agent-inter "
        << checks.agent_interval_ms << "ms";
  }
  return cmd.str();
}

HaproxyRuntime::HaproxyRuntime(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<std::string> HaproxyRuntime::Execute(std::string_view command) const {
  if (command.find_first_of(";\n\r") != std::string_view::npos)
    return InvalidArgument("haproxy command must be a single command without ';' or newlines");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path))
    return InvalidArgument("haproxy socket path too long: " + socket_path_);
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);

  const auto deadline = Clock::now() + timeout_;
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN)
      return Unavailable("haproxy runtime API " + socket_path_ + ": " + std::strerror(errno));
    S3ML_ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLOUT, deadline));
    if (!ready) return DeadlineExceeded("haproxy runtime API " + socket_path_ + ": connect timed out");
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Unavailable("haproxy runtime API " + socket_path_ + ": " + std::strerror(err));
  }
  const std::string line = std::string(command) + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      S3ML_ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLOUT, deadline));
      if (!ready) return DeadlineExceeded("haproxy runtime API: send timed out");
      continue;
    }
    return Unavailable(std::string("haproxy runtime API: send: ") + std::strerror(errno));
  }
  std::string reply;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      reply.append(buf, static_cast<size_t>(n));
      if (reply.size() > kMaxReplyBytes) return ResourceExhausted("haproxy runtime API: reply over 4 MiB");
      continue;
    }
    if (n == 0) break;  // HAProxy closes after answering one non-interactive command
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      S3ML_ASSIGN_OR_RETURN(bool ready, WaitFor(fd.get(), POLLIN, deadline));
      if (!ready) return DeadlineExceeded("haproxy runtime API: no complete reply to '" + std::string(command) + "'");
      continue;
    }
    return Unavailable(std::string("haproxy runtime API: recv: ") + std::strerror(errno));
  }
  return reply;
}

Status HaproxyRuntime::ExpectReply(const std::string& command, std::string_view expected) const {
  S3ML_ASSIGN_OR_RETURN(std::string reply, Execute(command));
  const std::string text = Trim(reply);
  if (expected.empty() ? text.empty() : text.rfind(expected, 0) == 0) return Status::Ok();
  if (text.find("Permission denied") != std::string::npos)
    return PermissionDenied("haproxy refused '" + command + "': " + text);
  if (text.find("No such") != std::string::npos) return NotFound("haproxy: '" + command + "': " + text);
  if (text.find("Already exists") != std::string::npos || text.find("already exists") != std::string::npos)
    return AlreadyExists("haproxy: '" + command + "': " + text);
  return FailedPrecondition("haproxy refused '" + command + "': " + (text.empty() ? "(empty reply)" : text));
}

Status HaproxyRuntime::AddServer(const std::string& backend, const DynamicServer& server,
                                 const ServerCheckOptions& checks) const {
  S3ML_ASSIGN_OR_RETURN(std::string command, AddServerCommand(backend, server, checks));
  S3ML_RETURN_IF_ERROR(ExpectReply(command, "New server registered"));
  const std::string id = backend + "/" + server.name;
  S3ML_RETURN_IF_ERROR(ExpectReply("enable health " + id, ""));
  if (server.agent_port != 0) S3ML_RETURN_IF_ERROR(ExpectReply("enable agent " + id, ""));
  return SetServerState(backend, server.name, ServerAdminState::kReady);
}

Status HaproxyRuntime::RemoveServer(const std::string& backend, const std::string& name,
                                    std::chrono::milliseconds timeout) const {
  S3ML_RETURN_IF_ERROR(CheckName("backend", backend));
  S3ML_RETURN_IF_ERROR(CheckName("server", name));
  const std::string id = backend + "/" + name;
  // Without this the agent could bring the server back out of maintenance before the delete.
  Status agent = ExpectReply("disable agent " + id, "");
  if (agent.code() == StatusCode::kNotFound) return agent;
  S3ML_RETURN_IF_ERROR(SetServerState(backend, name, ServerAdminState::kMaint));
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    S3ML_ASSIGN_OR_RETURN(std::string reply, Execute("del server " + id));
    const std::string text = Trim(reply);
    if (text.rfind("Server deleted", 0) == 0) return Status::Ok();
    if (text.find("No such") != std::string::npos) return NotFound("haproxy: del server " + id + ": " + text);
    // Connections still open or queued: HAProxy cancels the delete; try again shortly.
    if (Clock::now() >= deadline) return FailedPrecondition("haproxy: del server " + id + ": " + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status HaproxyRuntime::SetServerState(const std::string& backend, const std::string& name,
                                      ServerAdminState state) const {
  S3ML_RETURN_IF_ERROR(CheckName("backend", backend));
  S3ML_RETURN_IF_ERROR(CheckName("server", name));
  const char* word = state == ServerAdminState::kReady ? "ready" : state == ServerAdminState::kDrain ? "drain" : "maint";
  return ExpectReply("set server " + backend + "/" + name + " state " + word, "");
}

Status HaproxyRuntime::SetServerWeight(const std::string& backend, const std::string& name, int weight) const {
  S3ML_RETURN_IF_ERROR(CheckName("backend", backend));
  S3ML_RETURN_IF_ERROR(CheckName("server", name));
  if (weight < 0 || weight > 256) return InvalidArgument("haproxy weight must be in 0..256");
  return ExpectReply("set server " + backend + "/" + name + " weight " + std::to_string(weight), "");
}

Result<std::vector<HaproxyServerState>> HaproxyRuntime::ServersState(const std::string& backend) const {
  if (!backend.empty()) S3ML_RETURN_IF_ERROR(CheckName("backend", backend));
  S3ML_ASSIGN_OR_RETURN(std::string reply, Execute(backend.empty() ? "show servers state" : "show servers state " + backend));
  auto parsed = ParseServersState(reply);
  if (!parsed.ok()) {
    const std::string text = Trim(reply);
    if (text.find("Can't find backend") != std::string::npos) return NotFound("haproxy: " + text);
    return parsed.status();
  }
  return parsed;
}

Status HaproxyRuntime::WaitForServersUp(const std::string& backend, const std::vector<std::string>& names,
                                        std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  std::string missing;
  for (;;) {
    auto states = ServersState(backend);
    if (states.ok()) {
      missing.clear();
      for (const auto& name : names) {
        bool up = false;
        for (const auto& s : *states)
          if (s.name == name) up = s.up() && !s.in_maintenance();
        if (!up) missing += (missing.empty() ? "" : ", ") + name;
      }
      if (missing.empty()) return Status::Ok();
    } else {
      missing = states.status().ToString();
    }
    if (Clock::now() >= deadline) return DeadlineExceeded("haproxy does not see these servers up: " + missing);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace s3ml::cluster
