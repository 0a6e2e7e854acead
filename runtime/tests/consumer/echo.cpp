// An echo server and its clients, written as an outside program would write them against the
// aio API (SPEC §4, net.hpp): 100 clients, each sending 200 messages of a few KiB and checking
// every byte of the echo. Usage: echo epoll|io_uring. Exit 0: all good; 1: a check failed;
// 77: the backend is not available here.
#include <aio/aio.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace {

aio::Task<void> echo(aio::TcpStream conn) {
  std::vector<std::byte> buf(8192);
  for (;;) {
    const std::size_t n = co_await conn.read_some(buf);
    if (n == 0) co_return;
    co_await conn.write_all(std::span(buf).first(n));
  }
}

aio::Task<void> server(aio::TcpListener& listener) {
  aio::TaskGroup group;
  for (;;) {
    aio::TcpStream conn = co_await listener.accept();
    group.create_task(echo(std::move(conn)));
  }
}

aio::Task<int> client(std::uint16_t port, int id) {
  aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
  int good = 0;
  for (int m = 0; m < 200; ++m) {
    std::vector<std::byte> out(1 + (id * 7919 + m * 104729) % 6000);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte(static_cast<unsigned char>(id + m + i));
    std::vector<std::byte> in(out.size());
    co_await s.write_all(out);
    co_await s.read_exact(in);
    good += in == out;
  }
  co_return good;
}

aio::Task<int> amain() {
  aio::TcpListener listener = aio::TcpListener::bind("127.0.0.1", 0);
  auto srv = aio::create_task(server(listener));
  std::vector<aio::Task<int>> clients;
  for (int i = 0; i < 100; ++i) clients.push_back(client(listener.port(), i));
  const std::vector<int> good = co_await aio::gather(std::move(clients));
  int total = 0;
  for (int g : good) total += g;
  srv.cancel();
  co_return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::string(argv[1]) != "epoll" && std::string(argv[1]) != "io_uring")) {
    std::fprintf(stderr, "usage: echo epoll|io_uring\n");
    return 2;
  }
  const aio::Backend b = std::string(argv[1]) == "epoll" ? aio::Backend::epoll : aio::Backend::io_uring;
  try {
    const int good = aio::run(amain(), b);
    std::printf("%s: %d of 20000 echoes correct\n", argv[1], good);
    return good == 20000 ? 0 : 1;
  } catch (const std::system_error& e) {
    if (std::string(e.what()).find("io_uring_queue_init") != std::string::npos) {
      std::fprintf(stderr, "%s: not available: %s\n", argv[1], e.what());
      return 77;
    }
    std::fprintf(stderr, "%s: %s\n", argv[1], e.what());
    return 1;
  }
}
