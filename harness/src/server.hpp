// The servers of the network workloads: which program serves what for which model (shared by
// `asyncbench serve` and `asyncbench run`), and a server running in the background for the
// length of one measured run.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "manifest.hpp"
#include "process.hpp"

namespace asyncbench {

// The command that starts the server `role` (registry: servers) as `model`; the caller adds
// --host/--port. Throws std::invalid_argument for an unknown role or a model it cannot run as.
std::vector<std::string> server_command(const Suite& suite, const std::string& role,
                                        const std::string& model,
                                        const std::filesystem::path& bin_dir,
                                        const std::string& python);

// Sets the calling thread's CPU affinity to `cpu` (−1: every online CPU) and returns the
// previous mask's CPUs; used around posix_spawn, whose children inherit it.
class PinnedSpawn {
 public:
  explicit PinnedSpawn(int cpu);
  ~PinnedSpawn();
  PinnedSpawn(const PinnedSpawn&) = delete;
  PinnedSpawn& operator=(const PinnedSpawn&) = delete;

 private:
  bool m_changed = false;
  std::vector<int> m_saved;
};

// What start() throws when the server exits with 77 before it is ready: it cannot run here (its
// backend is refused). what() is its reason, the last line it wrote to stderr.
struct ServerUnsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ServerExit {
  bool stopped_cleanly = false;  // exited with 0 after SIGTERM within the limit
  std::string error;             // otherwise: what happened
  double cpu_s = 0;              // its whole life, children it reaped included (wait4)
  long ctx_switches = 0;         // voluntary + involuntary, likewise
  bool by_alarm = false;         // it had ended by itself: its --exit-after-s (SIGALRM)
};

// A server started in its own process group, pinned to `cpu` (−1: not pinned). start() returns
// once it has printed "listening HOST:PORT" and throws std::runtime_error (with the server's
// stderr) when it cannot start, exits, or says nothing within `ready_timeout`; ServerUnsupported
// when it exits with 77, the status of a server that cannot run here
// (workloads/network/echo/server.hpp).
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // a server still running is killed (its whole group) and reaped
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  void start(const std::vector<std::string>& argv, int cpu,
             std::chrono::milliseconds ready_timeout = std::chrono::seconds(15),
             const std::vector<std::string>& extra_env = {});
  pid_t pid() const noexcept { return m_pid; }
  const std::string& host() const noexcept { return m_host; }
  int port() const noexcept { return m_port; }
  bool running() const;  // has not exited
  // SIGTERM, then up to `limit` for a clean exit; after it, SIGKILL to the group.
  // `sig` to the process (or, `group`, to its whole group: a server under `perf trace`, which
  // writes its summary on SIGINT, with the server it traces) in place of SIGTERM.
  ServerExit stop(std::chrono::milliseconds limit = std::chrono::seconds(10), int sig = SIGTERM,
                  bool group = false);
  // The end of its stderr for an error message (the last 300 bytes, and how much was dropped).
  std::string stderr_tail() const;

 private:
  void drain();
  void poke() const;  // a connection to its port and no more, to wake a loop waiting in the kernel
  pid_t m_pid = -1;
  int m_out = -1, m_err = -1;
  std::string m_host;
  int m_port = 0;
  std::thread m_drain;
  mutable std::mutex m_mutex;
  StreamTail m_err_text{4096};  // the last 4 KiB of its stderr, however much it writes
};

}  // namespace asyncbench
