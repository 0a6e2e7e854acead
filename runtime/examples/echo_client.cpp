// A closed-loop ping-pong client for echo servers: C connections, each sending a message of S
// bytes and waiting for the whole echo before the next one; every byte is checked.
//
//   aio_echo_client --port 7000 --connections 16 --size 64 --seconds 5 [--warmup 1]
//
// Prints one line: connections, size, requests per second over the measured window (after the
// warm-up), all requests made (warm-up included, to divide a server's CPU time by), and
// mismatches. Exit 1 if any echo was wrong.
#include <CLI/CLI.hpp>
#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace {

struct Stats {
  long requests = 0;
  long errors = 0;
  bool stop = false;
};

aio::Task<void> pinger(std::string host, std::uint16_t port, std::size_t size, int id, Stats& st) {
  aio::TcpStream s = co_await aio::TcpStream::connect(host, port);
  s.set_nodelay(true);
  std::vector<std::byte> out(size), in(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = std::byte(static_cast<unsigned char>(id * 31 + i));
  while (!st.stop) {
    co_await s.write_all(out);
    co_await s.read_exact(in);
    if (std::memcmp(in.data(), out.data(), size) != 0) ++st.errors;
    ++st.requests;
  }
}

aio::Task<double> measure(std::string host, std::uint16_t port, int connections, std::size_t size,
                          double warmup, double seconds, Stats& st) {
  aio::TaskGroup group;
  for (int i = 0; i < connections; ++i) group.create_task(pinger(host, port, size, i, st));
  co_await aio::sleep(std::chrono::duration<double>(warmup));
  const long before = st.requests;
  const auto t0 = std::chrono::steady_clock::now();
  co_await aio::sleep(std::chrono::duration<double>(seconds));
  const long after = st.requests;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.stop = true;
  co_await group.wait();
  co_return double(after - before) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ping-pong client for echo servers"};
  std::string host = "127.0.0.1", backend = "epoll";
  std::uint16_t port = 7000;
  int connections = 1;
  std::size_t size = 64;
  double seconds = 5, warmup = 1;
  app.add_option("--host", host);
  app.add_option("--port", port)->required();
  app.add_option("--connections", connections)->check(CLI::Range(1, 100000));
  app.add_option("--size", size, "message size in bytes")->check(CLI::Range(1, 1 << 24));
  app.add_option("--seconds", seconds, "measured window")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "seconds before the window")->check(CLI::NonNegativeNumber);
  app.add_option("--backend", backend, "the client's own backend")
      ->check(CLI::IsMember({"epoll", "io_uring"}));
  CLI11_PARSE(app, argc, argv);
  Stats st;
  try {
    const double rps = aio::run(measure(host, port, connections, size, warmup, seconds, st),
                                backend == "epoll" ? aio::Backend::epoll : aio::Backend::io_uring);
    std::printf("connections=%d size=%zu rps=%.0f total=%ld errors=%ld\n", connections, size, rps,
                st.requests, st.errors);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo_client: %s\n", e.what());
    return 1;
  }
  return st.errors ? 1 : 0;
}
