// An echo server on aio: every byte a client sends comes back to it.
//
//   aio_echo_server --port 7000 [--backend epoll|io_uring] [--nodelay]
//
// Prints "listening 127.0.0.1:PORT" once it accepts connections; stops cleanly on SIGINT or
// SIGTERM. One task per connection, all in a TaskGroup; a client that resets or vanishes ends
// only its own task.
#include <CLI/CLI.hpp>
#include <aio/aio.hpp>
#include <array>
#include <csignal>
#include <cstdio>

namespace {

aio::Task<void> echo(aio::TcpStream conn) {
  std::array<std::byte, 16 * 1024> buf;
  try {
    for (;;) {
      const std::size_t n = co_await conn.read_some(buf);
      if (n == 0) break;  // the client closed its side
      co_await conn.write_all(std::span(buf).first(n));
    }
  } catch (const std::system_error&) {
    // ECONNRESET, EPIPE: this client is gone; the others are not affected.
  }
}

aio::Task<void> serve(aio::TcpListener& listener, bool nodelay) {
  aio::TaskGroup connections;
  for (;;) {
    aio::TcpStream conn = co_await listener.accept();
    if (nodelay) conn.set_nodelay(true);
    connections.create_task(echo(std::move(conn)));
  }
}

aio::Task<void> amain(aio::TcpListener& listener, bool nodelay) {
  auto server = aio::create_task(serve(listener, nodelay));
  const int sig = co_await aio::wait_signal(SIGINT, SIGTERM);
  std::fprintf(stderr, "echo_server: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.cancel();  // cancels the accept and, through the TaskGroup, every connection
  try {
    co_await server;
  } catch (const aio::CancelledError&) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aio echo server"};
  std::string host = "127.0.0.1";
  std::uint16_t port = 7000;
  std::string backend = "automatic";
  bool nodelay = false;
  app.add_option("--host", host, "address to listen on");
  app.add_option("--port", port, "port to listen on (0: any free port)");
  app.add_option("--backend", backend, "automatic, epoll or io_uring")
      ->check(CLI::IsMember({"automatic", "epoll", "io_uring"}));
  app.add_flag("--nodelay", nodelay, "set TCP_NODELAY on every connection");
  CLI11_PARSE(app, argc, argv);
  const aio::Backend b = backend == "epoll"      ? aio::Backend::epoll
                         : backend == "io_uring" ? aio::Backend::io_uring
                                                 : aio::Backend::automatic;
  try {
    aio::TcpListener listener = aio::TcpListener::bind(host, port);
    std::printf("listening %s:%u\n", host.c_str(), listener.port());
    std::fflush(stdout);
    aio::run(amain(listener, nodelay), b);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo_server: %s\n", e.what());
    return 1;
  }
}
