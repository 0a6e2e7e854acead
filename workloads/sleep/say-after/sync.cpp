// say-after, sequential: say_after(1, "hello"), then say_after(2, "world"), each sleep blocking.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    using sayafter::hello, sayafter::world;
    wl::EventLog log;
    wl::Stopwatch clock;
    sayafter::blocking_say_after(log, w.scaled(hello.delay_s), hello.what);
    sayafter::blocking_say_after(log, w.scaled(world.delay_s), world.what);
    sayafter::report(w, log.events(), clock.seconds(), false);
  });
}
