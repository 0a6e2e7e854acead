// The results file a run writes: checked before anything runs, and held by one run at a time.
//
// A run rewrites its file after every measured run, so a second run given the same --out would
// silently replace the first one's cells with its own. The file's lock is an exclusive flock(2)
// on "<results file>.lock" beside it, taken before the run starts and held until it ends: the
// kernel drops it when the holder exits, however it exits, so a run that was killed never blocks
// the next one. The lock file holds the holder's pid, for the message of the run it refuses.
#pragma once

#include <filesystem>
#include <string>

namespace asyncbench {

// Can `out` be a results file? Not empty, not a directory or other non-regular file, in an
// existing directory where this process can create files (tried, not guessed from the mode
// bits, which root ignores). Throws std::invalid_argument with a one-line reason.
void check_results_path(const std::filesystem::path& out);

class ResultsLock {
 public:
  // Takes the lock of `out`'s lock file, creating it. Throws std::invalid_argument when another
  // run holds it ("... is being written by another run (pid N)"), std::system_error when the
  // lock file cannot be opened.
  explicit ResultsLock(const std::filesystem::path& out);
  ~ResultsLock();  // removes the lock file, then releases the lock
  ResultsLock(const ResultsLock&) = delete;
  ResultsLock& operator=(const ResultsLock&) = delete;

  const std::filesystem::path& path() const noexcept { return m_path; }

 private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

}  // namespace asyncbench
