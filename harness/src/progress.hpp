// The run's progress on stderr. On a terminal, one line that updates in place (cells done of
// the total, elapsed, an estimate of what is left, the run going on), cleared before any other
// message and drawn again after it; otherwise (a pipe, a file, CI's log) a line per run, as
// before, so that a log keeps every step.
#pragma once

#include <string>

namespace asyncbench {

class Progress {
 public:
  // tty: whether stderr is a terminal (isatty(2) unless ASYNCBENCH_PROGRESS=lines|line forces it).
  Progress();
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The current state: replaces the line on a terminal, else printed as a line of its own.
  void update(const std::string& status);
  // A message of its own (a cell that failed): on a terminal the status line is cleared first
  // and drawn again after it.
  void message(const std::string& text);
  // Clears the status line (the end of the run, or before the summary).
  void finish();
  bool tty() const { return m_tty; }

 private:
  void draw();
  void clear();
  bool m_tty;
  bool m_shown = false;
  std::string m_status;
};

}  // namespace asyncbench
