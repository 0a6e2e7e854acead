// The epoll backend: readiness notification, with epoll_pwait2's nanosecond timeout for timers
// and an eventfd for wakeups from other threads.
#include <sys/epoll.h>
#include <sys/eventfd.h>
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

std::system_error os_error(int err, const char* call) {
  return std::system_error(err, std::system_category(), call);
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
    ev.data.ptr = nullptr;  // the wakeup eventfd is the only registration without an owner
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
    return m_have_pwait2 ? "epoll (epoll_pwait2, eventfd wakeup)"
                         : "epoll (epoll_wait, millisecond timeouts, eventfd wakeup)";
  }

  void wait(std::optional<std::chrono::nanoseconds> timeout) override {
    epoll_event events[max_events];
    const int n = poll(events, timeout);
    if (n < 0) {
      if (errno == EINTR) return;  // the loop recomputes its timeout and comes back
      throw os_error(errno, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(m_wakefd, &count, sizeof count);
      }
    }
  }

  void wakeup() noexcept override {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is saturated, i.e. a wakeup is pending anyway.
    [[maybe_unused]] ssize_t r = ::write(m_wakefd, &one, sizeof one);
  }

 private:
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
