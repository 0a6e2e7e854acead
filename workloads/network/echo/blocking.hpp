// What the blocking echo servers (sync, threads, threadpool, processes) share on top of
// server.hpp: stopping on SIGINT or SIGTERM, the accept loop with its error handling, and the
// registry of live connections that the stop shuts down.
//
// The stop: the signal handler sets echo::stop_requested and shuts down the listener (and, for
// `sync`, the connection being served). The handler is installed without SA_RESTART, so a blocked
// accept() or recv() in the thread it interrupts returns EINTR; but a flag alone would lose a
// signal that lands just before the call, and shutdown() (async-signal-safe) closes that gap: on
// Linux it wakes a blocked accept() (EINVAL) and makes every later one fail at once, and a shut
// down connection's recv() returns 0. Threads that serve connections block SIGINT and SIGTERM
// (SignalsBlocked), so that the signals go to the main thread.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "server.hpp"

namespace echo {

// Set by SIGINT or SIGTERM; the blocking models pass it to echo_blocking.
inline std::atomic<bool> stop_requested{false};

namespace detail {

// The sockets the stop handler shuts down: the listener, and the connection `sync` is serving.
inline std::atomic<int> stop_listener{-1};
inline std::atomic<int> stop_connection{-1};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "a signal handler may only touch lock-free atomics");

inline void on_stop_signal(int) {
  const int saved = errno;
  stop_requested.store(true);
  for (const int fd : {stop_listener.load(), stop_connection.load()})
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  errno = saved;
}

}  // namespace detail

// The connection the stop handler also shuts down (-1: none): `sync`'s one connection, whose
// recv() runs on the thread the signal interrupts. Set it to -1 before closing the connection.
inline void shut_on_stop(int fd) { detail::stop_connection.store(fd); }

// Blocks SIGINT and SIGTERM (and `also`) in the calling thread while it lives. Threads created
// meanwhile inherit the mask, so the signals keep going to the main thread, whose accept() they
// must interrupt; a fork()ed child gets to reset the parent's handlers before one can run in it.
// A signal arriving meanwhile stays pending until the destructor unblocks it.
class SignalsBlocked {
 public:
  explicit SignalsBlocked(std::initializer_list<int> also = {}) {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGINT);
    ::sigaddset(&set, SIGTERM);
    for (const int s : also) ::sigaddset(&set, s);
    ::pthread_sigmask(SIG_BLOCK, &set, &m_previous);
  }
  ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

  const sigset_t& previous() const noexcept { return m_previous; }

 private:
  sigset_t m_previous;
};

// A blocking model's listening socket. The constructor listens on o.host:o.port (failing that:
// one line on stderr, exit 1), installs the stop handler for SIGINT and SIGTERM, ignores SIGPIPE
// and prints the "listening" line. One per process.
class Listener {
 public:
  Listener(const char* argv0, const Options& o) : m_argv0(argv0), m_nodelay(o.nodelay) {
    try {
      m_fd = listen_socket(o.host, o.port);
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "%s: %s\n", argv0, e.what());
      std::exit(1);
    }
    detail::stop_listener.store(m_fd);
    struct sigaction sa {};
    sa.sa_handler = detail::on_stop_signal;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the interrupted accept() or recv() must return
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // sends use MSG_NOSIGNAL already; this covers anything else
    print_listening(o.host, local_port(m_fd));
  }
  ~Listener() { close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The next connection (TCP_NODELAY unless --no-nodelay), or -1 once a stop is requested.
  // `on_interrupt` runs whenever another signal interrupted accept() (the processes model reaps
  // its children there). An error that is neither transient nor the new connection's own ends the
  // program: one line on stderr, exit 1.
  template <class OnInterrupt>
  int accept(OnInterrupt&& on_interrupt) {
    for (;;) {
      if (stop_requested.load()) return -1;
      const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        if (m_nodelay) set_nodelay(fd);
        return fd;
      }
      const int e = errno;
      if (stop_requested.load()) return -1;  // EINTR, or EINVAL after the handler's shutdown()
      switch (e) {
        case EINTR:
          on_interrupt();
          break;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          // Out of descriptors or memory until some connection ends: wait for that instead of
          // spinning. The connection stays in the backlog.
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        case ECONNABORTED:
        // What accept(2) says Linux passes on from the new connection itself: that client's
        // trouble, not the listener's.
        case EPROTO:
        case ENOPROTOOPT:
        case ENETDOWN:
        case ENONET:
        case EHOSTDOWN:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case EOPNOTSUPP:
          break;
        default:
          std::fprintf(stderr, "%s: accept: %s\n", m_argv0, std::strerror(e));
          std::exit(1);
      }
    }
  }
  int accept() {
    return accept([] {});
  }

  int fd() const noexcept { return m_fd; }

  // Stops accepting; connections still in the backlog are reset.
  void close() {
    if (m_fd < 0) return;
    detail::stop_listener.store(-1);  // first: the handler must never shut down a reused fd
    ::close(m_fd);
    m_fd = -1;
  }

 private:
  const char* m_argv0;
  bool m_nodelay;
  int m_fd = -1;
};

// The connections that other threads serve (threads, threadpool), so that the stop can shut them
// all down: their blocked recv() or send() returns, and their threads finish.
class LiveConnections {
 public:
  void add(int fd) {
    std::lock_guard lock(m_mutex);
    m_fds.insert(fd);
  }
  // Closes a connection its thread is done with; under the lock, so that shutdown_all() never
  // shuts down a reused fd number.
  void close(int fd) {
    std::lock_guard lock(m_mutex);
    m_fds.erase(fd);
    ::close(fd);
  }
  void shutdown_all() {
    std::lock_guard lock(m_mutex);
    for (const int fd : m_fds) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  std::mutex m_mutex;
  std::unordered_set<int> m_fds;
};

}  // namespace echo
