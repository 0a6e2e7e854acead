// say-after with one fork()ed process per call (multiprocessing's way); what each says travels
// through a pipe the two children share.
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    wl::PipeEventLog log;
    wl::Stopwatch clock;
    wl::Children children;
    for (const sayafter::Call& call : {sayafter::hello, sayafter::world})
      children.spawn([&] { sayafter::blocking_say_after(log, w.scaled(call.delay_s), call.what); });
    const bool all_ok = children.wait_all();
    const double elapsed = clock.seconds();
    w.check(all_ok, "a child process failed");
    sayafter::report(w, log.collect(), elapsed, true);
  });
}
