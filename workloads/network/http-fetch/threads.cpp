// http-fetch with one std::thread per page, each fetching with blocking sockets into its own slot;
// the main thread joins them all and rethrows the first failure.
#include <exception>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const std::string request = p.target.request();
    std::vector<std::size_t> pages(p.pages, http::kNotFetched);
    std::vector<std::exception_ptr> errors(p.pages);
    wl::Stopwatch clock;
    {
      std::vector<std::jthread> threads;  // joined however this block is left
      threads.reserve(p.pages);
      for (std::size_t i = 0; i < pages.size(); ++i)
        threads.emplace_back([&, i] {
          try {
            pages[i] = http::fetch_blocking(p.target, request);
          } catch (...) {
            errors[i] = std::current_exception();
          }
        });
    }
    const double elapsed = clock.seconds();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    http_fetch::report(w, p, pages, elapsed, p.ideal_concurrent());
  });
}
