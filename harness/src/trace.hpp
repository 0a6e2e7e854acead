// `asyncbench trace W --model M --out FILE`: one run of a workload, traced, as a Chrome
// trace-event file (Perfetto, chrome://tracing): one track per task.
//
// The program runs with AIO_TRACE=<temporary file>. aio records its tasks itself (aio/trace.hpp);
// the other models' workload code records its tasks' running and waiting spans in the same form
// (workloads/common/trace.hpp, wl.py). Each writes one trace event per line; this collects the
// lines, checks them, and writes {"traceEvents": [...], "otherData": {...}}.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace asyncbench {

struct TraceOptions {
  std::string workload;
  std::string model;
  std::filesystem::path out;
  std::string profile = "quick";      // whose first cell (matching `params`) is run
  std::vector<std::string> params;    // name=value: picks the cell, or overrides its value
  std::filesystem::path root;
  std::filesystem::path bin_dir;
  std::string python = "/usr/bin/python3";
};

// Returns the exit code (0 written, 1 the run or its trace failed). Throws std::invalid_argument
// for bad input.
int trace_workload(const TraceOptions& opts);

}  // namespace asyncbench
