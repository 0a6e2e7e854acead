// gather-factorial on Boost.Asio with C++20 coroutines: each factorial co_spawned on one
// io_context, awaiting a steady_timer per step with use_awaitable; its completion handler stores
// the result in the call's slot (gather's order of results). io_context::run returns when all
// three have finished.
#include "common/asio.hpp"

#include <vector>

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<long> factorial(wl::EventLog& log, const char* name, int number,
                                std::chrono::nanoseconds second) {
  wl::trace::Track t(std::string("factorial ") + name);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    const std::string said = gather_factorial::computing(name, i);
    log.add(said);
    t.mark(said);
    timer.expires_after(second);
    t.waiting("timer");
    co_await timer.async_wait(asio::use_awaitable);
    t.running();
    f *= i;
  }
  const std::string said = gather_factorial::finished(name, number, f);
  log.add(said);
  t.mark(said);
  co_return f;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    using gather_factorial::jobs;
    wl::EventLog log;
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    asio::io_context io(1);
    std::vector<long> results(jobs.size());
    for (std::size_t k = 0; k < jobs.size(); ++k)
      asio::co_spawn(io, factorial(log, jobs[k].name, jobs[k].number, second),
                     [&results, k](std::exception_ptr e, long f) {
                       if (e) std::rethrow_exception(e);
                       results[k] = f;
                     });
    io.run();
    gather_factorial::report(w, log.events(), results, clock.seconds(),
                             gather_factorial::Order::event_loop);
  });
}
