// say-after with one std::thread per call, both started, then both joined.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    using sayafter::hello, sayafter::world;
    wl::EventLog log;
    wl::Stopwatch clock;
    std::thread thread1(sayafter::blocking_say_after<wl::EventLog>, std::ref(log),
                        w.scaled(hello.delay_s), hello.what);
    std::thread thread2(sayafter::blocking_say_after<wl::EventLog>, std::ref(log),
                        w.scaled(world.delay_s), world.what);
    thread1.join();
    thread2.join();
    sayafter::report(w, log.events(), clock.seconds(), true);
  });
}
