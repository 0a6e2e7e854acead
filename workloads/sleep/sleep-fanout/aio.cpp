// sleep-fanout on aio: gather over a vector of sleeper tasks, asyncio.gather(*sleepers) in C++.
// Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> sleeper(std::chrono::nanoseconds d, long& completed) {
  co_await aio::sleep(d);
  ++completed;
}

aio::Task<void> fan_out(int tasks, std::chrono::nanoseconds d, long& completed,
                        sleep_fanout::Measure& m) {
  m.start();
  std::vector<aio::Task<void>> sleepers;
  sleepers.reserve(tasks);
  for (int i = 0; i < tasks; ++i) sleepers.push_back(sleeper(d, completed));
  co_await aio::gather(std::move(sleepers));
  m.stop();
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "sleep-fanout", [](wl::Workload& w) {
    sleep_fanout::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    long completed = 0;
    sleep_fanout::Measure m;
    aio::run(fan_out(p.tasks, w.scaled(p.sleep_s), completed, m), backend);
    sleep_fanout::report(w, p, completed, m);
  });
}
