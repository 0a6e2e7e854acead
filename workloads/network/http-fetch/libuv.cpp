// http-fetch on libuv: a fetch per page (network/common/http_client_uv.hpp: uv_tcp_connect,
// uv_write, uv_read_start, a uv_timer deadline), all started on one loop; uv_run returns when
// every fetch has closed its handles.
#include <stdexcept>
#include <vector>

#include "common/uv.hpp"
#include "network/common/http_client_uv.hpp"
#include "scenario.hpp"

namespace {

void on_done(http::uv::Fetch*) {}  // the results are read once uv_run returns

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    http::uv::ignore_sigpipe();
    const std::string request = p.target.request();
    std::vector<http::uv::Fetch> fetches(p.pages);
    for (auto& f : fetches) {
      f.target = &p.target;
      f.request = &request;
      f.on_done = on_done;
    }
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    for (auto& f : fetches) http::uv::start(&f, loop.get());
    loop.run();
    loop.close();
    const double elapsed = clock.seconds();
    std::vector<std::size_t> pages;
    for (const auto& f : fetches) {
      if (!f.error.empty()) throw std::runtime_error(f.error);
      pages.push_back(f.over ? f.body_bytes : http::kNotFetched);
    }
    http_fetch::report(w, p, pages, elapsed, p.ideal_concurrent());
  });
}
