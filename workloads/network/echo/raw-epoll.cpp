// The smallest correct echo server on epoll (model `raw-epoll`, kind `limit` in the registry): no
// runtime at all, so every table shows how far each runtime is from the bare system calls.
//
// One thread, one level-triggered epoll set, one echo::kBufferSize buffer per connection. A
// readable connection is read once into its buffer and written straight back; only when the
// socket takes less than all of it does the connection stop reading (EPOLLOUT instead of
// EPOLLIN) until the rest is out, so a client that does not read holds one buffer of the
// server's memory. That is the whole request path: epoll_wait, recv, send (three system calls
// per request when one connection is ready at a time; epoll_wait is shared when several are).
//
// Out of descriptors (EMFILE and kin), the listener is taken out of the set until a connection
// closes or 50 ms pass, instead of spinning on a listener that stays readable. SIGINT and SIGTERM
// arrive on a signalfd in the same set: the server stops accepting, closes every connection and
// exits 0.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <csignal>
#include <cstring>
#include <memory>
#include <system_error>
#include <unordered_map>

#include "server.hpp"

namespace {

struct Connection {
  int fd;
  char buf[echo::kBufferSize];
  std::size_t len = 0;  // bytes in buf not yet sent back
  std::size_t off = 0;  // of which these are already out
  bool writing = false;  // waiting for EPOLLOUT to send the rest (not reading meanwhile)
};

class Server {
 public:
  Server(const char* argv0, const echo::Options& o) : m_argv0(argv0), m_nodelay(o.nodelay) {
    m_listener = echo::listen_socket(o.host, o.port);
    set_nonblocking(m_listener);
    m_epoll = check(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
    sigset_t stop;
    ::sigemptyset(&stop);
    ::sigaddset(&stop, SIGINT);
    ::sigaddset(&stop, SIGTERM);
    check(::sigprocmask(SIG_BLOCK, &stop, nullptr), "sigprocmask");
    ::signal(SIGPIPE, SIG_IGN);
    m_signals = check(::signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC), "signalfd");
    add(m_signals, EPOLLIN, &m_signals);
    add(m_listener, EPOLLIN, &m_listener);
    echo::print_listening(o.host, echo::local_port(m_listener));
  }

  int run() {
    epoll_event events[256];
    for (;;) {
      const int n = ::epoll_wait(m_epoll, events, 256, m_accepting ? -1 : 50);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("epoll_wait");
      }
      if (!m_accepting && n == 0) resume_accepting();  // 50 ms without a close: try again
      for (int i = 0; i < n; ++i) {
        void* p = events[i].data.ptr;
        if (p == &m_signals) return stop();
        if (p == &m_listener) {
          accept_all();
          continue;
        }
        auto* c = static_cast<Connection*>(p);
        if (!serve(*c, events[i].events)) close_connection(c);
      }
    }
  }

 private:
  static int check(int rc, const char* what) {
    if (rc < 0) throw std::system_error(errno, std::system_category(), what);
    return rc;
  }
  static void set_nonblocking(int fd) {
    check(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), "fcntl");
  }
  void add(int fd, std::uint32_t events, void* p) {
    epoll_event e{};
    e.events = events;
    e.data.ptr = p;
    check(::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &e), "epoll_ctl");
  }
  void modify(Connection& c, std::uint32_t events) {
    epoll_event e{};
    e.events = events;
    e.data.ptr = &c;
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &e);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Until a connection closes (or 50 ms pass) the listener stays out of the set.
          ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, m_listener, nullptr);
          m_accepting = false;
          return;
        }
        return;  // the new connection's own trouble (accept(2)): the next one may be fine
      }
      if (m_nodelay) echo::set_nodelay(fd);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      Connection* raw = c.get();
      m_connections.emplace(raw, std::move(c));
      add(fd, EPOLLIN, raw);
    }
  }

  void resume_accepting() {
    add(m_listener, EPOLLIN, &m_listener);
    m_accepting = true;
  }

  // Moves the connection's bytes along; false when it is over (closed by the peer, or an error).
  bool serve(Connection& c, std::uint32_t events) {
    if (c.len == 0) {
      if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return true;
      const ssize_t n = ::recv(c.fd, c.buf, sizeof c.buf, 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      c.len = std::size_t(n);
      c.off = 0;
    }
    while (c.off < c.len) {
      const ssize_t m = ::send(c.fd, c.buf + c.off, c.len - c.off, MSG_NOSIGNAL);
      if (m < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return false;
        if (!c.writing) set_writing(c, true);
        return true;
      }
      c.off += std::size_t(m);
    }
    c.len = c.off = 0;
    if (c.writing) set_writing(c, false);
    return true;
  }

  void set_writing(Connection& c, bool on) {
    c.writing = on;
    modify(c, on ? EPOLLOUT : EPOLLIN);
  }

  void close_connection(Connection* c) {
    ::close(c->fd);  // also takes it out of the epoll set
    m_connections.erase(c);
    if (!m_accepting) resume_accepting();
  }

  int stop() {
    for (auto& [p, c] : m_connections) ::close(c->fd);
    m_connections.clear();
    ::close(m_listener);
    return 0;
  }

  int fail(const char* what) {
    std::fprintf(stderr, "%s: %s: %s\n", m_argv0, what, std::strerror(errno));
    return 1;
  }

  const char* m_argv0;
  bool m_nodelay;
  int m_listener = -1, m_epoll = -1, m_signals = -1;
  bool m_accepting = true;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> m_connections;
};

}  // namespace

int main(int argc, char** argv) {
  const echo::Options o = echo::parse(argc, argv);
  try {
    Server server(argv[0], o);
    return server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
