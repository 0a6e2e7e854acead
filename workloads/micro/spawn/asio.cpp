// spawn on Boost.Asio with C++20 coroutines: co_spawn every task on an io_context with a
// completion handler that takes its result; io_context::run returns when the last is done.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<long> task(int i) { co_return spawn::value(i); }

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "spawn", [](wl::Workload& w) {
    spawn::Params p(w);
    long sum = 0, completed = 0;
    std::exception_ptr failure;
    wl::Stopwatch clock;
    asio::io_context io(1);
    for (int i = 0; i < p.tasks; ++i)
      asio::co_spawn(io, task(i), [&](std::exception_ptr e, long v) {
        if (e) failure = e;
        sum += v;
        ++completed;
      });
    io.run();
    const double elapsed = clock.seconds();
    if (failure) std::rethrow_exception(failure);
    spawn::report(w, p, sum, completed, elapsed);
  });
}
