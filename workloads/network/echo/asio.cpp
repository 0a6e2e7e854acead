// The echo server on Boost.Asio, written as Asio's own C++20 example (echo_server.cpp in
// asio/example/cpp20/coroutines) writes it: co_spawn + use_awaitable, one io_context on one
// thread, a coroutine per connection. The read buffer is 16 KiB, as in aio's echo server (Asio's
// example uses 1 KiB; a larger buffer only helps it), and TCP_NODELAY is set with --nodelay as
// aio's is. Prints "listening 127.0.0.1:PORT"; stops cleanly on SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <cstdio>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

awaitable<void> echo(tcp::socket socket) {
  try {
    char data[16 * 1024];
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
  CLI::App app{"Boost.Asio echo server"};
  std::string host = "127.0.0.1";
  std::uint16_t port = 7000;
  bool nodelay = false;
  app.add_option("--host", host);
  app.add_option("--port", port);
  app.add_flag("--nodelay", nodelay);
  CLI11_PARSE(app, argc, argv);
  try {
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, auto) { io.stop(); });
    tcp::acceptor acceptor(io, {asio::ip::make_address(host), port});
    std::printf("listening %s:%u\n", host.c_str(), acceptor.local_endpoint().port());
    std::fflush(stdout);
    asio::co_spawn(io, listener(std::move(acceptor), nodelay), asio::detached);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asio echo_server: %s\n", e.what());
    return 1;
  }
}
