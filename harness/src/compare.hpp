// `asyncbench compare BASE NEW`: per cell and per metric, the medians, the change, a Mann-Whitney
// U test, and a verdict; a geometric-mean row; exit 1 when a significant regression exceeds the
// threshold.
//
// A change counts as a regression only when it is (1) in the worse direction (slower; fewer
// requests per second), (2) larger than --threshold and (3) larger than the noise the runs
// themselves measured (half the larger relative spread, max - min over median, of the two
// sides), both bars doubled when either side's runs were disturbed by CPU steal or other load,
// and (4) significant: one-sided Mann-Whitney p <= 0.05 (with 3 runs a side that means all three
// new runs are worse than all three old ones). A cell that ran before and fails now is a
// regression whatever its numbers.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

namespace asyncbench {

struct CompareOptions {
  std::filesystem::path base;
  std::filesystem::path next;
  double threshold_pct = 5;
  std::string format = "text";  // text | markdown
};

// Returns 1 if a regression was found, 0 otherwise. Throws std::runtime_error for unreadable,
// invalid or foreign files.
int compare_files(const CompareOptions& opts, std::ostream& out);

}  // namespace asyncbench
