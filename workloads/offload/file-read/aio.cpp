// file-read on aio: aio::read_file for every file at once under aio::gather, each file compared
// on the loop as it arrives. On aio-uring, open, read and close are ring operations; on aio-epoll
// (epoll cannot wait on regular files) they run on the loop's thread pool, as aiofiles does.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> read_one(const file_read::Files& files, int i, std::vector<char>& ok) {
  const std::string data = co_await aio::read_file(files.path(i));
  ok[i] = files.matches(i, data);
}

aio::Task<void> amain(const file_read::Files& files, std::vector<char>& ok) {
  std::vector<aio::Task<void>> ts;
  for (int i = 0; i < static_cast<int>(ok.size()); ++i) ts.push_back(read_one(files, i, ok));
  co_await aio::gather(std::move(ts));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    const file_read::Files files(p);
    std::vector<char> ok(p.files);
    wl::Stopwatch clock;
    aio::run(amain(files, ok), backend);
    const double elapsed = clock.seconds();
    file_read::report(w, p, files, ok, elapsed);
  });
}
