#include "aio/signal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <stdexcept>

#include "aio/detail/io.hpp"

namespace aio::detail {

namespace {

int g_pipe[2] = {-1, -1};
std::atomic<bool> g_waiting{false};

extern "C" void on_signal(int sig) {
  const int saved = errno;
  const unsigned char b = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t r = ::write(g_pipe[1], &b, 1);  // full pipe: a wakeup is pending anyway
  errno = saved;
}

struct Restore {
  std::vector<std::pair<int, struct sigaction>> saved;
  ~Restore() {
    for (auto& [sig, old] : saved) ::sigaction(sig, &old, nullptr);
  }
};

}  // namespace

Task<int> wait_signal_impl(std::vector<int> signals) {
  if (signals.empty()) throw std::invalid_argument("aio::wait_signal: no signal given");
  if (g_waiting.exchange(true))
    throw std::logic_error("aio::wait_signal: another task is already waiting for signals");
  struct Done {
    ~Done() { g_waiting = false; }
  } done;

  static std::once_flag once;
  static int pipe_error = 0;
  std::call_once(once, [] {
    if (::pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) < 0) pipe_error = errno;
  });
  if (pipe_error) throw_os(pipe_error, "pipe2");
  unsigned char stale[64];
  while (::read(g_pipe[0], stale, sizeof stale) > 0) {
  }

  Restore restore;
  for (int sig : signals) {
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    struct sigaction old{};
    if (::sigaction(sig, &sa, &old) < 0) throw_os(errno, "sigaction");
    restore.saved.emplace_back(sig, old);
  }

  SocketRef pipe(new Socket(g_pipe[0]));
  pipe->owns_fd = false;
  for (;;) {
    unsigned char b = 0;
    IoRequest req;
    req.op = IoOp::read;
    req.handle = &pipe->io;
    req.buf = &b;
    req.len = 1;
    req.offset = std::uint64_t(-1);
    IoAwaiter op(pipe.get(), req);
    const int r = co_await op;
    if (r < 0 && r != -EINTR && r != -EAGAIN) throw_os(-r, "read");
    if (r == 1 && std::find(signals.begin(), signals.end(), int(b)) != signals.end()) co_return b;
  }
}

}  // namespace aio::detail
