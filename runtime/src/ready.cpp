#include "aio/ready.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_map>

#include "aio/detail/io.hpp"
#include "aio/detail/loop.hpp"

namespace aio {

namespace {

const char* name_of(int dir) noexcept { return dir ? "wait_writable" : "wait_readable"; }

std::string label(int dir, int fd) {
  return std::string(name_of(dir)) + " fd " + std::to_string(fd);
}

// The caller's descriptors that tasks of this thread's loop are waiting on, each as a Socket that
// aio does not own (it is never closed, only registered and unregistered). One Socket per
// descriptor, shared by its read-wait and write-wait, because epoll holds one registration per
// descriptor; it lives while a wait on it does, so nothing stays registered after the last one.
thread_local std::unordered_map<int, detail::Socket*> t_polled;

// A wait's hold on its descriptor's Socket: created or found, attached to the running loop.
class Polled {
 public:
  Polled(int fd, int dir) {
    auto [it, fresh] = t_polled.try_emplace(fd, nullptr);
    if (fresh) {
      try {
        it->second = new detail::Socket(fd);
      } catch (...) {
        t_polled.erase(it);
        throw;
      }
      it->second->owns_fd = false;
    } else {
      it->second->add_ref();
    }
    m_s = it->second;
    try {
      m_s->attach_here();  // epoll: EPOLL_CTL_ADD once, for the first wait; io_uring: nothing
    } catch (const std::system_error& e) {
      const int err = e.code().value();
      if (err == EPERM) {
        // The kernel has no poll method for it, and poll(2) calls such a descriptor always
        // ready; io_uring's POLL_ADD completes at once on it. Do the same here.
        m_always_ready = true;
        return;
      }
      drop();
      if (err == EEXIST)
        throw std::system_error(
            err, std::system_category(),
            label(dir, fd) + " (already registered with the loop: one of aio's own sockets?)");
      detail::throw_os(err, label(dir, fd));
    } catch (...) {
      drop();
      throw;
    }
  }
  Polled(const Polled&) = delete;
  Polled& operator=(const Polled&) = delete;
  ~Polled() {
    if (m_s) drop();
  }

  detail::Socket* get() const noexcept { return m_s; }
  bool always_ready() const noexcept { return m_always_ready; }

 private:
  // The last hold unregisters the descriptor (Socket::close, through release) and forgets it.
  void drop() noexcept {
    if (m_s->refs == 1) t_polled.erase(m_s->io.fd);
    m_s->release();
    m_s = nullptr;
  }

  detail::Socket* m_s = nullptr;
  bool m_always_ready = false;
};

// Refuses what cannot sensibly be waited on, identically on both backends (epoll would refuse
// these with EPERM, io_uring would report them ready at once).
void check(int fd, int dir) {
  struct stat st;
  if (::fstat(fd, &st) < 0) detail::throw_os(errno, label(dir, fd));
  const char* kind = S_ISREG(st.st_mode)   ? "a regular file"
                     : S_ISDIR(st.st_mode) ? "a directory"
                     : S_ISBLK(st.st_mode) ? "a block device"
                                           : nullptr;
  if (kind)
    detail::throw_os(EPERM,
                     label(dir, fd) + ": " + kind + " is always ready and cannot be waited on");
}

Task<void> wait_ready(int fd, int dir) {
  check(fd, dir);
  detail::Loop::current();  // std::logic_error outside a loop, before anything is registered
  Polled polled(fd, dir);
  if (polled.always_ready()) co_return;
  detail::Socket* s = polled.get();
  if (s->pending[dir])
    throw std::logic_error(std::string("aio::") + name_of(dir) +
                           ": another task is already waiting for fd " + std::to_string(fd) +
                           (dir ? " to be writable" : " to be readable"));
  detail::IoRequest req;
  req.op = dir ? detail::IoOp::poll_out : detail::IoOp::poll_in;
  req.handle = &s->io;
  detail::IoAwaiter op(s, req);
  const int r = co_await op;
  if (r < 0) detail::throw_os(-r, label(dir, fd));
}

}  // namespace

Task<void> wait_readable(int fd) { return wait_ready(fd, 0); }
Task<void> wait_writable(int fd) { return wait_ready(fd, 1); }

}  // namespace aio
