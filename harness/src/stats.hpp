// The statistics the harness reports and compare relies on.
//
// Samples are small (3 repeats in the quick profile, 9 in the full one), so the Mann-Whitney U
// test is computed exactly from the distribution of U when there are no ties (with n = 3 against
// 3, complete separation gives one-sided p = 1/20 = 0.05, the smallest value possible), and with
// the normal approximation and tie correction otherwise. Google Benchmark's compare tool uses the
// same test and asks for 9 repetitions; compare warns below that.
#pragma once

#include <vector>

namespace asyncbench::stats {

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
};

// Summary of a non-empty sample.
Summary summarize(std::vector<double> v);
double median(std::vector<double> v);

// One-sided p-value that `b` tends to be larger than `a` (H1: P(B > A) > 1/2).
double mann_whitney_greater(const std::vector<double>& a, const std::vector<double>& b);
// Two-sided p-value that the two samples come from the same distribution.
double mann_whitney_two_sided(const std::vector<double>& a, const std::vector<double>& b);

// Geometric mean of positive ratios (0 for an empty list).
double geometric_mean(const std::vector<double>& ratios);

}  // namespace asyncbench::stats
