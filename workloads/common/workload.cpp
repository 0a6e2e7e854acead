#include "common/workload.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <system_error>

namespace wl {

const CLI::Validator positive(
    [](std::string& v) -> std::string {
      try {
        if (std::stod(v) > 0) return {};
      } catch (const std::exception&) {
      }
      return "must be a number greater than 0, not '" + v + "'";
    },
    "POSITIVE");

Workload::Workload(std::string workload, std::vector<std::string> models, int argc, char** argv)
    : m_workload(std::move(workload)), m_argc(argc), m_argv(argv), m_app(m_workload) {
  m_app.add_option("--model", m_model, "the model this program runs as")
      ->required()
      ->check(CLI::IsMember(models));
  m_app.add_option("--time-scale", m_time_scale, "multiplies every lecture duration")
      ->check(positive);
}

void Workload::parse() {
  try {
    m_app.parse(m_argc, m_argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      std::cout << m_app.help();
      std::exit(0);
    }
    std::fprintf(stderr, "%s: %s\n", m_argv[0], e.what());
    std::exit(2);
  }
  m_params["time_scale"] = m_time_scale;
}

std::chrono::nanoseconds Workload::scaled(double lecture_seconds) const {
  return std::chrono::nanoseconds(static_cast<long long>(lecture_seconds * m_time_scale * 1e9));
}

void Workload::check(bool ok, const std::string& what) {
  if (!ok) m_failed_checks.push_back(what);
}

int Workload::report(const std::string& error) const {
  Json out;
  out["workload"] = m_workload;
  out["model"] = m_model;
  std::string why = error;
  if (why.empty() && !m_failed_checks.empty()) why = "check failed: " + join(m_failed_checks, "; ");
  if (why.empty() && m_elapsed < 0) why = "the workload reported no elapsed time";
  out["status"] = why.empty() ? "ok" : "failed";
  out["params"] = m_params;
  if (m_elapsed >= 0) out["elapsed_s"] = m_elapsed;
  out["metrics"] = m_metrics;
  if (!why.empty()) out["error"] = why;
  std::cout << out.dump() << std::endl;
  return why.empty() ? 0 : 1;
}

int Workload::report_unsupported(const std::string& reason) const {
  Json out;
  out["workload"] = m_workload;
  out["model"] = m_model;
  out["status"] = "unsupported";
  out["params"] = m_params;
  out["error"] = reason;
  std::cout << out.dump() << std::endl;
  return 77;
}

int main(int argc, char** argv, const std::string& workload, std::vector<std::string> models,
         const std::function<void(Workload&)>& body) {
  Workload w(workload, std::move(models), argc, argv);
  try {
    body(w);
  } catch (const Unsupported& u) {
    return w.report_unsupported(u.reason);
  } catch (const std::exception& e) {
    return w.report(e.what());
  }
  return w.report();
}

void EventLog::add(std::string event) {
  std::lock_guard lock(m_mutex);
  m_events.push_back(std::move(event));
}

std::vector<std::string> EventLog::events() const {
  std::lock_guard lock(m_mutex);
  return m_events;
}

PipeEventLog::PipeEventLog() {
  if (::pipe(m_fd) < 0) throw std::system_error(errno, std::system_category(), "pipe");
}

PipeEventLog::~PipeEventLog() {
  ::close(m_fd[0]);
  if (m_fd[1] >= 0) ::close(m_fd[1]);
}

void PipeEventLog::add(const std::string& event) {
  const std::string line = event + "\n";
  if (line.size() > PIPE_BUF) throw std::length_error("PipeEventLog: event longer than PIPE_BUF");
  // One write: atomic for up to PIPE_BUF bytes, so lines from several processes never mix.
  if (::write(m_fd[1], line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw std::system_error(errno, std::system_category(), "write");
}

std::vector<std::string> PipeEventLog::collect() {
  ::close(m_fd[1]);
  m_fd[1] = -1;
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = ::read(m_fd[0], buf, sizeof buf)) > 0;) all.append(buf, std::size_t(n));
  std::vector<std::string> out;
  for (std::size_t pos = 0, nl; (nl = all.find('\n', pos)) != std::string::npos; pos = nl + 1)
    out.push_back(all.substr(pos, nl - pos));
  return out;
}

pid_t Children::fork_checked() {
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
  return pid;
}

void Children::child_exit(int code) { ::_exit(code); }

void Children::report_child_error(const char* what) {
  std::fprintf(stderr, "child %d: %s\n", int(::getpid()), what);
}

bool Children::wait_all() {
  bool all_ok = true;
  for (pid_t pid : m_pids) {
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    all_ok = all_ok && r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  m_pids.clear();
  return all_ok;
}

Children::~Children() {
  if (!m_pids.empty()) wait_all();
}

unsigned long burn_cpu(std::chrono::nanoseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  unsigned long x = 88172645463325252ul;
  do {
    for (int i = 0; i < 256; ++i) {  // xorshift: real work, checked against the clock now and then
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
  } while (std::chrono::steady_clock::now() < end);
  return x;
}

namespace {
long status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string k = key;
  while (std::getline(f, line))
    if (line.compare(0, k.size(), k) == 0) return std::stol(line.substr(k.size()));
  return -1;
}
}  // namespace

long rss_kb() { return status_kb("VmRSS:"); }
long peak_rss_kb() { return status_kb("VmHWM:"); }

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

}  // namespace wl
