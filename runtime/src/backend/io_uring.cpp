// The io_uring backend (liburing): completion-based. Everything goes through the ring: accept,
// connect, recv, send, read, openat and close are ring operations; the wait for timers is the
// timeout of io_uring_submit_and_wait_timeout (IORING_FEAT_EXT_ARG, so no timeout SQE is spent);
// wakeups from the thread pool arrive as the completion of a read on an eventfd that is always
// outstanding; a readiness wait (aio/ready.hpp) is a one-shot IORING_OP_POLL_ADD. Submissions
// are batched: preparing an operation only fills an SQE, and one io_uring_enter per loop turn
// submits them and waits. Cancelling sends IORING_OP_ASYNC_CANCEL and the request's own
// completion (-ECANCELED, or its result if it won) still follows, so its buffer (or, for a poll,
// the awaiting frame) is never given back while the kernel may still complete the request.
//
// Ring setup tries the cheapest task-work mode first: SINGLE_ISSUER | DEFER_TASKRUN (6.1+: no
// interrupts, completions processed when the loop asks), then COOP_TASKRUN (5.19+), then none.
// A ring that could be set up is then exercised, a NOP submitted and reaped, before the backend
// is handed out: a seccomp filter may allow io_uring_setup and refuse io_uring_enter, and such a
// ring would fail at the loop's first turn instead of letting `automatic` fall back to epoll.
#include "aio/detail/backend.hpp"

#ifdef AIO_NO_IO_URING

#include <cerrno>
#include <system_error>

namespace aio::detail {
std::unique_ptr<IoBackend> make_io_uring_backend() {
  throw std::system_error(ENOSYS, std::system_category(),
                          "io_uring_queue_init (aio was built without liburing)");
}
}  // namespace aio::detail

#else

#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "aio/detail/config.hpp"
#include "aio/loop.hpp"

namespace aio::detail {
namespace {

// Eight times libuv's default of 64 for its own ring; the CQ is twice as large (the kernel's
// default) and overflow is lossless on kernels with IORING_FEAT_NODROP (5.5+).
constexpr unsigned ring_entries = 4096;
// user_data of what is not a request (requests are their own address, never this small).
constexpr std::uint64_t tag_ignore = 0;  // cancellations: their target's completion is what counts
constexpr std::uint64_t tag_wakeup = 1;  // the eventfd read
constexpr std::uint64_t tag_close = 2;   // closes, counted so that teardown can wait for them

// IoRequest::state
constexpr std::uint8_t in_flight = 1;
constexpr std::uint8_t polling = 2;  // an -EAGAIN fallback: waiting for readiness, then again

std::system_error os_error(int err, const char* call) {
  return std::system_error(err, std::system_category(), call);
}

class UringBackend final : public IoBackend {
 public:
  UringBackend() {
    static constexpr unsigned flag_sets[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_COOP_TASKRUN,
        0,
    };
    int ret = -EINVAL;
    for (unsigned flags : flag_sets) {
      io_uring_params p{};
      p.flags = flags;
      ret = io_uring_queue_init_params(ring_entries, &m_ring, &p);
      if (ret == 0) {
        m_flags = flags;
        m_features = p.features;
        break;
      }
      if (ret != -EINVAL) break;  // EPERM, ENOSYS, ENOMEM: no point trying other flags
    }
    if (ret < 0) throw os_error(-ret, "io_uring_queue_init");
    if (const auto [err, call] = exercise(); err != 0) {
      io_uring_queue_exit(&m_ring);
      throw os_error(err, call);
    }
    // Multishot accept came with Linux 5.19, as did IORING_OP_SOCKET, which the probe can see.
    if (io_uring_probe* probe = io_uring_get_probe_ring(&m_ring)) {
      m_multishot_accept = io_uring_opcode_supported(probe, IORING_OP_SOCKET);
      io_uring_free_probe(probe);
    }
    // Diagnostic switch: the single-shot path, as on kernels before 5.19.
    if (const char* e = std::getenv("AIO_IO_URING_MULTISHOT_ACCEPT"); e && std::string_view(e) == "0")
      m_multishot_accept = false;
    m_wakefd = ::eventfd(0, EFD_CLOEXEC);
    if (m_wakefd < 0) {
      const int err = errno;
      io_uring_queue_exit(&m_ring);
      throw os_error(err, "eventfd");
    }
    arm_wakeup();
  }

  ~UringBackend() override {
    // Closes still queued or in flight must happen, or their descriptors would leak.
    io_uring_submit(&m_ring);
    while (m_closes_in_flight > 0) {
      io_uring_cqe* cqe;
      __kernel_timespec ts{1, 0};
      if (io_uring_wait_cqe_timeout(&m_ring, &cqe, &ts) < 0) break;
      reap();
    }
    io_uring_queue_exit(&m_ring);
    ::close(m_wakefd);
  }

  aio::Backend kind() const noexcept override { return aio::Backend::io_uring; }

  std::string describe() const override {
    std::string s = "io_uring (";
    if (m_flags & IORING_SETUP_DEFER_TASKRUN)
      s += "SINGLE_ISSUER|DEFER_TASKRUN";
    else if (m_flags & IORING_SETUP_COOP_TASKRUN)
      s += "COOP_TASKRUN";
    else
      s += "default task work";
    if (m_features & IORING_FEAT_EXT_ARG) s += ", EXT_ARG";
    if (m_features & IORING_FEAT_NODROP) s += ", NODROP";
    if (m_features & IORING_FEAT_FAST_POLL) s += ", FAST_POLL";
    s += m_multishot_accept ? ", multishot accept" : ", single-shot accept";
    s += ", " + std::to_string(ring_entries) + " entries)";
    return s;
  }

  void wait(std::optional<std::chrono::nanoseconds> timeout) override {
    int ret;
    if (timeout && timeout->count() == 0) {
      ret = io_uring_submit_and_get_events(&m_ring);
    } else {
      io_uring_cqe* cqe = nullptr;
      __kernel_timespec ts{};
      if (timeout) {
        ts.tv_sec = timeout->count() / 1'000'000'000;
        ts.tv_nsec = timeout->count() % 1'000'000'000;
      }
      ret = io_uring_submit_and_wait_timeout(&m_ring, &cqe, 1, timeout ? &ts : nullptr, nullptr);
    }
    if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
      throw os_error(-ret, "io_uring_enter");
    reap();
  }

  void wakeup() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(m_wakefd, &one, sizeof one);
  }

  bool has_unsubmitted() const noexcept override { return io_uring_sq_ready(&m_ring) > 0; }

  void attach(IoHandle& h) override { h.registered = true; }
  void detach(IoHandle& h) noexcept override { h.registered = false; }

  void close_fd(int fd) noexcept override {
    io_uring_sqe* sqe = try_get_sqe();
    if (sqe == nullptr) {
      ::close(fd);  // the ring is wedged; do not leak the descriptor
      return;
    }
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, tag_close);
    ++m_closes_in_flight;
  }

  bool submit(IoRequest& r) override {
    prep(get_sqe(), r);
    return false;
  }

  void cancel(IoRequest& r) noexcept override {
    if (r.state == 0) return;  // not in flight: its completion has been delivered already
    io_uring_sqe* sqe = try_get_sqe();
    if (sqe == nullptr) return;  // it will complete on its own
    io_uring_prep_cancel64(sqe, reinterpret_cast<std::uint64_t>(&r), 0);
    io_uring_sqe_set_data64(sqe, tag_ignore);
  }

  bool can_do_file_io() const noexcept override { return true; }
  bool has_multishot_accept() const noexcept override { return m_multishot_accept; }

 private:
  void prep(io_uring_sqe* sqe, IoRequest& r) {
    const int fd = r.handle ? r.handle->fd : AT_FDCWD;
    switch (r.op) {
      case IoOp::recv:
        io_uring_prep_recv(sqe, fd, r.buf, r.len, 0);
        break;
      case IoOp::send:
        io_uring_prep_send(sqe, fd, r.buf, r.len, MSG_NOSIGNAL);
        break;
      case IoOp::accept:
        io_uring_prep_accept(sqe, fd, r.addr, r.addr ? &r.addrlen : nullptr,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
        break;
      case IoOp::accept_multishot:
        io_uring_prep_multishot_accept(sqe, fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        break;
      case IoOp::connect:
        io_uring_prep_connect(sqe, fd, r.addr, r.addrlen);
        break;
      case IoOp::read:
        io_uring_prep_read(sqe, fd, r.buf, r.len, r.offset);
        break;
      case IoOp::openat:
        io_uring_prep_openat(sqe, AT_FDCWD, r.path, r.flags, 0);
        break;
      case IoOp::poll_in:
      case IoOp::poll_out:
        // One-shot (no IORING_POLL_ADD_MULTI): the kernel drops the poll when it fires, so
        // nothing stays armed once the completion is reaped. ERR and HUP are always reported.
        io_uring_prep_poll_add(sqe, fd, r.op == IoOp::poll_in ? POLLIN : POLLOUT);
        break;
    }
    io_uring_sqe_set_data(sqe, &r);
    r.state = in_flight;
  }

  // Submits a NOP and reaps its completion; {0, ""}, or the errno and the call that failed.
  std::pair<int, const char*> exercise() noexcept {
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    if (sqe == nullptr) return {EBUSY, "io_uring_get_sqe"};
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, tag_ignore);
    int ret;
    do {
      ret = io_uring_submit_and_wait(&m_ring, 1);
    } while (ret == -EINTR);
    if (ret < 0) return {-ret, "io_uring_enter"};
    io_uring_cqe* cqe = nullptr;
    if (io_uring_peek_cqe(&m_ring, &cqe) != 0 || cqe == nullptr) return {EIO, "io_uring_enter"};
    const int res = cqe->res;
    io_uring_cqe_seen(&m_ring, cqe);
    if (res < 0) return {-res, "IORING_OP_NOP"};
    return {0, ""};
  }

  io_uring_sqe* try_get_sqe() noexcept {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&m_ring)) return sqe;
    // The submission queue is full: flush it (without waiting) and take a fresh entry.
    if (io_uring_submit(&m_ring) < 0) return nullptr;
    return io_uring_get_sqe(&m_ring);
  }

  io_uring_sqe* get_sqe() {
    io_uring_sqe* sqe = try_get_sqe();
    if (sqe == nullptr) throw os_error(EBUSY, "io_uring_submit");
    return sqe;
  }

  void arm_wakeup() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, m_wakefd, &m_wakebuf, sizeof m_wakebuf, 0);
    io_uring_sqe_set_data64(sqe, tag_wakeup);
  }

  void complete(IoRequest& r, const io_uring_cqe& cqe) {
    if (r.state == polling) {
      prep(get_sqe(), r);  // readiness arrived: issue the operation itself again
      return;
    }
    if (cqe.res == -EAGAIN && r.op != IoOp::openat && r.op != IoOp::accept_multishot &&
        !is_poll(r.op)) {
      // Kernels that hand -EAGAIN back for a non-blocking socket or pipe: wait for readiness.
      io_uring_sqe* sqe = get_sqe();
      io_uring_prep_poll_add(sqe, r.handle->fd, is_write(r.op) ? POLLOUT : POLLIN);
      io_uring_sqe_set_data(sqe, &r);
      r.state = polling;
      return;
    }
    r.more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    if (!r.more) r.state = 0;
    if (r.op == IoOp::accept_multishot && cqe.res == -EINVAL) m_multishot_accept = false;
    r.result = cqe.res;
    r.complete(&r);
  }

  void reap() {
    unsigned head;
    unsigned seen = 0;
    bool rearm = false;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&m_ring, head, cqe) {
      ++seen;
      switch (cqe->user_data) {
        case tag_ignore:
          break;
        case tag_wakeup:
          rearm = true;
          break;
        case tag_close:
          --m_closes_in_flight;
          break;
        default:
          complete(*reinterpret_cast<IoRequest*>(cqe->user_data), *cqe);
      }
    }
    io_uring_cq_advance(&m_ring, seen);
    if (rearm) arm_wakeup();
  }

  io_uring m_ring{};
  unsigned m_flags = 0;
  unsigned m_features = 0;
  bool m_multishot_accept = false;
  unsigned m_closes_in_flight = 0;
  int m_wakefd = -1;
  std::uint64_t m_wakebuf = 0;
};

}  // namespace

std::unique_ptr<IoBackend> make_io_uring_backend() { return std::make_unique<UringBackend>(); }

}  // namespace aio::detail

#endif  // AIO_NO_IO_URING
