// What the harness reads from /proc about the machine and its processes: the machine-wide CPU
// counters it samples around each run to see noise (CPU steal on a shared virtual machine, other
// processes' load), and the CPU time of a process tree (a server and the children it forked),
// which the load client reads at its window's edges.
#pragma once

#include <sys/types.h>

namespace asyncbench {

struct CpuCounters {
  double busy_s = 0;   // user + nice + system + irq + softirq, all CPUs
  double steal_s = 0;  // all CPUs
};
// /proc/stat's first line. Its counters are in clock ticks (tick_s()), each CPU's own counted
// apart, so a difference of two reads is uncertain by about one tick per CPU.
CpuCounters read_cpu_counters();
// The length of the clock tick /proc/stat counts in (1 / USER_HZ; 10 ms here).
double tick_s();
double load_average_1m();
int online_cores();

// CPU seconds used so far by `pid` and every process descended from it that is still alive
// (-1 when pid is gone). From clock_getcpuclockid: nanosecond resolution, all threads.
double process_tree_cpu_s(pid_t pid);

}  // namespace asyncbench
