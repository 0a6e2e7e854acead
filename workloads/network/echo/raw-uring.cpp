// The smallest correct echo server on io_uring (model `raw-uring`, kind `limit` in the registry):
// no runtime, liburing only, so every table shows how far each runtime is from the bare ring.
//
// One thread and one ring (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN where the kernel has them:
// completions are processed only when this thread waits for them, as liburing's authors
// recommend for a ring that one thread owns). A multishot accept posts every new connection; each
// connection has one echo::kBufferSize buffer and alternates a recv into it and a send of what
// came, resent from where the kernel stopped when a send is short, so at most one operation per
// connection is in flight and a client that does not read holds one buffer of the server's
// memory. One io_uring_submit_and_wait per loop turn submits everything the last turn queued and
// waits for the next completion. That is the whole request path: a recv and a send SQE, and their
// two completions.
//
// The multishot accept ends on an error (EMFILE and kin: out of descriptors); it is armed again
// when a connection closes or after 50 ms (a timeout SQE), whichever comes first. SIGINT and
// SIGTERM arrive through a signalfd read on the ring, so the stop needs no signal handler (under
// valgrind, a handler does not run while the thread waits in io_uring_enter): the server closes
// every connection and exits 0. Where io_uring cannot be used (ENOSYS, EPERM from a seccomp
// policy), it says so in one line and exits 77, the suite's "unsupported".
#include <liburing.h>
#include <sys/signalfd.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_set>

#include "server.hpp"

namespace {

struct Connection {
  int fd;
  std::size_t len = 0;  // bytes of buf being sent back
  std::size_t off = 0;  // of which these are out
  alignas(16) char buf[echo::kBufferSize];
};

// user_data: a connection's address with the operation in its low bit, or one of these.
constexpr std::uint64_t kAccept = 8, kSignal = 16, kRearm = 24;
constexpr std::uint64_t kSendBit = 1;

class Server {
 public:
  Server(const char* argv0, const echo::Options& o) : m_argv0(argv0), m_nodelay(o.nodelay) {
    io_uring_params p{};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int rc = io_uring_queue_init_params(4096, &m_ring, &p);
    if (rc == -EINVAL) {  // a kernel before 6.1: no DEFER_TASKRUN
      p = {};
      rc = io_uring_queue_init_params(4096, &m_ring, &p);
    }
    if (rc < 0) unsupported("io_uring_setup", rc);
    // The ring must work, not only exist: a NOP submitted and reaped (a seccomp policy can allow
    // io_uring_setup and refuse io_uring_enter).
    io_uring_prep_nop(sqe());
    if ((rc = io_uring_submit_and_wait(&m_ring, 1)) < 0) unsupported("io_uring_enter", rc);
    io_uring_cqe* cqe;
    if ((rc = io_uring_peek_cqe(&m_ring, &cqe)) < 0) unsupported("io_uring_enter", rc);
    io_uring_cqe_seen(&m_ring, cqe);

    m_listener = echo::listen_socket(o.host, o.port);
    sigset_t stop;
    ::sigemptyset(&stop);
    ::sigaddset(&stop, SIGINT);
    ::sigaddset(&stop, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &stop, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    m_signals = ::signalfd(-1, &stop, SFD_CLOEXEC);
    if (m_signals < 0) throw std::system_error(errno, std::system_category(), "signalfd");
    io_uring_prep_read(sqe(), m_signals, &m_siginfo, sizeof m_siginfo, 0);
    io_uring_sqe_set_data64(m_last, kSignal);
    arm_accept();
    echo::print_listening(o.host, echo::local_port(m_listener));
  }
  ~Server() { io_uring_queue_exit(&m_ring); }

  int run() {
    for (;;) {
      const int rc = io_uring_submit_and_wait(&m_ring, 1);
      if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        std::fprintf(stderr, "%s: io_uring_enter: %s\n", m_argv0, std::strerror(-rc));
        return 1;
      }
      io_uring_cqe* cqe;
      unsigned head, seen = 0;
      bool stop = false;
      io_uring_for_each_cqe(&m_ring, head, cqe) {
        ++seen;
        stop = stop || complete(cqe->user_data, cqe->res, cqe->flags);
      }
      io_uring_cq_advance(&m_ring, seen);
      if (stop) return shut_down();
    }
  }

 private:
  [[noreturn]] void unsupported(const char* what, int rc) {
    std::fprintf(stderr, "%s: io_uring is not available here: %s: %s\n", m_argv0, what,
                 std::strerror(-rc));
    std::exit(77);
  }

  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&m_ring);
    if (!s) {  // the queue is full: submit what is there to make room
      io_uring_submit(&m_ring);
      s = io_uring_get_sqe(&m_ring);
    }
    m_last = s;
    return s;
  }

  void arm_accept() {
    io_uring_prep_multishot_accept(sqe(), m_listener, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(m_last, kAccept);
    m_accepting = true;
  }

  void recv(Connection* c) {
    io_uring_prep_recv(sqe(), c->fd, c->buf, sizeof c->buf, 0);
    io_uring_sqe_set_data64(m_last, reinterpret_cast<std::uint64_t>(c));
  }

  void send(Connection* c) {
    io_uring_prep_send(sqe(), c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(m_last, reinterpret_cast<std::uint64_t>(c) | kSendBit);
  }

  void close_connection(Connection* c) {
    ::close(c->fd);
    m_connections.erase(c);
    delete c;
    if (!m_accepting) arm_accept();
  }

  // Handles one completion; true when the server is to stop.
  bool complete(std::uint64_t data, int res, unsigned flags) {
    if (data == kSignal) return true;
    if (data == kRearm) {
      if (!m_accepting) arm_accept();
      return false;
    }
    if (data == kAccept) {
      if (res >= 0) {
        if (m_nodelay) echo::set_nodelay(res);
        auto* c = new Connection;
        c->fd = res;
        m_connections.insert(c);
        recv(c);
      }
      if (!(flags & IORING_CQE_F_MORE)) {
        // The multishot accept has ended: on an error (out of descriptors), wait for a close or
        // 50 ms; otherwise (the kernel stopped it) arm it again now.
        m_accepting = false;
        if (res >= 0 || res == -ECONNABORTED || res == -EINTR) {
          arm_accept();
        } else {
          io_uring_prep_timeout(sqe(), &m_rearm_after, 0, 0);
          io_uring_sqe_set_data64(m_last, kRearm);
        }
      }
      return false;
    }
    auto* c = reinterpret_cast<Connection*>(data & ~kSendBit);
    if (!(data & kSendBit)) {  // a recv
      if (res <= 0) {  // the peer closed (0) or reset its side
        close_connection(c);
        return false;
      }
      c->len = std::size_t(res);
      c->off = 0;
      send(c);
      return false;
    }
    if (res < 0) {
      close_connection(c);
      return false;
    }
    c->off += std::size_t(res);
    if (c->off < c->len)
      send(c);  // short: the rest from where the kernel stopped
    else
      recv(c);
    return false;
  }

  int shut_down() {
    for (Connection* c : m_connections) {
      ::close(c->fd);
      delete c;
    }
    m_connections.clear();
    ::close(m_listener);
    return 0;
  }

  const char* m_argv0;
  bool m_nodelay;
  io_uring m_ring{};
  io_uring_sqe* m_last = nullptr;
  int m_listener = -1, m_signals = -1;
  bool m_accepting = false;
  signalfd_siginfo m_siginfo{};
  __kernel_timespec m_rearm_after{0, 50'000'000};
  std::unordered_set<Connection*> m_connections;
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
