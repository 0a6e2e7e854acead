// Nothing a run starts outlives it: the mark every process of a run carries, and the sweep that
// ends what a run whose harness is gone left behind.
//
// Each child the harness starts dies with it (PR_SET_PDEATHSIG, process.cpp), but a child's own
// children do not: the processes model's forked workers, a server's per-connection processes.
// So every process of a run carries its mark, the environment variable
// ASYNCBENCH_RUN=<harness pid>.<harness start time> that the harness sets in its own
// environment and every descendant inherits, and the harness records the process groups it
// starts in a file of the per-user runtime directory ($XDG_RUNTIME_DIR/asyncbench, or
// /tmp/asyncbench-<uid>). At the start of every `asyncbench run`, sweep_leftovers() kills each
// process of this user whose mark names a harness that no longer runs (the pid and start time,
// so a reused pid is not mistaken for it), its recorded process groups as a whole; never a
// process recognised by its name, never one of a run still going, never an ancestor of the
// sweeping process.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace asyncbench {

inline constexpr const char* run_mark_variable = "ASYNCBENCH_RUN";

class RunMark {
 public:
  // Sets ASYNCBENCH_RUN in this process's environment (children started after it inherit it)
  // and opens this run's record of process groups, if the runtime directory can be used.
  RunMark();
  ~RunMark();  // removes the record (what it lists is gone by then) and the mark
  RunMark(const RunMark&) = delete;
  RunMark& operator=(const RunMark&) = delete;

  const std::string& id() const noexcept { return m_id; }

 private:
  std::string m_id;
  std::filesystem::path m_record;
};

// Records a process group the harness started (spawn_in_group calls it); does nothing when no
// RunMark is alive. Async-signal-safe: one write(2) to a descriptor opened before.
void record_process_group(pid_t pgid) noexcept;

// Kills every process of this user that carries the mark of a run whose harness is gone (their
// recorded process groups whole), removes those runs' records, and returns one line saying what
// it killed ("" when there was nothing).
std::string sweep_leftovers();

// The per-user runtime directory the records live in, created 0700 if missing; empty when it
// cannot be used safely (not a directory of this user's, or a symbolic link).
std::filesystem::path runtime_dir();

}  // namespace asyncbench
