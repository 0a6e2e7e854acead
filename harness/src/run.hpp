// `asyncbench run`: the matrix of workloads × models × parameters, each run in a fresh process.
//
// Order: one warm-up run of every cell (not counted), then `repeats` rounds in which every cell
// runs once, the cells in a different rotation each round, so that drift on a shared machine
// (CPU steal of seconds has been seen here) spreads evenly over the models rather than landing
// on whichever ran last. A cell that fails, hangs (its timeout) or says it is unsupported is
// recorded as such and not run again; the rest goes on. The results file is rewritten after
// every run; Ctrl-C (or SIGTERM) ends the current run, keeps everything measured, and says how
// to resume.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace asyncbench {

struct RunOptions {
  std::string profile = "quick";
  std::vector<std::string> workloads;  // empty: all
  std::vector<std::string> models;     // empty: all
  std::vector<std::string> where;      // "name=value[,value...]": only the cells that match
  int repeats = 0;                     // 0: the profile's (quick 3, full 9, smoke 1)
  bool warmup = true;
  std::filesystem::path out;
  std::filesystem::path resume;   // non-empty: continue this file's run
  std::filesystem::path root;     // the source tree (workloads/)
  std::filesystem::path bin_dir;  // build/bin
  std::string python = "/usr/bin/python3";
  std::vector<std::string> command_line;
};

// Returns the exit code: 0 every cell ok or unsupported; 1 some failed or timed out; 130
// interrupted. Throws std::runtime_error / std::invalid_argument for bad input (reported by
// main as one line).
int run_matrix(const RunOptions& opts);


}  // namespace asyncbench
