// gather-factorial with one fork()ed process per call (multiprocessing's way): the events travel
// through a pipe the children share, each result through its slot in a shared-memory array
// mapped before the fork.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <system_error>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "gather-factorial", [](wl::Workload& w) {
    gather_factorial::Params p(w);
    using gather_factorial::jobs;
    wl::PipeEventLog log;
    const auto second = w.scaled(1);
    void* shared = ::mmap(nullptr, sizeof(long) * jobs.size(), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
    long* slots = static_cast<long*>(shared);
    wl::Stopwatch clock;
    wl::Children children;
    for (std::size_t k = 0; k < jobs.size(); ++k)
      children.spawn([&, k] {
        slots[k] = gather_factorial::blocking_factorial(log, jobs[k].name, jobs[k].number, second);
      });
    const bool all_ok = children.wait_all();
    const double elapsed = clock.seconds();
    const std::vector<long> results(slots, slots + jobs.size());
    ::munmap(shared, sizeof(long) * jobs.size());
    w.check(all_ok, "a child process failed");
    gather_factorial::report(w, log.collect(), results, elapsed, gather_factorial::Order::per_step);
  });
}
