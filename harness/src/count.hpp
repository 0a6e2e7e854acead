// The counted profile (`asyncbench run --count`, `--profile counted`): figures that do not depend
// on the machine's noise, beside the timed ones. A counted cell is run, for each of its two sizes
// (workload.json "count": the difference of the two cancels start-up and tear-down), three times:
//
//   1. its target (the server, or the program) under valgrind's callgrind: the instructions it
//      executed in user space, every thread and forked child, split by whose code ran them
//      (the program's, the model's runtime, libc/libstdc++) from the debug info's source files
//      and the shared objects (the registry's count_runtime and count_system);
//   2. the target under `perf trace -s`: its system calls by name;
//   3. natively: its context switches (wait4), and the timed figures.
//
// Per unit = (count at the larger size − count at the smaller) / (units − units), the units
// being what the program reports (its unit_metric: the load client's requests_total, the
// sleepers of sleep-fanout) or the size itself. A C++ program whose measured phase is marked for
// callgrind (`phase`) is counted over that phase alone, in one run.
//
// Measured on this machine (README): two counted runs of the same cells agree within 2 %;
// instructions per echo request from 74 (the bare epoll loop) upwards.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cell.hpp"

namespace asyncbench {

// Runs a cell of a counted profile and returns its outcome: status, the counts as metrics (the
// names its workload declares), the timed figures of the native run of its larger size.
CellOutcome run_counted(const Cell& cell, const RunEnv& env);

// The instructions of one callgrind output file (exposed for tests): in all, and by group.
struct InstructionSplit {
  double total = 0, program = 0, runtime = 0, system = 0;
};
InstructionSplit read_callgrind(const std::string& path, const Model& model,
                                const Registry& registry);

// `perf trace -s` summary file: calls by system call name, summed over every task (exposed for
// tests). Throws std::runtime_error when the file holds no summary.
std::map<std::string, double> read_perf_trace_summary(const std::string& path);

}  // namespace asyncbench
