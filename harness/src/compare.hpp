// `asyncbench compare`: the one verdict engine. Every table, figure and script that says whether
// something got better or worse reads its output (--format json); none recomputes it.
//
// Two files (BASE NEW): cells are matched by id, and every metric the workload declares as
// compared (direction lower or higher) is compared, the primary one first, together with the
// harness's per-run figures (wall_s, cpu_s, max_rss_kb, ctx_switches) as secondary
// lower-is-better ones unless the workload declares them otherwise. What a metric means comes
// from the files' declarations (a version-1 file: the current tree's), never from its name.
//
// A change of a timed metric is a regression only when all of these hold:
//   1. it is in the metric's worse direction and larger than --threshold (5 %; doubled when a
//      side's runs were disturbed by CPU steal or other load);
//   2. the bootstrap 95 % interval of the ratio of medians lies wholly beyond that threshold
//      (the runs' own noise: with 3 runs a side the interval spans about min/max to max/min);
//   3. a one-sided Mann-Whitney U test gives p <= 0.05 (with 3 runs a side: all three worse).
// An improvement mirrors it. A deterministic metric (an instruction count) has no statistics:
// a change beyond --deterministic-threshold (2 %) of the medians is the verdict. A cell that ran
// before and fails now is a regression. The exit status is 1 for a regression of a primary
// metric (or a cell that now fails); secondary regressions are listed and counted, and fail only
// with --strict.
//
// One or more files with --pair A:B: model A against model B within the files, on every cell
// both have (the same workload and parameters): the ratio A/B of each round's runs (runs of the
// same round were measured in the same pass, so they share the machine's drift), their median
// with a bootstrap 95 % interval, the rounds A won; and the unpaired medians beside it. A is
// better where the whole interval is on the better side of 1.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace asyncbench {

struct CompareOptions {
  std::vector<std::filesystem::path> files;  // BASE NEW; with pairs, one or more pooled
  double threshold_pct = 5;
  double deterministic_threshold_pct = 2;
  std::string format = "text";  // text | markdown | json
  std::vector<std::pair<std::string, std::string>> pairs;  // --pair A:B
  std::vector<std::string> workloads;  // only these (empty: all)
  std::vector<std::string> where;      // name=value[,value...]: only the cells that match
  std::vector<std::string> metrics;    // pairs: only these metrics (empty: every compared one)
  std::filesystem::path root;          // the source tree: schema, registry, manifests
  bool strict = false;                 // a secondary regression fails too
  std::string role;                    // only metrics of this role (e.g. deterministic)
};

// Returns 1 if a primary regression was found (with `strict`, any regression), 0 otherwise
// (pairs: 0). Throws std::runtime_error with a
// one-line reason for an unreadable, invalid or foreign file, std::invalid_argument for bad
// options.
int compare_files(const CompareOptions& opts, std::ostream& out);

}  // namespace asyncbench
