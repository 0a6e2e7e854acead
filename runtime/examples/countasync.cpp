// The lectures' countasync.py in aio: three tasks print One, sleep a second, print Two.
// Prints "One One One Two Two Two" and takes one second, not three.
#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

aio::Task<void> count() {
  std::puts("One");
  co_await aio::sleep(1s);
  std::puts("Two");
}

aio::Task<void> amain() { co_await aio::gather(count(), count(), count()); }

int main() {
  const auto s = std::chrono::steady_clock::now();
  aio::run(amain());
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - s;
  std::printf("countasync exec in %.2f seconds.\n", elapsed.count());
}
