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

// A percentile-bootstrap interval (`level`, e.g. 0.95) of median(b) / median(a): each side
// resampled with replacement `resamples` times, with a fixed seed so that the same files always
// give the same interval. Both samples non-empty, every value of `a` > 0.
struct Interval {
  double lo = 0;
  double hi = 0;
};
Interval bootstrap_ratio_of_medians(const std::vector<double>& a, const std::vector<double>& b,
                                    double level = 0.95, int resamples = 2000,
                                    unsigned seed = 20261202);
// The same for the median of a sample of paired ratios (one per round).
Interval bootstrap_median(const std::vector<double>& ratios, double level = 0.95,
                          int resamples = 2000, unsigned seed = 20261202);

// P(a random value of `a` is below a random value of `b`), ties counting half: the probability
// of superiority of `a` where lower is better (0.5: the two samples are indistinguishable).
double probability_below(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace asyncbench::stats
