// http-fetch on aio: a task per page, each fetching on its own aio::TcpStream, all gathered
// (the lecture's asyncio.gather of fetch_async). Runs as aio-epoll or aio-uring.
#include <vector>

#include "common/aio.hpp"
#include "network/common/http_client_aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<std::vector<std::size_t>> fetch_all(const http_fetch::Params& p,
                                              const std::string& request) {
  std::vector<aio::Task<std::size_t>> fetches;
  for (int i = 0; i < p.pages; ++i) fetches.push_back(http::aio_fetch(p.target, request));
  co_return co_await aio::gather(std::move(fetches));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    const std::string request = p.target.request();
    wl::Stopwatch clock;
    const std::vector<std::size_t> pages = aio::run(fetch_all(p, request), backend);
    http_fetch::report(w, p, pages, clock.seconds(), p.ideal_concurrent());
  });
}
