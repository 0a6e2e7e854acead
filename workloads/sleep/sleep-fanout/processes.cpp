// sleep-fanout with one fork()ed process per sleeper (multiprocessing's way): each child sleeps
// and counts itself in a counter shared with the parent (MAP_SHARED, mapped before the forks).
//
// A child's memory is not in the parent's resident set, so while the children sleep the parent
// reads the private resident memory (Private_Clean + Private_Dirty, from /proc/<pid>/smaps_rollup)
// of the last few forked, and adds its mean to rss_per_task_b. What a child shares copy-on-write
// with the parent is not counted, nor its page tables (VmPTE, kernel memory, as no model's kernel
// structures are).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "scenario.hpp"

namespace {

// How many children's memory is read: enough for a mean, few enough to stay well inside the sleep.
constexpr std::size_t memory_samples = 16;

// Private resident memory of process `pid` in KiB; -1 when it cannot be read (it has exited).
long private_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
  long total = 0;
  int found = 0;
  for (std::string line; std::getline(f, line);)
    if (line.rfind("Private_Clean:", 0) == 0 || line.rfind("Private_Dirty:", 0) == 0) {
      total += std::stol(line.substr(line.find(':') + 1));
      ++found;
    }
  return found == 2 ? total : -1;
}

}  // namespace

// What the parent and its children share (MAP_SHARED, mapped before the forks): the count of
// sleepers done, and a flag each child raises as it goes to sleep, so that the parent reads the
// memory of children that have run their part of fork() and not of ones still waiting for a CPU.
struct Shared {
  std::atomic<long> completed{0};
  std::atomic<bool> asleep[sleep_fanout::max_processes]{};
};
static_assert(std::atomic<long>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "the shared counters must work across processes");

int main(int argc, char** argv) {
  return wl::main(argc, argv, "sleep-fanout", [](wl::Workload& w) {
    sleep_fanout::Params p(w);
    if (p.tasks > sleep_fanout::max_processes)
      w.unsupported("more than " + std::to_string(sleep_fanout::max_processes) +
                    " processes: each is a kernel task (pid_max is 32768, shared with the machine) "
                    "with its own page tables and copied pages");
    const auto d = w.scaled(p.sleep_s);
    void* mem =
        ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
    auto* shared = new (mem) Shared;

    sleep_fanout::Measure m;
    m.start();
    wl::Children children;
    std::vector<pid_t> pids;
    pids.reserve(p.tasks);
    for (int i = 0; i < p.tasks; ++i)
      pids.push_back(children.spawn([&, i] {
        shared->asleep[i].store(true);
        std::this_thread::sleep_for(d);
        shared->completed.fetch_add(1);
      }));
    // The last children forked: still asleep (at 1,000 the first ones may have woken while the
    // parent was still forking). Waiting for them to reach their sleep costs nothing measured:
    // the fan-in ends a whole sleep after the last child started.
    long sampled_kb = 0, samples = 0;
    for (std::size_t i = pids.size() - std::min(pids.size(), memory_samples); i < pids.size();
         ++i) {
      while (!shared->asleep[i].load()) std::this_thread::sleep_for(std::chrono::microseconds(50));
      if (const long kb = private_kb(pids[i]); kb >= 0) {
        sampled_kb += kb;
        ++samples;
      }
    }
    const bool all_exited = children.wait_all();
    m.stop();

    const double child_b = samples ? double(sampled_kb) * 1024.0 / double(samples) : 0.0;
    sleep_fanout::report(w, p, shared->completed.load(), m, child_b);
    w.metrics()["child_private_b"] = child_b;
    w.metrics()["child_samples"] = samples;
    w.check(all_exited, "a child process failed");
    w.check(samples > 0, "no sleeping child's memory could be read");
    ::munmap(mem, sizeof(Shared));
  });
}
