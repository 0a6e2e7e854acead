// The epoll backend: readiness notification.
//
// Each descriptor is registered once, edge-triggered for both directions, for its whole life (no
// epoll_ctl per operation). A request first tries its system call; only if that would block does
// it wait on the descriptor, and each readiness edge retries the waiting requests until one would
// block again. Timers are epoll_pwait2's nanosecond timeout; wakeups from other threads write an
// eventfd. Regular files cannot be waited on with epoll, so can_do_file_io() is false and the
// file API uses the thread pool (aiofiles' way). A readiness wait (poll_in / poll_out, for a
// descriptor the caller owns) has no system call of its own to try: its attempt is a poll(2) with
// a zero timeout, so an edge that is stale by the time it is seen (someone else read the bytes)
// puts the request back to wait instead of completing it.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "aio/detail/backend.hpp"
#include "aio/detail/config.hpp"
#include "aio/loop.hpp"

namespace aio::detail {
namespace {

constexpr int max_events = 256;
constexpr std::uint8_t connect_in_progress = 1;

std::system_error os_error(int err, const char* call) {
  return std::system_error(err, std::system_category(), call);
}

// The request's system call, without blocking: its result, or -EAGAIN if it would block.
// EINTR is retried here, the one place this backend makes such calls.
int attempt(IoRequest& r) {
  const int fd = r.handle->fd;
  for (;;) {
    long res;
    switch (r.op) {
      case IoOp::recv:
        res = ::recv(fd, r.buf, r.len, 0);
        break;
      case IoOp::send:
        res = ::send(fd, r.buf, r.len, MSG_NOSIGNAL);
        break;
      case IoOp::accept:
        res = ::accept4(fd, r.addr, r.addr ? &r.addrlen : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        break;
      case IoOp::read:
        res = r.offset == std::uint64_t(-1) ? ::read(fd, r.buf, r.len)
                                             : ::pread(fd, r.buf, r.len, off_t(r.offset));
        break;
      case IoOp::connect:
        if (r.state != connect_in_progress) {
          res = ::connect(fd, r.addr, r.addrlen);
          if (res < 0 && errno == EINPROGRESS) {
            r.state = connect_in_progress;
            return -EAGAIN;
          }
          break;
        } else {
          int err = 0;
          socklen_t len = sizeof err;
          if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
          if (err != 0) return -err;
          // SO_ERROR is also 0 while the handshake is still going on (a stale writable edge
          // from the registration): only a peer address says it is done.
          sockaddr_storage peer;
          socklen_t plen = sizeof peer;
          if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) < 0)
            return errno == ENOTCONN ? -EAGAIN : -errno;
          return 0;
        }
      case IoOp::poll_in:
      case IoOp::poll_out: {
        pollfd p{fd, static_cast<short>(r.op == IoOp::poll_in ? POLLIN : POLLOUT), 0};
        res = ::poll(&p, 1, 0);
        if (res == 0) return -EAGAIN;
        if (res > 0) return (p.revents & POLLNVAL) ? -EBADF : p.revents;
        break;
      }
      default:
        AIO_ASSERT(false, "operation not supported by the epoll backend");
    }
    if (res >= 0) return static_cast<int>(res);
    if (errno == EINTR) continue;
    return errno == EWOULDBLOCK ? -EAGAIN : -errno;
  }
}

class EpollBackend final : public IoBackend {
 public:
  EpollBackend() {
    m_epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epfd < 0) throw os_error(errno, "epoll_create1");
    m_wakefd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakefd < 0) {
      const int err = errno;
      ::close(m_epfd);
      throw os_error(err, "eventfd");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // the wakeup eventfd is the only registration without a handle
    if (::epoll_ctl(m_epfd, EPOLL_CTL_ADD, m_wakefd, &ev) < 0) {
      const int err = errno;
      ::close(m_wakefd);
      ::close(m_epfd);
      throw os_error(err, "epoll_ctl");
    }
  }

  ~EpollBackend() override {
    ::close(m_wakefd);
    ::close(m_epfd);
  }

  aio::Backend kind() const noexcept override { return aio::Backend::epoll; }

  std::string describe() const override {
    return m_have_pwait2 ? "epoll (edge-triggered, epoll_pwait2, eventfd wakeup)"
                         : "epoll (edge-triggered, epoll_wait with millisecond timeouts, eventfd wakeup)";
  }

  void wait(std::optional<std::chrono::nanoseconds> timeout) override {
    epoll_event events[max_events];
    const int n = poll(events, timeout);
    if (n < 0) {
      if (errno == EINTR) return;  // the loop recomputes its timeout and comes back
      throw os_error(errno, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      auto* h = static_cast<IoHandle*>(events[i].data.ptr);
      if (h == nullptr) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(m_wakefd, &count, sizeof count);
        continue;
      }
      // Completion callbacks only schedule coroutines: nothing can detach `h` in between.
      const std::uint32_t e = events[i].events;
      if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) h->peer_closed = true;
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) drain(*h, 0);
      if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) drain(*h, 1);
    }
  }

  void wakeup() noexcept override {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is saturated, i.e. a wakeup is pending anyway.
    [[maybe_unused]] ssize_t r = ::write(m_wakefd, &one, sizeof one);
  }

  bool has_unsubmitted() const noexcept override { return false; }

  void attach(IoHandle& h) override {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &h;
    if (::epoll_ctl(m_epfd, EPOLL_CTL_ADD, h.fd, &ev) < 0) throw os_error(errno, "epoll_ctl");
    h.registered = true;
    h.ready[0] = h.ready[1] = true;
    h.peer_closed = false;
    h.waiting[0] = h.waiting[1] = nullptr;
  }

  void detach(IoHandle& h) noexcept override {
    AIO_ASSERT(h.waiting[0] == nullptr && h.waiting[1] == nullptr, "detach with requests waiting");
    if (h.registered) ::epoll_ctl(m_epfd, EPOLL_CTL_DEL, h.fd, nullptr);
    h.registered = false;
  }

  void close_fd(int fd) noexcept override { ::close(fd); }

  bool submit(IoRequest& r) override {
    IoHandle& h = *r.handle;
    const int dir = is_write(r.op) ? 1 : 0;
    if (h.ready[dir] && h.waiting[dir] == nullptr) {
      const int res = attempt(r);
      if (res != -EAGAIN) {
        if (drained(h, r, res)) h.ready[dir] = false;
        r.result = res;
        return true;
      }
      h.ready[dir] = false;
    }
    r.next = nullptr;
    IoRequest** tail = &h.waiting[dir];
    while (*tail) tail = &(*tail)->next;
    *tail = &r;
    return false;
  }

  void cancel(IoRequest& r) noexcept override {
    IoHandle& h = *r.handle;
    for (IoRequest** p = &h.waiting[is_write(r.op) ? 1 : 0]; *p; p = &(*p)->next) {
      if (*p == &r) {
        *p = r.next;
        r.next = nullptr;
        r.result = -ECANCELED;
        r.complete(&r);
        return;
      }
    }
  }

  bool can_do_file_io() const noexcept override { return false; }
  bool has_multishot_accept() const noexcept override { return false; }

 private:
  // A stream recv that returned fewer bytes than asked has emptied the receive queue: the next
  // attempt would only return EAGAIN. With edge-triggered registration, any byte that arrives
  // after this call raises a new edge, so the next read can wait for it without the wasted
  // system call (an echo server's read after its write is such a call, once per request). Not
  // once the peer has closed its side: its FIN may have come with the last bytes, and the end
  // of file that the next read would return raises no further edge.
  static bool drained(const IoHandle& h, const IoRequest& r, int res) noexcept {
    return r.op == IoOp::recv && res > 0 && static_cast<std::size_t>(res) < r.len &&
           !h.peer_closed;
  }

  void drain(IoHandle& h, int dir) {
    h.ready[dir] = true;
    while (IoRequest* r = h.waiting[dir]) {
      const int res = attempt(*r);
      if (res == -EAGAIN) {
        h.ready[dir] = false;
        return;
      }
      h.waiting[dir] = r->next;
      r->next = nullptr;
      r->result = res;
      if (drained(h, *r, res)) h.ready[dir] = false;
      r->complete(r);
    }
  }

  int poll(epoll_event* events, std::optional<std::chrono::nanoseconds> timeout) {
    if (m_have_pwait2) {
      timespec ts{};
      if (timeout) {
        ts.tv_sec = timeout->count() / 1'000'000'000;
        ts.tv_nsec = timeout->count() % 1'000'000'000;
      }
      const int n = ::epoll_pwait2(m_epfd, events, max_events, timeout ? &ts : nullptr, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      m_have_pwait2 = false;  // kernels before 5.11
    }
    int ms = -1;
    if (timeout) {
      // Rounded up: waking early would only make the loop spin until the deadline.
      const auto c = (timeout->count() + 999'999) / 1'000'000;
      ms = c > 0x7fffffff ? 0x7fffffff : static_cast<int>(c);
    }
    return ::epoll_wait(m_epfd, events, max_events, ms);
  }

  int m_epfd = -1;
  int m_wakefd = -1;
  bool m_have_pwait2 = true;
};

}  // namespace

std::unique_ptr<IoBackend> make_epoll_backend() { return std::make_unique<EpollBackend>(); }

}  // namespace aio::detail
