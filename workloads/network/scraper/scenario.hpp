// scraper: the lecture's Semaphore-limited scraper against a local server: --urls URLs
// /delay/<delay-ms>/<bytes>, each fetched on its own connection, never more than --limit at
// once. Ideal: ceil(urls / limit) waves of one delay each; sequential code, one URL at a time,
// takes urls x delay (and can only honour --limit 1).
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "network/common/http_workload.hpp"

namespace scraper {

struct Params {
  http::Target target;
  int urls = 32;
  int limit = 4;

  explicit Params(wl::Workload& w) {
    http::TargetOptions server(w);  // bound to the parser until w.parse()
    w.option("--urls", urls, "how many URLs to fetch", wl::range(1, 100000));
    w.option("--limit", limit, "at most this many requests in flight", wl::range(1, 100000));
    w.parse();
    w.params()["urls"] = urls;
    w.params()["limit"] = limit;
    target = server.target(w);
  }

  double delay_s() const { return target.delay_ms / 1e3; }
  // One URL after another.
  double ideal_sequential() const { return urls * delay_s(); }
  // `limit` URLs at a time, in waves.
  double ideal_limited() const { return ((urls + limit - 1) / limit) * delay_s(); }

  // Sequential code has one request in flight: a larger limit is not this model's to honour.
  void require_one_in_flight(wl::Workload& w) const {
    if (limit > 1)
      w.unsupported("sequential code has one request in flight: it runs --limit 1 only, not " +
                    std::to_string(limit));
  }
};

// The checks and metrics every model reports (http::report), and the limit: never more than
// --limit requests in flight (metric max_in_flight). `ideal_s`: this model's ideal.
inline void report(wl::Workload& w, const Params& p, std::span<const std::size_t> pages,
                   int max_in_flight, double elapsed_s, double ideal_s) {
  http::report(w, p.target, pages, elapsed_s, {ideal_s, p.ideal_sequential(), p.ideal_limited()});
  w.metrics()["max_in_flight"] = max_in_flight;
  w.check(max_in_flight <= p.limit, std::to_string(max_in_flight) +
                                        " requests were in flight at once, over the limit of " +
                                        std::to_string(p.limit));
}

}  // namespace scraper
