#include "server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "process.hpp"

namespace asyncbench {

namespace fs = std::filesystem;

std::vector<std::string> server_command(const Suite& suite, const std::string& role_id,
                                        const std::string& model_id, const fs::path& bin_dir,
                                        const std::string& python) {
  const ServerRole& role = suite.registry.server(role_id);
  if (!role.program.empty() && role.source.empty()) {
    // A program that runs as no model (postgres).
    if (!model_id.empty())
      throw std::invalid_argument("the " + role_id + " server runs as no model: it takes no --model");
    std::vector<std::string> args = {(bin_dir / role.program).string()};
    args.insert(args.end(), role.args.begin(), role.args.end());
    return args;
  }
  const std::vector<std::string> can = suite.registry.server_models(role, suite.root);
  if (std::find(can.begin(), can.end(), model_id) == can.end()) {
    std::string list;
    for (const auto& m : can) list += (list.empty() ? "" : ", ") + m;
    throw std::invalid_argument("the " + role_id + " server has no model '" + model_id +
                                "' (models: " + list + ")");
  }
  const Model& model = suite.registry.at(model_id);
  std::vector<std::string> args;
  if (!role.workload.empty()) {
    // The model's own program of the role's workload (echo: wl-echo-<stem>, echo/asyncio.py).
    const Workload* w = suite.find(role.workload);
    if (!w) throw std::invalid_argument("the " + role_id + " server's workload '" + role.workload +
                                        "' is not in workloads/");
    args = model_program(model, w->id, w->dir, bin_dir, python);
    args.insert(args.end(), {"--model", model.id});
  } else {
    args = {(bin_dir / role.program).string()};
    for (std::string a : role.args) {
      const std::string key = "{backend}";
      for (std::size_t at; (at = a.find(key)) != std::string::npos;)
        a.replace(at, key.size(), model.backend);
      args.push_back(a);
    }
  }
  return args;
}

PinnedSpawn::PinnedSpawn(int cpu) {
  if (cpu < 0) return;
  cpu_set_t old;
  CPU_ZERO(&old);
  if (::sched_getaffinity(0, sizeof old, &old) != 0) return;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &old)) m_saved.push_back(i);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  m_changed = ::sched_setaffinity(0, sizeof one, &one) == 0;
}

PinnedSpawn::~PinnedSpawn() {
  if (!m_changed) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i : m_saved) CPU_SET(i, &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string last_line(const std::string& s) {
  const std::string t = trimmed(s);
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

void ServerProcess::start(const std::vector<std::string>& argv, int cpu,
                          std::chrono::milliseconds ready_timeout,
                          const std::vector<std::string>& extra_env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) < 0) throw std::runtime_error(std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error(std::strerror(errno));
  }
  const int rc = spawn_in_group(argv, extra_env, out_pipe[1], err_pipe[1], cpu, m_pid);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  m_out = out_pipe[0];
  m_err = err_pipe[0];
  // Never block on its stderr: after its exit a child it left behind may hold the pipe open.
  ::fcntl(m_err, F_SETFL, ::fcntl(m_err, F_GETFL) | O_NONBLOCK);
  if (rc != 0) {
    m_pid = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }

  // Its stdout until "listening HOST:PORT" (stderr kept for the error message).
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  std::string out;
  char buf[65536];
  for (;;) {
    const auto nl = out.find('\n');
    if (nl != std::string::npos) {
      const std::string line = trimmed(out.substr(0, nl));
      out.erase(0, nl + 1);
      if (line.rfind("listening ", 0) == 0) {
        const std::string addr = line.substr(10);
        const auto colon = addr.rfind(':');
        if (colon != std::string::npos) {
          m_host = addr.substr(0, colon);
          try {
            m_port = std::stoi(addr.substr(colon + 1));
          } catch (const std::exception&) {
            m_port = 0;
          }
        }
        if (m_port <= 0 || m_port > 65535)
          throw std::runtime_error("the server said '" + line + "', not 'listening HOST:PORT'");
        break;
      }
      continue;  // anything else it prints first is ignored
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0)
      throw std::runtime_error("the server did not say 'listening HOST:PORT' within " +
                               std::to_string(ready_timeout.count() / 1000) + " s" +
                               (stderr_tail().empty() ? "" : "; stderr: " + stderr_tail()));
    pollfd fds[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long long>(left, 100))) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    bool eof = false;
    if (fds[1].revents) {
      const ssize_t n = ::read(m_err, buf, sizeof buf);
      if (n > 0) {
        std::lock_guard lock(m_mutex);
        m_err_text.append(buf, std::size_t(n));
      }
    }
    if (fds[0].revents) {
      const ssize_t n = ::read(m_out, buf, sizeof buf);
      if (n > 0)
        out.append(buf, std::size_t(n));
      else if (n == 0)
        eof = true;
    }
    if (eof || !running()) {
      // Its exit (a closed stdout is usually the exit on its way), then the rest of its last
      // words.
      for (int i = 0; i < 200 && !exited(m_pid); ++i) ::usleep(10'000);
      while (true) {
        const ssize_t n = ::read(m_err, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(m_mutex);
        m_err_text.append(buf, std::size_t(n));
      }
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == m_pid && info.si_code == CLD_EXITED && info.si_status == 77) {
        std::string reason;
        {
          std::lock_guard lock(m_mutex);
          reason = last_line(m_err_text.text());
        }
        if (reason.empty()) reason = last_line(out);
        throw ServerUnsupported(reason.empty() ? "the server cannot run here (exit 77, no reason given)"
                                               : reason);
      }
      const std::string tail = stderr_tail();
      throw std::runtime_error("the server exited before it was ready" +
                               (tail.empty() ? std::string() : ": " + tail));
    }
  }
  m_drain = std::thread([this] { drain(); });
}

void ServerProcess::drain() {
  pollfd fds[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
  char buf[65536];
  int open = 2;
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        if (i == 1) {
          std::lock_guard lock(m_mutex);
          m_err_text.append(buf, std::size_t(n));
        }
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

bool ServerProcess::running() const { return m_pid > 0 && !exited(m_pid); }

std::string ServerProcess::stderr_tail() const {
  std::lock_guard lock(m_mutex);
  return excerpt(m_err_text.text(), m_err_text.dropped(), 300);
}

void ServerProcess::poke() const {
  if (m_port <= 0) return;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(m_port));
  if (::inet_pton(AF_INET, m_host.c_str(), &a.sin_addr) == 1)
    ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);  // non-blocking: no wait
  ::close(fd);
}

ServerExit ServerProcess::stop(std::chrono::milliseconds limit, int sig, bool group) {
  ServerExit r;
  if (m_pid <= 0) {
    r.error = "the server was not running";
    return r;
  }
  const bool was_running = running();
  ::kill(group ? -m_pid : m_pid, sig);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto next_poke = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!exited(m_pid) && std::chrono::steady_clock::now() < deadline) {
    ::usleep(2'000);
    if (std::chrono::steady_clock::now() >= next_poke) {
      // Still there after a second: wake its loop with a connection. A server waiting in the
      // kernel may not see a signal until a system call returns (under valgrind, a thread in
      // io_uring_enter gets it only then); the connection completes its accept, and the signal
      // is delivered.
      poke();
      next_poke += std::chrono::seconds(1);
    }
  }
  const bool in_time = exited(m_pid);
  ::kill(-m_pid, SIGKILL);  // it or anything it left behind
  int status = 0;
  rusage ru{};
  while (::wait4(m_pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  m_pid = -1;
  if (m_drain.joinable()) m_drain.join();
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.ctx_switches = ru.ru_nvcsw + ru.ru_nivcsw;
  r.by_alarm = !was_running && WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
  const std::string tail = stderr_tail();
  const std::string err = tail.empty() ? "" : "; stderr: " + tail;
  if (!was_running) {
    r.error = "the server had exited during the run" + err;
    if (WIFSIGNALED(status))
      r.error = "the server was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                ::strsignal(WTERMSIG(status)) + ") during the run" + err;
  } else if (!in_time) {
    r.error = "the server did not stop within " + std::to_string(limit.count() / 1000) +
              " s of SIGTERM" + err;
  } else if (WIFSIGNALED(status)) {
    r.error = "the server was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
              ::strsignal(WTERMSIG(status)) + ") on SIGTERM" + err;
  } else if (WEXITSTATUS(status) != 0) {
    r.error = "the server exited with " + std::to_string(WEXITSTATUS(status)) + " on SIGTERM" + err;
  } else {
    r.stopped_cleanly = true;
  }
  return r;
}

ServerProcess::~ServerProcess() {
  if (m_pid > 0) {
    ::kill(-m_pid, SIGKILL);
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (m_drain.joinable()) m_drain.join();
  if (m_out >= 0) ::close(m_out);
  if (m_err >= 0) ::close(m_err);
}

}  // namespace asyncbench
