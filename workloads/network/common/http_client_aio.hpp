// One fetch on aio (models aio-epoll and aio-uring), as asyncio's open_connection client would be
// written: connect an aio::TcpStream, write the request, read_some into one buffer until the
// ResponseParser has the whole response, all under aio::wait_for with http::kTimeout.
#pragma once

#include <aio/aio.hpp>
#include <array>
#include <string>

#include "http_client.hpp"

namespace http {

namespace detail {

inline aio::Task<std::size_t> aio_fetch(const Target& t, const std::string& request) {
  aio::TcpStream conn = co_await aio::TcpStream::connect(t.host, t.port);
  conn.set_nodelay(true);
  co_await conn.write_all(request);
  ResponseParser response(t.bytes);
  std::array<char, kReadBufferSize> buf;
  for (;;) {
    const std::size_t n = co_await conn.read_some(buf);
    if (n == 0) {
      response.end_of_stream();
      break;
    }
    if (response.feed(buf.data(), n)) break;
  }
  co_return response.body_bytes();
}

}  // namespace detail

// Fetches t.path() with `request` (t.request()) on its own connection, closed when the response
// is in. Returns the body's size. Throws http::Error (a refused connection, the deadline, a failed
// check); a cancellation passes through as aio::CancelledError.
inline aio::Task<std::size_t> aio_fetch(const Target& t, const std::string& request) {
  try {
    co_return co_await aio::wait_for(detail::aio_fetch(t, request), kTimeout);
  } catch (const aio::TimeoutError&) {
    throw Error(t, timeout_text());
  } catch (const std::exception& e) {
    throw Error(t, e.what());
  }
}

}  // namespace http
