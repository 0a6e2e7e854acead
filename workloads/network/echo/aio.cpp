// The echo server on aio (models aio-epoll and aio-uring): runtime/examples/echo_server.cpp under
// the servers' common contract (server.hpp). A task per connection, all in a TaskGroup, each
// reading into its own 16 KiB buffer and writing back what it read; the main task waits for
// SIGINT or SIGTERM, then cancels the accept loop and, through the group, every connection.
#include <aio/aio.hpp>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "common/aio.hpp"
#include "server.hpp"

using namespace std::chrono_literals;

namespace {

aio::Task<void> echo_connection(aio::TcpStream conn) {
  std::array<std::byte, echo::kBufferSize> buf;
  try {
    for (;;) {
      const std::size_t n = co_await conn.read_some(buf);
      if (n == 0) break;  // the client closed its side; everything it sent has been echoed
      co_await conn.write_all(std::span(buf).first(n));
    }
  } catch (const std::system_error&) {
    // ECONNRESET, EPIPE: this client is gone; the others are not affected.
  }
}

aio::Task<void> accept_loop(aio::TcpListener& listener, bool nodelay) {
  aio::TaskGroup connections;
  for (;;) {
    aio::TcpStream conn = co_await listener.accept();
    if (nodelay) conn.set_nodelay(true);
    connections.create_task(echo_connection(std::move(conn)));
  }
}

aio::Task<void> serve(aio::TcpListener& listener, const echo::Options& o) {
  // The signal watch first, and "listening" only once it is in place: a SIGTERM sent the moment
  // the line appears must stop the server cleanly, not kill it.
  auto stop = aio::create_task(aio::wait_signal(SIGINT, SIGTERM));
  auto server = aio::create_task(accept_loop(listener, o.nodelay));
  co_await aio::sleep(0ms);  // both have started: the handlers are installed
  echo::print_listening(o.host, listener.port());
  co_await stop;
  server.cancel();  // the accept, and through the TaskGroup every connection
  try {
    co_await server;
  } catch (const aio::CancelledError&) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  const echo::Options o = echo::parse(argc, argv);
  try {
    const aio::Backend backend = wl::aio_backend(o.model);
    aio::TcpListener listener = aio::TcpListener::bind(o.host, o.port, echo::kBacklog);
    aio::run(serve(listener, o), backend);
  } catch (const wl::Unsupported& u) {
    return echo::cannot_run(argv[0], u.reason);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
