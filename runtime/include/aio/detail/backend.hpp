// The seam between the generic loop and the operating system's I/O interface.
//
// libuv runs one generic loop (`uv_run` in core.c) over a one-function backend contract
// (`uv__io_poll(loop, timeout)`) with linux.c and kqueue.c behind it; aio does the same with
// exactly two implementations, src/backend/epoll.cpp and src/backend/io_uring.cpp. A backend knows
// nothing of coroutines or tasks: it is given operations, each with a completion callback, and
// calls those callbacks from wait(). The loop has no #ifdef and no idea which backend it drives.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace aio {
enum class Backend;
}

namespace aio::detail {

class IoBackend {
 public:
  virtual ~IoBackend() = default;

  virtual aio::Backend kind() const noexcept = 0;
  // What the backend set up (kernel features, flags), for results files and diagnostics.
  virtual std::string describe() const = 0;

  // Submits what is queued, then blocks until at least one completion arrives, wakeup() is
  // called, or `timeout` passes (nullopt: no timeout; zero: do not block). Runs the callbacks of
  // the completions it reaped before returning. Returns early on a signal (EINTR).
  virtual void wait(std::optional<std::chrono::nanoseconds> timeout) = 0;

  // Thread-safe and async-signal-safe: makes a current or the next wait() return.
  virtual void wakeup() noexcept = 0;
};

// Each throws std::system_error naming the call that failed (e.g. "io_uring_queue_init").
std::unique_ptr<IoBackend> make_epoll_backend();
std::unique_ptr<IoBackend> make_io_uring_backend();

}  // namespace aio::detail
