// http-fetch, sequential: the pages fetched one after another with blocking sockets, each on its
// own connection (the lecture's fetch_sync, requests.get per page).
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const std::string request = p.target.request();
    std::vector<std::size_t> pages(p.pages, http::kNotFetched);
    wl::Stopwatch clock;
    for (std::size_t& page : pages) page = http::fetch_blocking(p.target, request);
    http_fetch::report(w, p, pages, clock.seconds(), p.ideal_sequential());
  });
}
