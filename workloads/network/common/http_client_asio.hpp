// One fetch on Boost.Asio (model asio) with C++20 coroutines, as Asio's examples write a client:
// async_connect, async_write of the request, async_read_some into one buffer until the
// ResponseParser has the whole response, every step co_awaited with use_awaitable. The deadline
// is Asio's own timeout idiom (its timeouts examples): a steady_timer that closes the socket when
// it fires, which ends the pending operation with operation_aborted. Boost 1.74 has no awaitable
// operators yet to race the two instead.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "common/asio.hpp"
#include "http_client.hpp"

namespace http {

// Fetches t.path() with `request` (t.request()) on its own connection (TCP_NODELAY), closed when
// the response is in. Returns the body's size. Throws http::Error (a refused connection, the
// deadline, a failed check).
inline boost::asio::awaitable<std::size_t> asio_fetch(const Target& t, const std::string& request) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  // Shared with the timer's handler, which may run after this coroutine has finished.
  struct Connection {
    explicit Connection(const asio::any_io_executor& ex) : socket(ex) {}
    tcp::socket socket;
    bool timed_out = false;
  };
  const auto ex = co_await asio::this_coro::executor;
  const auto c = std::make_shared<Connection>(ex);
  asio::steady_timer deadline(ex, kTimeout);
  deadline.async_wait([c](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the fetch is over
    c->timed_out = true;
    c->socket.close();
  });
  const char* step = "connect";
  try {
    const tcp::endpoint server(asio::ip::make_address(t.host), t.port);
    c->socket.open(server.protocol());
    c->socket.set_option(tcp::no_delay(true));
    co_await c->socket.async_connect(server, asio::use_awaitable);
    step = "send";
    co_await asio::async_write(c->socket, asio::buffer(request), asio::use_awaitable);
    step = "recv";
    ResponseParser response(t.bytes);
    std::array<char, kReadBufferSize> buf;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await c->socket.async_read_some(
          asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::eof) {
        response.end_of_stream();
        break;
      }
      if (ec) throw boost::system::system_error(ec);
      if (response.feed(buf.data(), n)) break;
    }
    deadline.cancel();
    c->socket.close();  // now, not when the cancelled timer's handler lets go of it
    co_return response.body_bytes();
  } catch (const boost::system::system_error& e) {
    if (c->timed_out) throw Error(t, timeout_text());
    throw Error(t, std::string(step) + ": " + e.code().message());
  } catch (const std::exception& e) {
    throw Error(t, e.what());
  }
}

}  // namespace http
