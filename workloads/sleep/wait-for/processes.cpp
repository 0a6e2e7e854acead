// wait-for with a fork()ed process (multiprocessing's way): the child sleeps the hour; the parent
// waits for it with a timeout (poll on a pidfd), then terminates it with SIGTERM, as
// Process.terminate() does, and reaps it. A process is cancelled by a signal: the parent records
// "cancelled" when it reaps a child that SIGTERM ended, then "timeout!".
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "scenario.hpp"

namespace {

timespec to_timespec(std::chrono::nanoseconds d) {
  return timespec{static_cast<time_t>(d.count() / 1'000'000'000),
                  static_cast<long>(d.count() % 1'000'000'000)};
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    wl::EventLog log;
    const auto eternity_d = w.scaled(p.eternity_s);
    const timespec timeout = to_timespec(w.scaled(p.timeout_s));
    wl::Stopwatch clock;
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a parent that failed: it sleeps an hour
      std::this_thread::sleep_for(eternity_d);
      ::_exit(0);  // the hour passed: "yay!"
    }
    // glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37): call the system call itself.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) throw std::system_error(errno, std::system_category(), "pidfd_open");
    pollfd pfd{pidfd, POLLIN, 0};
    int ready;
    while ((ready = ::ppoll(&pfd, 1, &timeout, nullptr)) < 0 && errno == EINTR) {
    }
    if (ready < 0) throw std::system_error(errno, std::system_category(), "ppoll");
    const bool timed_out = ready == 0;
    if (timed_out) ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(pidfd);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) log.add("cancelled");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) log.add("yay!");
    if (timed_out) log.add("timeout!");
    const double elapsed = clock.seconds();
    wait_for::report(w, p, log.events(), elapsed);
  });
}
