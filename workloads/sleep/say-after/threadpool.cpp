// say-after on a fixed pool of worker threads (ThreadPoolExecutor's way): both calls submitted,
// then both futures awaited.
#include <future>
#include <thread>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    using sayafter::hello, sayafter::world;
    wl::EventLog log;
    const auto d1 = w.scaled(hello.delay_s), d2 = w.scaled(world.delay_s);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    if (pool.size() < 2) w.unsupported("a pool of one worker would run the calls in turn");
    wl::Stopwatch clock;
    std::future<void> future1 =
        pool.submit([&] { sayafter::blocking_say_after(log, d1, hello.what); });
    std::future<void> future2 =
        pool.submit([&] { sayafter::blocking_say_after(log, d2, world.what); });
    future1.get();
    future2.get();
    sayafter::report(w, log.events(), clock.seconds(), true);
  });
}
