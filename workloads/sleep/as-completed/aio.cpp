// as-completed on aio: the lecture's
//   for future in asyncio.as_completed([factorial(4), factorial(3), factorial(5), factorial(2)]):
//       number, result = await future
// Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>
#include <vector>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<as_completed::Result> factorial(int number, std::chrono::nanoseconds second) {
  long result = 1;
  for (int i = 2; i <= number; ++i) {
    co_await aio::sleep(second);
    result *= i;
  }
  co_return as_completed::Result(number, result);
}

aio::Task<std::vector<as_completed::Result>> amain(std::chrono::nanoseconds second) {
  std::vector<aio::Task<as_completed::Result>> calls;
  for (int n : as_completed::inputs) calls.push_back(factorial(n, second));
  std::vector<as_completed::Result> arrived;
  for (auto future : aio::as_completed(std::move(calls))) {
    const auto [number, result] = co_await future;
    arrived.emplace_back(number, result);
  }
  co_return arrived;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::Stopwatch clock;
    const auto arrived = aio::run(amain(w.scaled(1)), backend);
    as_completed::report(w, arrived, clock.seconds(), true);
  });
}
