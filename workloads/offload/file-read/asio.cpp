// file-read on Boost.Asio with C++20 coroutines. Asio 1.74 has no file I/O on Linux, so, as its
// users do, each blocking read runs on an asio::thread_pool (Asio's default size, 2 x cores): a
// coroutine per file, co_spawned on one io_context, co_spawns the read onto the pool, awaits it
// with use_awaitable and compares the bytes back on the io_context.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<std::string> read_on_pool(std::string path) {
  co_return file_read::read_blocking(path);
}

asio::awaitable<void> read_one(asio::thread_pool& pool, const file_read::Files& files, int i,
                               std::vector<char>& ok) {
  const std::string data =
      co_await asio::co_spawn(pool, read_on_pool(files.path(i)), asio::use_awaitable);
  ok[i] = files.matches(i, data);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    const file_read::Files files(p);
    std::vector<char> ok(p.files);
    asio::io_context io(1);
    asio::thread_pool pool;  // after io: on a failure it is joined before io goes
    wl::Stopwatch clock;
    for (int i = 0; i < p.files; ++i)
      asio::co_spawn(io, read_one(pool, files, i, ok), wl::asio_rethrow);
    io.run();
    const double elapsed = clock.seconds();
    file_read::report(w, p, files, ok, elapsed);
  });
}
