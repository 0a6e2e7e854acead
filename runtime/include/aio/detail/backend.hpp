// The seam between the generic loop and the operating system's I/O interface.
//
// libuv runs one generic loop (`uv_run` in core.c) over a one-function backend contract
// (`uv__io_poll(loop, timeout)`) with linux.c and kqueue.c behind it; aio does the same with
// exactly two implementations, src/backend/epoll.cpp and src/backend/io_uring.cpp. A backend knows
// nothing of coroutines or tasks: it is given requests (an operation on a descriptor, with a
// completion callback), and it calls those callbacks from wait(). Results are the kernel's own:
// a count or descriptor, or -errno, which is also what an io_uring completion's `res` holds.
//
// The two differ in how a request completes. epoll is readiness-based: submit() tries the system
// call at once and completes it there if it does not block (returns true, no callback); otherwise
// the request waits on the descriptor until an edge-triggered readiness event lets it through.
// io_uring is completion-based: submit() fills an SQE, the loop's next wait() submits the batch,
// and the completion arrives as a CQE.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace aio {
enum class Backend;
}

namespace aio::detail {

enum class IoOp : std::uint8_t {
  recv,              // buf, len
  send,              // buf, len (never raises SIGPIPE)
  accept,            // addr/addrlen may be null; the new socket is non-blocking and close-on-exec
  accept_multishot,  // io_uring only (has_multishot_accept): one completion per connection
  connect,           // addr, addrlen
  read,              // buf, len, offset (a pipe or a file; offset -1: the current position)
  openat,            // path, flags (io_uring only: can_do_file_io)
  poll_in,           // readiness only: completes with the revents mask once the descriptor is
  poll_out,          // readable (writable), or has an error or hang-up; transfers nothing
};

// Direction of a request on its descriptor: at most one request per direction is in flight.
inline bool is_write(IoOp op) noexcept {
  return op == IoOp::send || op == IoOp::connect || op == IoOp::poll_out;
}
inline bool is_poll(IoOp op) noexcept { return op == IoOp::poll_in || op == IoOp::poll_out; }

struct IoRequest;

// A descriptor as a backend sees it. Owned by the socket layer, so that it outlives the loop's
// use of it; the fields after `fd` are the epoll backend's bookkeeping (io_uring needs none).
struct IoHandle {
  int fd = -1;
  bool registered = false;
  bool ready[2] = {true, true};           // [read, write]: not known to block (edge-triggered)
  bool peer_closed = false;               // epoll saw RDHUP/HUP/ERR: the end is level, not an edge
  IoRequest* waiting[2] = {nullptr, nullptr};
};

struct IoRequest {
  IoOp op{};
  bool more = false;  // multishot: further completions will follow this one
  std::uint8_t state = 0;  // backend bookkeeping
  IoHandle* handle = nullptr;
  void* buf = nullptr;
  std::uint32_t len = 0;
  int flags = 0;
  std::uint64_t offset = 0;
  sockaddr* addr = nullptr;
  socklen_t addrlen = 0;
  const char* path = nullptr;
  std::int32_t result = 0;  // the count, the new descriptor, 0, or -errno
  void (*complete)(IoRequest*) noexcept = nullptr;
  IoRequest* next = nullptr;  // backend bookkeeping (epoll's wait queue)
};

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

  // Work is queued that only a wait() hands to the kernel (io_uring: unsubmitted SQEs, such as
  // a close): the loop then polls even when it has nothing in flight.
  virtual bool has_unsubmitted() const noexcept = 0;

  // Makes a descriptor usable by requests (epoll: one registration for its life). Throws
  // std::system_error.
  virtual void attach(IoHandle& h) = 0;
  // Forgets a descriptor; no request may be pending on it. Does not close it.
  virtual void detach(IoHandle& h) noexcept = 0;
  // Closes a descriptor (io_uring: through the ring).
  virtual void close_fd(int fd) noexcept = 0;

  // Starts a request. Returns true if it completed at once (r.result is set and complete() will
  // not be called); false if complete() will be called from a later wait(). Throws
  // std::system_error only when the request could not be queued at all.
  virtual bool submit(IoRequest& r) = 0;
  // Asks a pending request to stop. Its complete() still follows, with -ECANCELED or, if it
  // finished first, its real result; until then its buffer may still be in use by the kernel.
  virtual void cancel(IoRequest& r) noexcept = 0;

  // Regular files can be read and opened through the backend (io_uring); otherwise the file API
  // uses the thread pool, as aiofiles does.
  virtual bool can_do_file_io() const noexcept = 0;
  virtual bool has_multishot_accept() const noexcept = 0;
};

// Each throws std::system_error naming the call that failed (e.g. "io_uring_queue_init").
std::unique_ptr<IoBackend> make_epoll_backend();
std::unique_ptr<IoBackend> make_io_uring_backend();

}  // namespace aio::detail
