#include "aio/detail/io.hpp"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "aio/detail/loop.hpp"

namespace aio::detail {

[[noreturn]] void throw_os(int err, const std::string& what) {
  throw std::system_error(err, std::system_category(), what);
}

Loop& Socket::attach_here() {
  Loop& loop = Loop::current();
  if (loop_id != loop.id()) {
    AIO_ASSERT(pending[0] == nullptr && pending[1] == nullptr,
               "a descriptor moved to another loop with requests in flight");
    io.registered = false;
    io.ready[0] = io.ready[1] = true;
    io.waiting[0] = io.waiting[1] = nullptr;
    loop.backend().attach(io);
    loop_id = loop.id();
  }
  return loop;
}

void Socket::close() noexcept {
  if (io.fd < 0) return;
  Loop* loop = Loop::current_or_null();
  const bool here = loop != nullptr && loop->id() == loop_id;
  if (here) {
    IoBackend& b = loop->backend();
    for (IoRequest* r : pending)
      if (r) b.cancel(*r);  // their waiters get ECANCELED
    if (accepts && accepts->armed) b.cancel(accepts->request);
    b.detach(io);
  }
  if (accepts) {
    for (int fd : accepts->ready)
      if (fd >= 0) ::close(fd);
    accepts->ready.clear();
  }
  if (owns_fd) {
    if (here)
      loop->backend().close_fd(io.fd);
    else
      ::close(io.fd);  // its loop has ended, and its registration with it
  }
  io.fd = -1;
  loop_id = 0;
}

bool IoAwaiter::start(TaskBase* ctx, std::coroutine_handle<> h) {
  m_ctx = ctx;
  m_h = h;
  if (!begin_wait(ctx, this, m_sock ? "socket" : "file")) {
    m_cancelled_before = true;
    return false;
  }
  try {
    Loop& loop = m_sock ? m_sock->attach_here() : Loop::current();
    int dir = 0;
    if (m_sock) {
      if (!m_sock->is_open()) {
        result = -EBADF;
        end_wait(ctx);
        return false;
      }
      dir = is_write(op) ? 1 : 0;
      if (m_sock->pending[dir])
        throw std::logic_error(dir ? "aio: a write is already in flight on this socket"
                                   : "aio: a read is already in flight on this socket");
    }
    complete = &IoAwaiter::done;
    if (loop.backend().submit(*this)) {
      end_wait(ctx);
      return false;  // done at once: no suspension, no loop turn
    }
    m_loop = &loop;
    loop.io_started();
    if (m_sock) {
      m_sock->pending[dir] = this;
      m_sock->add_ref();
      m_holds_ref = true;
    }
    on_cancel = &IoAwaiter::cancel;
    return true;
  } catch (...) {
    end_wait(ctx);
    throw;
  }
}

void IoAwaiter::done(IoRequest* r) noexcept {
  auto* self = static_cast<IoAwaiter*>(r);
  self->m_loop->io_finished();
  if (self->m_sock) {
    IoRequest*& slot = self->m_sock->pending[is_write(self->op) ? 1 : 0];
    if (slot == r) slot = nullptr;
  }
  end_wait(self->m_ctx);
  schedule(self->m_h, self->m_ctx);
}

void IoAwaiter::cancel(Waiter* w) noexcept {
  auto* self = static_cast<IoAwaiter*>(w);
  self->m_cancel_sent = true;
  self->m_loop->backend().cancel(*self);  // the completion follows (at once on epoll)
}

std::int32_t IoAwaiter::await_resume() {
  if (m_ctx) end_wait(m_ctx);
  if (m_holds_ref) {
    m_holds_ref = false;
    m_sock->release();
  }
  if (m_cancelled_before) m_ctx->take_cancel();
  if (m_cancel_sent && result == -ECANCELED) m_ctx->take_cancel();
  return result;
}

}  // namespace aio::detail
