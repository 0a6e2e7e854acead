// scraper on aio: the lecture's Semaphore-limited scraper. A task per URL, all gathered, each
// taking a permit of one aio::Semaphore(limit) (`async with sem:`) around its fetch. Runs as
// aio-epoll or aio-uring.
#include <vector>

#include "common/aio.hpp"
#include "network/common/http_client_aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<std::size_t> scrape(aio::Semaphore& permits, http::InFlight& in_flight,
                              const http::Target& t, const std::string& request) {
  const auto permit = co_await permits.acquire();
  const http::InFlight::Count counted(in_flight);
  co_return co_await http::aio_fetch(t, request);
}

aio::Task<std::vector<std::size_t>> scrape_all(const scraper::Params& p, const std::string& request,
                                               http::InFlight& in_flight) {
  aio::Semaphore permits(p.limit);
  std::vector<aio::Task<std::size_t>> fetches;
  for (int i = 0; i < p.urls; ++i) fetches.push_back(scrape(permits, in_flight, p.target, request));
  co_return co_await aio::gather(std::move(fetches));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    const std::string request = p.target.request();
    http::InFlight in_flight;
    wl::Stopwatch clock;
    const std::vector<std::size_t> pages = aio::run(scrape_all(p, request, in_flight), backend);
    scraper::report(w, p, pages, in_flight.max(), clock.seconds(), p.ideal_limited());
  });
}
