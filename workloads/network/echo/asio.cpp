// The echo server on Boost.Asio (model asio), written as Asio's own C++20 example
// (echo_server.cpp in asio/example/cpp20/coroutines) writes it: co_spawn + use_awaitable, one
// io_context on one thread, a coroutine per connection. The knobs are the servers' common ones
// (server.hpp): a 16 KiB read buffer (Asio's example uses 1 KiB; a larger buffer only helps it),
// TCP_NODELAY, a backlog of 1024. A signal_set stops the io_context on SIGINT or SIGTERM.
//
// Out of descriptors (EMFILE; ENFILE, ENOBUFS, ENOMEM alike), accept fails until a connection
// ends. The example's accept loop would let that error end the server; an Asio server as its
// users write one logs it once, waits on a timer and accepts again, the connection staying in
// the backlog meanwhile. So does this one.
#include "common/asio.hpp"

#include <chrono>
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

// Until a connection ends, another accept would fail the same way: the errors of a server out
// of resources, not of the listener.
bool out_of_resources(const boost::system::error_code& ec) {
  namespace e = asio::error;
  return ec == e::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == e::no_buffer_space || ec == e::no_memory;
}

awaitable<void> listener(tcp::acceptor acceptor, bool nodelay, const char* program) {
  using namespace std::chrono_literals;
  asio::steady_timer backoff(acceptor.get_executor());
  bool told = false;  // one line per spell without descriptors, not one per failed accept
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec && out_of_resources(ec)) {
      if (!told) {
        std::fprintf(stderr, "%s: accept: %s; accepting again once a connection ends\n", program,
                     ec.message().c_str());
        told = true;
      }
      // The blocking models' 10 ms: short enough to go on as soon as a connection ends, long
      // enough not to spin.
      backoff.expires_after(10ms);
      co_await backoff.async_wait(use_awaitable);
      continue;
    }
    // (A connection aborted before it was accepted, ECONNABORTED or EPROTO, Asio skips itself.)
    if (ec) throw boost::system::system_error(ec, "accept");
    told = false;
    if (nodelay) socket.set_option(tcp::no_delay(true), ec);  // a reset peer: its read says so
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
    // An accept that fails for a reason other than the above ends io.run() with the error
    // (detached would leave a server that no longer accepts and says nothing).
    asio::co_spawn(io, listener(std::move(acceptor), o.nodelay, argv[0]), wl::asio_rethrow);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
