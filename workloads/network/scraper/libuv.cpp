// scraper on libuv: --limit fetches (network/common/http_client_uv.hpp) started on one loop, and
// each one's completion starts the next URL on the same Fetch (its handles re-initialised, its
// buffer reused), so that never more than --limit are in flight; after a failure no new URL is
// started. uv_run returns when the last fetch has closed its handles.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/uv.hpp"
#include "network/common/http_client_uv.hpp"
#include "scenario.hpp"

namespace {

struct Scraper {
  uv_loop_t* loop = nullptr;
  std::vector<std::size_t> pages;
  std::size_t next = 0;
  http::InFlight in_flight;
  std::string error;  // the first failure
};

struct Slot {
  http::uv::Fetch fetch;  // fetch.data points here
  Scraper* scraper = nullptr;
  std::size_t page = 0;
};

void start_next(Slot* slot) {
  Scraper* s = slot->scraper;
  if (!s->error.empty() || s->next == s->pages.size()) return;
  slot->page = s->next++;
  s->in_flight.enter();
  http::uv::start(&slot->fetch, s->loop);
}

void on_done(http::uv::Fetch* f) {
  auto* slot = static_cast<Slot*>(f->data);
  Scraper* s = slot->scraper;
  s->in_flight.leave();
  if (!f->error.empty()) {
    if (s->error.empty()) s->error = f->error;
  } else {
    s->pages[slot->page] = f->body_bytes;
  }
  start_next(slot);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    http::uv::ignore_sigpipe();
    const std::string request = p.target.request();
    wl::uv::Loop loop;
    Scraper s;
    s.loop = loop.get();
    s.pages.assign(p.urls, http::kNotFetched);
    std::vector<Slot> slots(std::min(p.limit, p.urls));
    for (Slot& slot : slots) {
      slot.fetch.target = &p.target;
      slot.fetch.request = &request;
      slot.fetch.on_done = on_done;
      slot.fetch.data = &slot;
      slot.scraper = &s;
    }
    wl::Stopwatch clock;
    for (Slot& slot : slots) start_next(&slot);
    loop.run();
    loop.close();
    const double elapsed = clock.seconds();
    if (!s.error.empty()) throw std::runtime_error(s.error);
    scraper::report(w, p, s.pages, s.in_flight.max(), elapsed, p.ideal_limited());
  });
}
