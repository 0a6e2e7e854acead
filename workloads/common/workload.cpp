#include "common/workload.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <system_error>

#include <valgrind/callgrind.h>

#include "common/cli.hpp"

namespace wl {

using Json = nlohmann::ordered_json;

struct Fields::Impl {
  Json json = Json::object();
};

Fields::Fields() : m_impl(std::make_unique<Impl>()) {}
Fields::~Fields() = default;

Fields::Field Fields::operator[](std::string key) { return Field(*m_impl, std::move(key)); }

// Each stores v as its own C++ type, so nlohmann/json picks the JSON kind it picked when
// programs assigned to the json object themselves.
#define WL_FIELD_SETTER(T)                       \
  Fields::Field& Fields::Field::operator=(T v) { \
    m_fields.json[m_key] = v;                    \
    return *this;                                \
  }
WL_FIELD_SETTER(bool)
WL_FIELD_SETTER(int)
WL_FIELD_SETTER(unsigned)
WL_FIELD_SETTER(long)
WL_FIELD_SETTER(unsigned long)
WL_FIELD_SETTER(long long)
WL_FIELD_SETTER(unsigned long long)
WL_FIELD_SETTER(double)
WL_FIELD_SETTER(const char*)
WL_FIELD_SETTER(const std::string&)
#undef WL_FIELD_SETTER

struct Check::Impl {
  CLI::Validator validator;
};

struct Workload::Cli {
  explicit Cli(const std::string& name) : app(name) {}
  CLI::App app;
};

namespace {

Check make_check(CLI::Validator v) {
  return Check(std::make_shared<const Check::Impl>(Check::Impl{std::move(v)}));
}

// Adds `--name` and its check; T is the option's value type, which CLI11 converts to and names
// in --help (INT, UINT, FLOAT, TEXT).
template <class T>
void add_option(CLI::App& app, const std::string& name, T& value, const std::string& help,
                const Check& check) {
  CLI::Option* o = app.add_option(name, value, help);
  if (check.impl()) o->check(check.impl()->validator);
}

}  // namespace

Check range(int lo, int hi) { return make_check(CLI::Range(lo, hi)); }
Check range(std::uint64_t lo, std::uint64_t hi) { return make_check(CLI::Range(lo, hi)); }
Check one_of(std::vector<std::string> values) {
  return make_check(CLI::IsMember(std::move(values)));
}

const Check positive = make_check(CLI::Validator(
    [](std::string& v) -> std::string {
      // The whole text must be the number, as in the option's own conversion (CLI11's strtold);
      // representable (no ERANGE: 1e-310 is not a usable duration either) and finite, since
      // every such value becomes a duration and inf seconds overflows the clock.
      char* end = nullptr;
      errno = 0;
      const double d = std::strtod(v.c_str(), &end);
      if (!v.empty() && end == v.c_str() + v.size() && errno == 0 && std::isfinite(d) && d > 0)
        return {};
      return "must be a number greater than 0, not '" + v + "'";
    },
    "POSITIVE"));

Workload::Workload(std::string workload, std::vector<std::string> models, int argc, char** argv)
    : m_workload(std::move(workload)),
      m_argc(argc),
      m_argv(argv),
      m_cli(std::make_unique<Cli>(m_workload)) {
  m_cli->app.add_option("--model", m_model, "the model this program runs as")
      ->required()
      ->check(CLI::IsMember(models));
  add_option(m_cli->app, "--time-scale", m_time_scale, "multiplies every lecture duration",
             positive);
}

Workload::~Workload() = default;

void Workload::option(const std::string& name, int& value, const std::string& help,
                      const Check& check) {
  add_option(m_cli->app, name, value, help, check);
}
void Workload::option(const std::string& name, long& value, const std::string& help,
                      const Check& check) {
  add_option(m_cli->app, name, value, help, check);
}
void Workload::option(const std::string& name, std::uint64_t& value, const std::string& help,
                      const Check& check) {
  add_option(m_cli->app, name, value, help, check);
}
void Workload::option(const std::string& name, double& value, const std::string& help,
                      const Check& check) {
  add_option(m_cli->app, name, value, help, check);
}
void Workload::option(const std::string& name, std::string& value, const std::string& help,
                      const Check& check) {
  add_option(m_cli->app, name, value, help, check);
}

void Workload::parse() {
  parse_or_exit(m_cli->app, m_argc, m_argv);
  m_params["time_scale"] = m_time_scale;
}

std::chrono::nanoseconds Workload::scaled(double lecture_seconds) const {
  return std::chrono::nanoseconds(static_cast<long long>(lecture_seconds * m_time_scale * 1e9));
}

void Workload::check(bool ok, const std::string& what) {
  if (!ok) m_failed_checks.push_back(what);
}

namespace detail {

namespace {
std::atomic<int> g_phase{0};  // 0: not begun, 1: counting, 2: over
}  // namespace

void count_phase_begin() noexcept {
  int before = 0;
  if (g_phase.compare_exchange_strong(before, 1)) CALLGRIND_START_INSTRUMENTATION;
}

void count_phase_end() noexcept {
  int during = 1;
  if (g_phase.compare_exchange_strong(during, 2)) CALLGRIND_STOP_INSTRUMENTATION;
}

}  // namespace detail

void Workload::check_not_early(double elapsed_s, double ideal_s, const std::string& what) {
  check(elapsed_s >= ideal_s * 0.99 - timer_resolution_s(), what);
}

namespace {

struct ModelFacts {
  const char* id;
  const char* source;
  const char* backend;
  double timer_resolution_s;
};

constexpr ModelFacts kModels[] = {
#include "common/models.inc"
};

const ModelFacts* facts(const std::string& model) {
  for (const ModelFacts& m : kModels)
    if (model == m.id) return &m;
  return nullptr;
}

}  // namespace

std::vector<std::string> models_of(const std::string& source) {
  std::vector<std::string> out;
  for (const ModelFacts& m : kModels)
    if (source == m.source) out.push_back(m.id);
  if (out.empty())
    throw std::invalid_argument("no model of workloads/models.json has the source " + source);
  return out;
}

std::string backend_of(const std::string& model) {
  const ModelFacts* m = facts(model);
  return m ? m->backend : "";
}

double timer_resolution_s(const std::string& model) {
  const ModelFacts* m = facts(model);
  return m ? m->timer_resolution_s : 0.0;
}

int Workload::report(const std::string& error) const {
  Json out;
  out["workload"] = m_workload;
  out["model"] = m_model;
  std::string why = error;
  if (why.empty() && !m_failed_checks.empty()) why = "check failed: " + join(m_failed_checks, "; ");
  if (why.empty() && m_elapsed < 0) why = "the workload reported no elapsed time";
  out["status"] = why.empty() ? "ok" : "failed";
  out["params"] = m_params.impl().json;
  if (m_elapsed >= 0) out["elapsed_s"] = m_elapsed;
  out["metrics"] = m_metrics.impl().json;
  if (!why.empty()) out["error"] = why;
  std::cout << out.dump() << std::endl;
  return why.empty() ? 0 : 1;
}

int Workload::report_unsupported(const std::string& reason) const {
  Json out;
  out["workload"] = m_workload;
  out["model"] = m_model;
  out["status"] = "unsupported";
  out["params"] = m_params.impl().json;
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
