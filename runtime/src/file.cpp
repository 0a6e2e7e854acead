#include "aio/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "aio/detail/io.hpp"
#include "aio/detail/loop.hpp"
#include "aio/thread.hpp"

namespace aio {

namespace {

constexpr std::size_t max_piece = 1 << 20;

// Blocking forms, for the thread pool: they return -errno rather than throw.
int open_blocking(std::string path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

long pread_blocking(int fd, std::byte* buf, std::size_t len, std::uint64_t offset) {
  for (;;) {
    const ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(offset));
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

}  // namespace

File::File(File&& o) noexcept : m_io(o.m_io), m_path(std::move(o.m_path)) { o.m_io.fd = -1; }

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    close();
    m_io = o.m_io;
    m_path = std::move(o.m_path);
    o.m_io.fd = -1;
  }
  return *this;
}

Task<File> File::open(std::string path) {
  detail::Loop& loop = detail::Loop::current();
  int r;
  if (loop.backend().can_do_file_io()) {
    detail::IoRequest req;
    req.op = detail::IoOp::openat;
    req.path = path.c_str();
    req.flags = O_RDONLY | O_CLOEXEC;
    detail::IoAwaiter op(nullptr, req);
    r = co_await op;
  } else {
    r = co_await to_thread(open_blocking, path);
  }
  if (r < 0) detail::throw_os(-r, "open " + path);
  co_return File(r, std::move(path));
}

Task<std::size_t> File::read_at(std::uint64_t offset, std::span<std::byte> buf) {
  if (!is_open()) detail::throw_os(EBADF, "read " + m_path);
  const std::size_t len = std::min(buf.size(), max_piece);
  long r;
  if (detail::Loop::current().backend().can_do_file_io()) {
    detail::IoRequest req;
    req.op = detail::IoOp::read;
    req.handle = &m_io;
    req.buf = buf.data();
    req.len = static_cast<std::uint32_t>(len);
    req.offset = offset;
    detail::IoAwaiter op(nullptr, req);
    r = co_await op;
  } else {
    r = co_await to_thread(pread_blocking, m_io.fd, buf.data(), len, offset);
  }
  if (r < 0) detail::throw_os(static_cast<int>(-r), "read " + m_path);
  co_return static_cast<std::size_t>(r);
}

std::uint64_t File::size() const {
  struct stat st;
  if (::fstat(m_io.fd, &st) < 0) detail::throw_os(errno, "fstat " + m_path);
  return static_cast<std::uint64_t>(st.st_size);
}

void File::close() noexcept {
  if (m_io.fd < 0) return;
  detail::Loop* loop = detail::Loop::current_or_null();
  if (loop && loop->backend().can_do_file_io())
    loop->backend().close_fd(m_io.fd);
  else
    ::close(m_io.fd);
  m_io.fd = -1;
}

Task<std::string> read_file(std::string path) {
  File f = co_await File::open(std::move(path));
  std::string out(static_cast<std::size_t>(f.size()) + 1, '\0');  // +1: see the end in one read
  std::size_t got = 0;
  for (;;) {
    if (got == out.size()) out.resize(out.size() * 2 + 4096);
    const std::size_t n =
        co_await f.read_at(got, std::as_writable_bytes(std::span(out)).subspan(got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  co_return out;
}

}  // namespace aio
