// count on aio: countasync.py, line for line. Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> count_task(wl::EventLog& log, std::chrono::nanoseconds d, int n) {
  aio::trace::name_task("count " + std::to_string(n));
  log.add("One");
  aio::trace::mark("One");
  co_await aio::sleep(d);
  log.add("Two");
  aio::trace::mark("Two");
}

aio::Task<void> amain(int tasks, wl::EventLog& log, std::chrono::nanoseconds d) {
  std::vector<aio::Task<void>> ts;
  for (int i = 0; i < tasks; ++i) ts.push_back(count_task(log, d, i + 1));
  co_await aio::gather(std::move(ts));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "count", [](wl::Workload& w) {
    count::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::EventLog log;
    wl::Stopwatch clock;
    aio::run(amain(p.tasks, log, w.scaled(p.sleep_s)), backend);
    count::report(w, p, log.events(), clock.seconds(), true);
  });
}
