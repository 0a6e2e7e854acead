// http-fetch on Boost.Asio with C++20 coroutines: a fetch per page co_spawned on one io_context
// (use_awaitable throughout), its completion handler storing the body's size in the page's slot
// or rethrowing its failure out of io_context::run.
#include "common/asio.hpp"

#include <vector>

#include "network/common/http_client_asio.hpp"
#include "scenario.hpp"

namespace asio = boost::asio;

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const std::string request = p.target.request();
    std::vector<std::size_t> pages(p.pages, http::kNotFetched);
    wl::Stopwatch clock;
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    for (std::size_t i = 0; i < pages.size(); ++i)
      asio::co_spawn(io, http::asio_fetch(p.target, request),
                     [&pages, i](std::exception_ptr e, std::size_t bytes) {
                       if (e) std::rethrow_exception(e);
                       pages[i] = bytes;
                     });
    io.run();
    http_fetch::report(w, p, pages, clock.seconds(), p.ideal_concurrent());
  });
}
