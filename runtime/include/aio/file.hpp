// Reading files without blocking the loop (what aiofiles does for asyncio).
//
//   std::string text = co_await aio::read_file("data.txt");
//   aio::File f = co_await aio::File::open("big.bin");
//   std::size_t n = co_await f.read_at(offset, buffer);
//
// On io_uring, open, read and close are ring operations. epoll cannot wait on regular files (they
// are always "ready"), so on epoll they run on the loop's thread pool, as aiofiles runs them on
// asyncio's default executor. Errors are std::system_error naming the operation and the path
// ("open /no/such: No such file or directory").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "aio/detail/backend.hpp"
#include "aio/task.hpp"

namespace aio {

class File {
 public:
  File() noexcept = default;
  File(File&& o) noexcept;
  File& operator=(File&& o) noexcept;
  ~File() { close(); }

  // Opens `path` for reading.
  static Task<File> open(std::string path);
  // Reads at most buf.size() bytes at `offset`; returns the count, 0 at the end of the file.
  Task<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> buf);
  // The file's size now (fstat). Throws std::system_error.
  std::uint64_t size() const;
  void close() noexcept;

  bool is_open() const noexcept { return m_io.fd >= 0; }
  const std::string& path() const noexcept { return m_path; }
  int native_handle() const noexcept { return m_io.fd; }

 private:
  File(int fd, std::string path) noexcept : m_path(std::move(path)) { m_io.fd = fd; }
  detail::IoHandle m_io;
  std::string m_path;
};

// The whole of `path` (read in pieces of at most 1 MiB, until the end, so files that grow or
// report no size, such as /proc's, are read whole).
Task<std::string> read_file(std::string path);

}  // namespace aio
