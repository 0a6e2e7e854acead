// gather-factorial on aio: the lecture's asyncio.gather(factorial('A', 2), factorial('B', 3),
// factorial('C', 4)). Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<long> factorial(wl::EventLog& log, const char* name, int number,
                          std::chrono::nanoseconds second) {
  aio::trace::name_task(std::string("factorial ") + name);
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    const std::string said = gather_factorial::computing(name, i);
    log.add(said);
    aio::trace::mark(said);
    co_await aio::sleep(second);
    f *= i;
  }
  const std::string said = gather_factorial::finished(name, number, f);
  log.add(said);
  aio::trace::mark(said);
  co_return f;
}

aio::Task<std::vector<long>> amain(wl::EventLog& log, std::chrono::nanoseconds second) {
  std::vector<aio::Task<long>> calls;
  for (const auto& job : gather_factorial::jobs)
    calls.push_back(factorial(log, job.name, job.number, second));
  co_return co_await aio::gather(std::move(calls));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::EventLog log;
    wl::Stopwatch clock;
    const std::vector<long> results = aio::run(amain(log, w.scaled(1)), backend);
    gather_factorial::report(w, log.events(), results, clock.seconds(),
                             gather_factorial::Order::event_loop);
  });
}
