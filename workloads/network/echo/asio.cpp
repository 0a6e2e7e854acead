// The echo server on Boost.Asio (model asio), written as Asio's own C++20 example
// (echo_server.cpp in asio/example/cpp20/coroutines) writes it: co_spawn + use_awaitable, one
// io_context on one thread, a coroutine per connection. The knobs are the servers' common ones
// (server.hpp): a 16 KiB read buffer (Asio's example uses 1 KiB; a larger buffer only helps it),
// TCP_NODELAY, a backlog of 1024. A signal_set stops the io_context on SIGINT or SIGTERM.
#include "common/asio.hpp"

#include <cstdio>

#include "server.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

awaitable<void> echo(tcp::socket socket) {
  try {
    char data[echo::kBufferSize];
    for (;;) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(data), use_awaitable);
      co_await asio::async_write(socket, asio::buffer(data, n), use_awaitable);
    }
  } catch (const std::exception&) {
    // end of stream or a reset: this connection is over
  }
}

awaitable<void> listener(tcp::acceptor acceptor, bool nodelay) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    if (nodelay) socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const echo::Options o = echo::parse(argc, argv);
  try {
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, auto) { io.stop(); });
    tcp::acceptor acceptor(io);
    const tcp::endpoint endpoint(asio::ip::make_address(o.host), o.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(echo::kBacklog);
    echo::print_listening(o.host, acceptor.local_endpoint().port());
    // An accept that fails ends io.run() with the error (detached would leave a server that no
    // longer accepts and says nothing).
    asio::co_spawn(io, listener(std::move(acceptor), o.nodelay), wl::asio_rethrow);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
