// as-completed on Boost.Asio with C++20 coroutines: each factorial co_spawned on one io_context,
// awaiting a steady_timer per step with use_awaitable; its completion handler, which runs as soon
// as that coroutine returns, appends the result to the list of completed results.
#include "common/asio.hpp"

#include <vector>

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<as_completed::Result> factorial(int number, std::chrono::nanoseconds second) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  long result = 1;
  for (int i = 2; i <= number; ++i) {
    timer.expires_after(second);
    co_await timer.async_wait(asio::use_awaitable);
    result *= i;
  }
  co_return as_completed::Result(number, result);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    const auto second = w.scaled(1);
    wl::Stopwatch clock;
    asio::io_context io(1);
    std::vector<as_completed::Result> arrived;
    for (int n : as_completed::inputs)
      asio::co_spawn(io, factorial(n, second),
                     [&arrived](std::exception_ptr e, as_completed::Result r) {
                       if (e) std::rethrow_exception(e);
                       arrived.push_back(r);
                     });
    io.run();
    as_completed::report(w, arrived, clock.seconds(), true);
  });
}
