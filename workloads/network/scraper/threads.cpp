// scraper with one std::thread per URL, at most --limit of them fetching at once: each takes a
// permit of a std::counting_semaphore before its blocking fetch and gives it back after.
#include <exception>
#include <semaphore>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    const std::string request = p.target.request();
    std::vector<std::size_t> pages(p.urls, http::kNotFetched);
    std::vector<std::exception_ptr> errors(p.urls);
    std::counting_semaphore<> permits(p.limit);
    http::InFlight in_flight;
    http::FailFast fail_fast;  // a URL whose turn comes after a failure is skipped
    wl::Stopwatch clock;
    {
      std::vector<std::jthread> threads;  // joined however this block is left
      threads.reserve(p.urls);
      for (std::size_t i = 0; i < pages.size(); ++i)
        threads.emplace_back([&, i] {
          permits.acquire();
          {
            const http::InFlight::Count counted(in_flight);
            try {
              pages[i] = fail_fast.fetch(p.target, request);
            } catch (...) {
              errors[i] = std::current_exception();
            }
          }
          permits.release();
        });
    }
    const double elapsed = clock.seconds();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    scraper::report(w, p, pages, in_flight.max(), elapsed, p.ideal_limited());
  });
}
