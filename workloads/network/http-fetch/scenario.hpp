// http-fetch: the lecture's synchronous vs asynchronous HTTP requests (requests.get of two pages
// one after the other, 0.45 s; aiohttp's gather of the two, 0.23 s), against a local server
// instead of example.com: --pages pages /delay/<delay-ms>/<bytes>, each answered after
// --delay-ms, each fetched on its own connection. In turn: pages x delay; all at once: about
// one delay.
#pragma once

#include <cstddef>
#include <span>

#include "network/common/http_workload.hpp"

namespace http_fetch {

struct Params {
  http::Target target;
  int pages = 2;  // the lecture's example.com and example.org

  explicit Params(wl::Workload& w) {
    http::TargetOptions server(w);  // bound to the parser until w.parse()
    w.option("--pages", pages, "how many pages to fetch", wl::range(1, 100000));
    w.parse();
    w.params()["pages"] = pages;
    target = server.target(w);
  }

  double delay_s() const { return target.delay_ms / 1e3; }
  // One page after another.
  double ideal_sequential() const { return pages * delay_s(); }
  // Every page at once.
  double ideal_concurrent() const { return delay_s(); }
  // `workers` pages at a time, in waves.
  double ideal_pool(unsigned workers) const {
    return static_cast<double>((static_cast<unsigned>(pages) + workers - 1) / workers) * delay_s();
  }
};

// The checks and metrics every model reports (http::report); `ideal_s`: this model's ideal.
inline void report(wl::Workload& w, const Params& p, std::span<const std::size_t> pages,
                   double elapsed_s, double ideal_s) {
  http::report(w, p.target, pages, elapsed_s,
               {ideal_s, p.ideal_sequential(), p.ideal_concurrent()});
}

}  // namespace http_fetch
