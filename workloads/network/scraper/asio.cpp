// scraper on Boost.Asio with C++20 coroutines. Asio has no semaphore; its way to bound the work
// in flight is a fixed number of workers: --limit coroutines co_spawned on one io_context, each
// taking the next URL until none is left.
#include "common/asio.hpp"

#include <algorithm>
#include <vector>

#include "network/common/http_client_asio.hpp"
#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

struct Work {
  Work(const scraper::Params& params, const std::string& req)
      : p(params), request(req), pages(params.urls, http::kNotFetched) {}

  const scraper::Params& p;
  const std::string& request;
  std::vector<std::size_t> pages;
  std::size_t next = 0;  // the next URL to take: one thread, so a plain counter
  http::InFlight in_flight;
};

asio::awaitable<void> worker(Work& work) {
  while (work.next < work.pages.size()) {
    const std::size_t i = work.next++;
    const http::InFlight::Count counted(work.in_flight);
    work.pages[i] = co_await http::asio_fetch(work.p.target, work.request);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    const std::string request = p.target.request();
    Work work(p, request);
    wl::Stopwatch clock;
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    for (int k = 0; k < std::min(p.limit, p.urls); ++k)
      asio::co_spawn(io, worker(work), wl::asio_rethrow);
    io.run();
    scraper::report(w, p, work.pages, work.in_flight.max(), clock.seconds(), p.ideal_limited());
  });
}
