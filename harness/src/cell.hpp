// Running one cell once (`asyncbench run`'s unit of work): the server the workload declares, if
// any, started fresh and pinned apart from the client; the program in a fresh process; the
// machine's CPU counters around it; and what the outcome means. The program's JSON line is
// checked against the contract (workloads/README.md) and every metric it reports against the
// workload's declarations before anything of it is believed.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
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

// How one run of a cell is wrapped (the counted profile: count.cpp): a command put before the
// server's or the program's (valgrind, perf trace), environment for it, and the limits a slow
// wrapped server needs. The default wraps nothing.
struct RunWrap {
  std::vector<std::string> server_prefix;
  std::vector<std::string> program_prefix;
  std::vector<std::string> env;              // NAME=value for the wrapped side
  double server_exit_after_s = 0;            // > 0: the server's --exit-after-s backstop
  std::chrono::milliseconds server_ready{15'000};
  std::chrono::milliseconds server_stop{10'000};
  int server_stop_signal = SIGTERM;          // and to whom: the server alone, or its group
  bool server_stop_group = false;
  // Run once the program has finished, before the server is stopped (callgrind_control --dump:
  // a server under valgrind may never see the stop signal while it waits in io_uring_enter).
  std::function<void(pid_t)> before_server_stop;
  bool server_may_be_killed = false;         // its figures are already out: killing it is no fault
  double timeout_factor = 1;                 // the program's timeout, times this
};

struct CellOutcome {
  enum Kind { ok, failed, timeout, unsupported, interrupted } kind = failed;
  RunRecord record;  // kind ok: what was measured (round and disturbed are the caller's)
  std::string error;
  std::vector<std::string> command;         // the program as started
  std::vector<std::string> server_command;  // the server as started (empty: none)
  double wall_s = 0;                        // the program's wall time
  long server_ctx_switches = 0;             // the server's whole life (wait4), when there is one
};

// Runs `cell` once and says how it went. A fault of the program or of its server (it cannot
// start, crashes, hangs, prints nonsense, reports an undeclared metric) is an outcome, never an
// exception.
CellOutcome run_cell(const Cell& cell, const RunEnv& env, const RunWrap& wrap = {});

// What one finished process means for its cell (exposed for tests).
CellOutcome interpret(const ProcessResult& pr, const Cell& cell);

}  // namespace asyncbench
