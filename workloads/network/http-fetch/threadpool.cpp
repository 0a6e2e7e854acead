// http-fetch on a fixed pool of worker threads (ThreadPoolExecutor's way, min(32, cores + 4)
// workers): a blocking fetch submitted per page, then the futures' results taken in order. With
// more pages than workers the pages go in waves, hence its ideal ceil(pages / workers) x delay.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const std::string request = p.target.request();
    http::FailFast fail_fast;  // a page whose turn comes after a failure is skipped
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    wl::Stopwatch clock;
    std::vector<std::future<std::size_t>> futures;
    for (int i = 0; i < p.pages; ++i)
      futures.push_back(pool.submit([&] { return fail_fast.fetch(p.target, request); }));
    std::vector<std::size_t> pages;
    for (auto& f : futures) pages.push_back(f.get());  // get() rethrows a fetch's failure
    http_fetch::report(w, p, pages, clock.seconds(), p.ideal_pool(pool.size()));
  });
}
