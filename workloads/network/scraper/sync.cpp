// scraper, sequential: the URLs fetched one after another with blocking sockets, each on its own
// connection. One request is ever in flight, so only --limit 1 is this model's to run.
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    p.require_one_in_flight(w);
    const std::string request = p.target.request();
    std::vector<std::size_t> pages(p.urls, http::kNotFetched);
    http::InFlight in_flight;
    wl::Stopwatch clock;
    for (std::size_t& page : pages) {
      const http::InFlight::Count counted(in_flight);
      page = http::fetch_blocking(p.target, request);
    }
    scraper::report(w, p, pages, in_flight.max(), clock.seconds(), p.ideal_sequential());
  });
}
