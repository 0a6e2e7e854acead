// wait-for on aio: the lecture's eternity() under aio::wait_for, line for line. Runs as aio-epoll
// or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> eternity(wl::EventLog& log, std::chrono::nanoseconds d) {
  try {
    co_await aio::sleep(d);
    log.add("yay!");
  } catch (const aio::CancelledError&) {
    log.add("cancelled");
    throw;
  }
}

aio::Task<void> amain(wl::EventLog& log, std::chrono::nanoseconds eternity_d,
                      std::chrono::nanoseconds timeout) {
  try {
    co_await aio::wait_for(eternity(log, eternity_d), timeout);
  } catch (const aio::TimeoutError&) {
    log.add("timeout!");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::EventLog log;
    wl::Stopwatch clock;
    aio::run(amain(log, w.scaled(p.eternity_s), w.scaled(p.timeout_s)), backend);
    wait_for::report(w, p, log.events(), clock.seconds());
  });
}
