// Running one cell once (`asyncbench run`'s unit of work): the server the workload declares, if
// any, started fresh and pinned apart from the client; the program in a fresh process; the
// machine's CPU counters around it; and what the outcome means. The program's JSON line is
// checked against the contract (workloads/README.md) and every metric it reports against the
// workload's declarations before anything of it is believed.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"
#include "process.hpp"
#include "results.hpp"

namespace asyncbench {

struct RunEnv {
  const Suite* suite = nullptr;
  std::filesystem::path bin_dir;  // build/bin
  std::string python = "/usr/bin/python3";
  int cores = 1;                            // online CPUs: with 2 or more, server and client are pinned apart
  const std::atomic<bool>* stop = nullptr;  // raised by Ctrl-C: end the run now
};

struct CellOutcome {
  enum Kind { ok, failed, timeout, unsupported, interrupted } kind = failed;
  RunRecord record;  // kind ok: what was measured (round and disturbed are the caller's)
  std::string error;
  std::vector<std::string> command;         // the program as started
  std::vector<std::string> server_command;  // the server as started (empty: none)
  double wall_s = 0;                        // the program's wall time
};

// Runs `cell` once and says how it went. A fault of the program or of its server (it cannot
// start, crashes, hangs, prints nonsense, reports an undeclared metric) is an outcome, never an
// exception.
CellOutcome run_cell(const Cell& cell, const RunEnv& env);

// What one finished process means for its cell (exposed for tests).
CellOutcome interpret(const ProcessResult& pr, const Cell& cell);

}  // namespace asyncbench
