// http-fetch with one fork()ed process per page (multiprocessing's way): each child fetches with
// blocking sockets and stores the body's size in its slot of a shared-memory array mapped before
// the fork; a child that fails writes its error into a pipe the parent reads after.
#include <stdexcept>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "http-fetch", [](wl::Workload& w) {
    const http_fetch::Params p(w);
    const std::string request = p.target.request();
    http::SharedArray<std::size_t> pages(p.pages, http::kNotFetched);
    wl::PipeEventLog errors;
    wl::Stopwatch clock;
    wl::Children children;
    for (std::size_t i = 0; i < pages.size(); ++i)
      children.spawn([&, i] {
        pages[i] =
            http::fetch_in_child(errors, [&] { return http::fetch_blocking(p.target, request); });
      });
    const bool all_ok = children.wait_all();
    const double elapsed = clock.seconds();
    if (const auto e = errors.collect(); !e.empty()) throw std::runtime_error(e.front());
    w.check(all_ok, "a child process failed");
    http_fetch::report(w, p, pages.span(), elapsed, p.ideal_concurrent());
  });
}
