// The echo server with one fork()ed process per connection (model `processes`), the classic
// forking server: the parent accepts, forks, and closes its copy of the connection; the child
// closes its copy of the listener, echoes the connection with blocking calls and _exit(0)s.
//
// The parent reaps finished children without blocking (waitpid WNOHANG) before and after every
// accept() and whenever SIGCHLD interrupts it, so zombies do not pile up. On SIGINT or SIGTERM it
// stops accepting, sends SIGTERM to every live child and waits for them all.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

#include "blocking.hpp"
#include "server.hpp"

namespace {

std::unordered_set<pid_t> children;  // forked and not yet reaped

// Reaps every child that has ended, without waiting for the others.
void reap() {
  pid_t pid;
  while ((pid = ::waitpid(-1, nullptr, WNOHANG)) > 0) children.erase(pid);
}

// Only there to interrupt accept() (no SA_RESTART), so that reap() runs.
void on_sigchld(int) {}

[[noreturn]] void serve_child(int fd, echo::Listener& listener, const sigset_t& mask) {
  // The parent's handlers must not run here: the stop handler would shut down the listening
  // socket the two processes share. With the default action the parent's SIGTERM ends the child.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGCHLD, SIG_DFL);
  listener.close();  // this process's copy only
  ::pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  echo::echo_blocking(fd, echo::stop_requested);
  ::_exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const echo::Options opts = echo::parse(argc, argv);
  echo::Listener listener(argv[0], opts);
  struct sigaction sa {};
  sa.sa_handler = on_sigchld;
  ::sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NOCLDSTOP;  // no SA_RESTART
  ::sigaction(SIGCHLD, &sa, nullptr);

  for (;;) {
    reap();
    const int fd = listener.accept(reap);
    reap();
    if (fd < 0) break;
    pid_t pid;
    {
      // Until the child has reset them, no handler may run in it.
      const echo::SignalsBlocked blocked({SIGCHLD});
      pid = ::fork();
      if (pid == 0) serve_child(fd, listener, blocked.previous());
    }
    ::close(fd);  // the child's now; a failed fork() (EAGAIN) just closes this client
    if (pid > 0) children.insert(pid);
  }

  listener.close();
  for (const pid_t pid : children) ::kill(pid, SIGTERM);
  while (!children.empty()) {
    const pid_t pid = ::waitpid(-1, nullptr, 0);
    if (pid > 0)
      children.erase(pid);
    else if (errno != EINTR)
      break;  // ECHILD: none left
  }
  return 0;
}
