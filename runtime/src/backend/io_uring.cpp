// The io_uring backend (liburing): completion-based. Everything goes through the ring: the wait
// for timers is the timeout of io_uring_submit_and_wait_timeout (IORING_FEAT_EXT_ARG, so no
// timeout SQE is spent), and wakeups from the thread pool arrive as the completion of a read on
// an eventfd that is always outstanding. Submissions are batched: preparing an operation only
// fills an SQE, and one io_uring_enter per loop turn submits them and waits.
//
// Ring setup tries the cheapest task-work mode first: SINGLE_ISSUER | DEFER_TASKRUN (6.1+: no
// interrupts, completions processed when the loop asks), then COOP_TASKRUN (5.19+), then none.
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

#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>

#include "aio/detail/backend.hpp"
#include "aio/detail/config.hpp"
#include "aio/loop.hpp"

namespace aio::detail {
namespace {

// Eight times libuv's default of 64 for its own ring; the CQ is twice as large (the kernel's
// default) and overflow is lossless on kernels with IORING_FEAT_NODROP (5.5+).
constexpr unsigned ring_entries = 4096;
constexpr std::uint64_t wakeup_tag = 1;  // user_data of the eventfd read; real ops are pointers

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
    m_wakefd = ::eventfd(0, EFD_CLOEXEC);
    if (m_wakefd < 0) {
      const int err = errno;
      io_uring_queue_exit(&m_ring);
      throw os_error(err, "eventfd");
    }
    arm_wakeup();
  }

  ~UringBackend() override {
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

 private:
  io_uring_sqe* get_sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&m_ring);
    if (sqe) return sqe;
    // The submission queue is full: flush it (without waiting) and take a fresh entry.
    const int ret = io_uring_submit(&m_ring);
    if (ret < 0) throw os_error(-ret, "io_uring_submit");
    sqe = io_uring_get_sqe(&m_ring);
    AIO_ASSERT(sqe != nullptr, "no SQE after a submit");
    return sqe;
  }

  void arm_wakeup() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, m_wakefd, &m_wakebuf, sizeof m_wakebuf, 0);
    io_uring_sqe_set_data64(sqe, wakeup_tag);
  }

  void reap() {
    unsigned head;
    unsigned seen = 0;
    bool rearm = false;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&m_ring, head, cqe) {
      ++seen;
      if (cqe->user_data == wakeup_tag) rearm = true;
    }
    io_uring_cq_advance(&m_ring, seen);
    if (rearm) arm_wakeup();
  }

  io_uring m_ring{};
  unsigned m_flags = 0;
  unsigned m_features = 0;
  int m_wakefd = -1;
  std::uint64_t m_wakebuf = 0;
};

}  // namespace

std::unique_ptr<IoBackend> make_io_uring_backend() { return std::make_unique<UringBackend>(); }

}  // namespace aio::detail

#endif  // AIO_NO_IO_URING
