// Descriptors and requests as the socket, file and signal APIs use them.
//
// A Socket is a descriptor in aio's hands, shared (reference counted, loop thread only) by the
// stream or listener that owns it and by each request in flight on it. So closing, or destroying,
// the owner while another task waits on it is safe: that task's operation fails with ECANCELED
// (the request is cancelled in the kernel first, its buffer untouched afterwards). A Socket is
// registered with the loop that first uses it, and again with a later loop if the first has
// ended (a listener bound before aio::run, a stream kept between two runs).
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "aio/detail/backend.hpp"
#include "aio/detail/task_base.hpp"
#include "aio/detail/wait_list.hpp"

namespace aio::detail {

class Loop;

// A listening socket's multishot accept (io_uring): connections the kernel accepted before a
// task asked for them wait here, as they would in the kernel's own backlog.
struct Socket;
struct AcceptQueue;
struct AcceptRequest : IoRequest {
  AcceptQueue* queue = nullptr;
};
struct AcceptQueue {
  AcceptRequest request;
  Socket* owner = nullptr;
  Loop* loop = nullptr;  // while armed
  bool armed = false;
  std::deque<int> ready;  // accepted descriptors, or -errno
  WaitList waiters;
};

struct Socket {
  IoHandle io;
  std::uint64_t loop_id = 0;  // the loop `io` is attached to (0: none)
  unsigned refs = 1;
  bool owns_fd = true;
  IoRequest* pending[2] = {nullptr, nullptr};  // in flight, per direction (read, write)
  std::unique_ptr<AcceptQueue> accepts;

  explicit Socket(int fd) noexcept { io.fd = fd; }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void add_ref() noexcept { ++refs; }
  void release() noexcept {
    if (--refs == 0) {
      close();
      delete this;
    }
  }
  bool is_open() const noexcept { return io.fd >= 0; }
  // The running loop, with this descriptor registered in it. Throws std::logic_error outside a
  // loop, std::system_error if the registration fails.
  Loop& attach_here();
  // Cancels what is in flight on it and closes it (through the backend when its loop is the one
  // running here; a descriptor it does not own is only unregistered).
  void close() noexcept;
};

// Owns one reference to a Socket.
class SocketRef {
 public:
  SocketRef() noexcept = default;
  explicit SocketRef(Socket* s) noexcept : m_s(s) {}  // adopts a reference
  SocketRef(const SocketRef& o) noexcept : m_s(o.m_s) {
    if (m_s) m_s->add_ref();
  }
  SocketRef(SocketRef&& o) noexcept : m_s(o.m_s) { o.m_s = nullptr; }
  SocketRef& operator=(SocketRef o) noexcept {
    std::swap(m_s, o.m_s);
    return *this;
  }
  ~SocketRef() {
    if (m_s) m_s->release();
  }
  Socket* get() const noexcept { return m_s; }
  Socket* operator->() const noexcept { return m_s; }
  explicit operator bool() const noexcept { return m_s != nullptr; }

 private:
  Socket* m_s = nullptr;
};

// Awaits one request: on a Socket (which it keeps alive while the request is in flight), or
// with `sock` null, on a file handle. Gives the request's result (a count, a descriptor, 0, or
// -errno; -EBADF at once if the socket is closed). Throws CancelledError if the task was
// cancelled before the request completed; a request that completed anyway keeps its result and
// the cancellation waits for the task's next suspension point. Throws std::logic_error if
// another request is already in flight in the same direction on the socket.
class IoAwaiter : IoRequest, Waiter {
 public:
  IoAwaiter(Socket* sock, const IoRequest& req) noexcept : IoRequest(req), m_sock(sock) {}
  IoAwaiter(const IoAwaiter&) = delete;
  IoAwaiter& operator=(const IoAwaiter&) = delete;
  ~IoAwaiter() {
    if (m_holds_ref) m_sock->release();
  }

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return start(task_of(h), h);
  }
  std::int32_t await_resume();

 private:
  bool start(TaskBase* ctx, std::coroutine_handle<> h);
  static void done(IoRequest* r) noexcept;
  static void cancel(Waiter* w) noexcept;

  Socket* m_sock;
  Loop* m_loop = nullptr;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  bool m_holds_ref = false;
  bool m_cancelled_before = false;
  bool m_cancel_sent = false;
};

[[noreturn]] void throw_os(int err, const std::string& what);

}  // namespace aio::detail
