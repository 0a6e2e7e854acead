#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "run_mark.hpp"
#include "server.hpp"

extern char** environ;

namespace asyncbench {

namespace {

// What the child needs, prepared before it exists: between clone and exec it shares the
// harness's memory (CLONE_VM) and makes system calls only, as posix_spawn's child does.
struct SpawnArgs {
  char* const* argv;
  char* const* envp;
  int out_fd, err_fd, null_fd;
  pid_t parent;
  int error = 0;  // errno of what failed in the child (the parent reads it after clone returns)
};

int spawned_child(void* p) {
  auto* a = static_cast<SpawnArgs*>(p);
  // Every signal the harness handles back to its default (its handler would run in this copy
  // of the harness and set the harness's flags: the memory is shared until exec), SIGPIPE too;
  // then nothing blocked (the parent blocked everything around clone).
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction sa {};
    if (::sigaction(sig, nullptr, &sa) != 0) continue;
    if (sig == SIGPIPE || (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)) {
      sa = {};
      sa.sa_handler = SIG_DFL;
      ::sigaction(sig, &sa, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Its own group: we end it and its children together.
  if (::setpgid(0, 0) < 0 || ::dup2(a->out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(a->err_fd, STDERR_FILENO) < 0 || ::dup2(a->null_fd, STDIN_FILENO) < 0) {
    a->error = errno;
    ::_exit(127);
  }
  // It dies with the harness, even by SIGKILL. If the harness died before this line the signal
  // will never come: then the child has been reparented, and goes now.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
    a->error = errno;
    ::_exit(127);
  }
  if (::getppid() != a->parent) ::_exit(127);
  ::execve(a->argv[0], a->argv, a->envp);
  a->error = errno;
  ::_exit(127);
}

}  // namespace

int spawn_in_group(const std::vector<std::string>& argv_in, const std::vector<std::string>& extra_env,
                   int out_fd, int err_fd, int cpu, pid_t& pid) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  for (const auto& e : extra_env) env_store.push_back(e);
  std::vector<char*> envp, argv;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv_in;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return errno;
  // The child's stack until exec; 64 KiB is plenty for the calls above.
  constexpr std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    const int err = errno;
    ::close(null_fd);
    return err;
  }
  SpawnArgs a{argv.data(), envp.data(), out_fd, err_fd, null_fd, ::getpid()};
  sigset_t all, saved;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t child = -1;
  {
    const PinnedSpawn pin(cpu);  // the child inherits this thread's affinity
    // CLONE_VFORK: this thread waits until the child has exec'd or exited, so `a` and the
    // stack are still ours to read and free afterwards. PR_SET_PDEATHSIG fires when this thread
    // ends: every spawn is made from the thread that runs the whole run (the main thread).
    child = ::clone(spawned_child, static_cast<char*>(stack) + stack_size,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  }
  const int clone_error = child < 0 ? errno : 0;
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  ::munmap(stack, stack_size);
  ::close(null_fd);
  if (child < 0) return clone_error;
  if (a.error != 0) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return a.error;
  }
  pid = child;
  record_process_group(child);
  return 0;
}

// Has the child exited? (Without reaping it: wait4 must still collect its rusage.)
bool exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGTERM);
  // Half a second to exit cleanly, then no choice.
  for (int i = 0; i < 50 && !exited(pid); ++i) ::usleep(10'000);
  ::kill(-pid, SIGKILL);
}

void StreamTail::append(const char* data, std::size_t n) {
  m_total += n;
  if (n >= m_keep) {
    m_buf.assign(data + (n - m_keep), m_keep);
    m_start = 0;
    return;
  }
  m_buf.append(data, n);
  if (text_size() > m_keep) m_start = m_buf.size() - m_keep;
  // Compact only once the dead front is as large as the tail: amortised O(1) per byte.
  if (m_start >= m_keep) {
    m_buf.erase(0, m_start);
    m_start = 0;
  }
}

std::string StreamTail::text() const { return m_buf.substr(m_start); }

std::string byte_size_text(std::size_t bytes) {
  char buf[32];
  if (bytes < 1000) {
    std::snprintf(buf, sizeof buf, "%zu B", bytes);
  } else {
    const char* units[] = {"kB", "MB", "GB", "TB"};
    double v = double(bytes) / 1000;
    int u = 0;
    while (v >= 999.95 && u < 3) {
      v /= 1000;
      ++u;
    }
    std::snprintf(buf, sizeof buf, v < 99.95 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }
  return buf;
}

std::string excerpt(const std::string& kept, std::size_t dropped, std::size_t n,
                    const std::string& stream) {
  std::size_t end = kept.size();
  while (end > 0 && (kept[end - 1] == '\n' || kept[end - 1] == ' ' || kept[end - 1] == '\r')) --end;
  const std::size_t start = end > n ? end - n : 0;
  std::string s = kept.substr(start, end - start);
  const std::size_t unseen = dropped + start;
  if (unseen > 0) s = "...[" + byte_size_text(unseen) + " of " + stream + " dropped]..." + s;
  return s;
}

ProcessResult run_process(const ProcessOptions& opts) {
  ProcessResult r;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) < 0 || ::pipe2(err_pipe, O_CLOEXEC) < 0) {
    r.start_error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = spawn_in_group(opts.argv, opts.extra_env, out_pipe[1], err_pipe[1], opts.cpu, pid);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    r.start_error = opts.argv[0] + ": " + std::strerror(rc);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return r;
  }
  r.started = true;

  const auto deadline = t0 + opts.timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  StreamTail sinks[2] = {StreamTail(opts.max_output), StreamTail(opts.max_output)};
  int open_streams = 2;
  char buf[65536];
  bool ended_early = false;
  while (open_streams > 0) {
    if (opts.stop && opts.stop->load()) {
      r.interrupted = true;
      ended_early = true;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      r.timed_out = true;
      ended_early = true;
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 100)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i].append(buf, std::size_t(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  r.out = sinks[0].text();
  r.err = sinks[1].text();
  r.out_dropped = sinks[0].dropped();
  r.err_dropped = sinks[1].dropped();
  // The streams may close before the child exits (or it may have closed them itself and run
  // on): the timeout and the stop request still hold until it is gone.
  while (!ended_early && !exited(pid)) {
    if (opts.stop && opts.stop->load()) {
      r.interrupted = ended_early = true;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = ended_early = true;
    } else {
      ::usleep(1'000);
    }
  }
  if (ended_early) kill_group(pid);

  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.max_rss_kb = ru.ru_maxrss;
  r.ctx_switches = ru.ru_nvcsw + ru.ru_nivcsw;
  // Grandchildren a killed child left behind would otherwise outlive the run.
  if (ended_early) ::kill(-pid, SIGKILL);
  return r;
}

}  // namespace asyncbench
