// TCP: aio::TcpListener and aio::TcpStream (asyncio's start_server / open_connection, as objects).
//
//   auto listener = aio::TcpListener::bind("127.0.0.1", 0);       // port 0: any free port
//   aio::TcpStream conn = co_await listener.accept();
//   std::size_t n = co_await conn.read_some(buffer);               // 0 at end of stream
//   co_await conn.write_all(std::span(buffer).first(n));
//
// Every operation is an aio::Task, so it composes with gather, wait_for and TaskGroup, and it is
// cancellable: CancelledError (or wait_for's TimeoutError) comes out of the co_await, the socket
// stays usable (or, if the caller then drops it, is cleanly closed), and on io_uring the buffer is
// not given back before the kernel has let go of it. A stream is full duplex: one read and one
// write may be in flight at once (a second read while one is pending is a std::logic_error, as
// asyncio raises RuntimeError). Closing or destroying a stream while another task waits on it
// makes that task's operation fail with ECANCELED.
//
// Errors are std::system_error with the errno and the operation ("connect 127.0.0.1:9: Connection
// refused", "recv: Connection reset by peer"). Writes never raise SIGPIPE. On io_uring, accept,
// connect, recv, send and close are ring operations (accept is multishot where the kernel has it);
// on epoll the sockets are non-blocking and registered once, edge-triggered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "aio/detail/io.hpp"
#include "aio/task.hpp"

namespace aio {

class TcpListener;

class TcpStream {
 public:
  TcpStream() noexcept = default;
  TcpStream(TcpStream&& o) noexcept : m_s(std::move(o.m_s)) {}
  TcpStream& operator=(TcpStream&& o) noexcept;
  ~TcpStream() { close(); }

  // Connects to host:port. `host` is a numeric IPv4/IPv6 address or a name, resolved with
  // getaddrinfo on the thread pool; each address is tried in turn. Throws std::system_error
  // ("connect HOST:PORT", e.g. ECONNREFUSED) or std::system_error in aio::gai_category().
  static Task<TcpStream> connect(std::string host, std::uint16_t port);

  // Reads what is available, at most buf.size() bytes, waiting until at least one byte is (or
  // the end of the stream). Returns the count; 0 means the peer closed its side.
  Task<std::size_t> read_some(std::span<std::byte> buf);
  Task<std::size_t> read_some(std::span<char> buf) { return read_some(std::as_writable_bytes(buf)); }
  // Fills buf completely. Throws IncompleteReadError if the stream ends first.
  Task<void> read_exact(std::span<std::byte> buf);
  // Writes all of data (several sends if the kernel takes it in parts).
  Task<void> write_all(std::span<const std::byte> data);
  Task<void> write_all(std::string_view s) { return write_all(std::as_bytes(std::span(s.data(), s.size()))); }

  // Ends our side of the stream (the peer reads 0); reading goes on. Throws std::system_error.
  void shutdown_write();
  // Closes the socket (idempotent); pending operations of other tasks fail with ECANCELED.
  void close() noexcept;
  // TCP_NODELAY. Throws std::system_error.
  void set_nodelay(bool on);

  bool is_open() const noexcept { return m_s && m_s->is_open(); }
  int native_handle() const noexcept { return m_s ? m_s->io.fd : -1; }

 private:
  friend class TcpListener;
  explicit TcpStream(detail::SocketRef s) noexcept : m_s(std::move(s)) {}
  detail::Socket* checked(const char* op) const;

  detail::SocketRef m_s;
};

class TcpListener {
 public:
  TcpListener() noexcept = default;
  TcpListener(TcpListener&&) noexcept = default;
  TcpListener& operator=(TcpListener&& o) noexcept;
  ~TcpListener() { close(); }

  // A listening socket on host:port ("" or "0.0.0.0" for every IPv4 address, "::" for IPv6; port
  // 0 picks a free one, see port()), with SO_REUSEADDR. Needs no running loop. Throws
  // std::system_error ("bind 127.0.0.1:8080: Address already in use").
  static TcpListener bind(std::string host, std::uint16_t port, int backlog = 1024);

  // The next connection. An accepted connection that the peer has already reset is still handed
  // out (its first read reports the reset). When the process is out of descriptors (EMFILE,
  // ENFILE) accept backs off, sleeping 10 ms doubling to 320 ms, and goes on once descriptors
  // free up; it never spins. Throws std::system_error for other errors (ECANCELED once closed).
  Task<TcpStream> accept();

  std::uint16_t port() const;
  void close() noexcept;
  bool is_open() const noexcept { return m_s && m_s->is_open(); }
  int native_handle() const noexcept { return m_s ? m_s->io.fd : -1; }

 private:
  detail::SocketRef m_s;
};

// The error category of getaddrinfo's EAI_* codes.
const std::error_category& gai_category() noexcept;

}  // namespace aio
