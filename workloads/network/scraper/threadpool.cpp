// scraper on a pool of exactly --limit worker threads (ThreadPoolExecutor(max_workers=limit)):
// every URL submitted as a blocking fetch, so the pool's size is the limit; the futures' results
// taken in order.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    const std::string request = p.target.request();
    http::InFlight in_flight;
    http::FailFast fail_fast;  // a URL whose turn comes after a failure is skipped
    wl::ThreadPool pool(static_cast<unsigned>(p.limit));
    w.params()["workers"] = pool.size();
    wl::Stopwatch clock;
    std::vector<std::future<std::size_t>> futures;
    for (int i = 0; i < p.urls; ++i)
      futures.push_back(pool.submit([&] {
        const http::InFlight::Count counted(in_flight);
        return fail_fast.fetch(p.target, request);
      }));
    std::vector<std::size_t> pages;
    for (auto& f : futures) pages.push_back(f.get());  // get() rethrows a fetch's failure
    scraper::report(w, p, pages, in_flight.max(), clock.seconds(), p.ideal_limited());
  });
}
