// Statistics: summaries, the exact Mann-Whitney distribution, the geometric mean.
#include <gtest/gtest.h>

#include "stats.hpp"

using namespace asyncbench::stats;

TEST(Stats, SummaryOfOddAndEvenSamples) {
  const Summary s = summarize({3.0, 1.0, 2.0});
  EXPECT_DOUBLE_EQ(s.median, 2.0);
  EXPECT_DOUBLE_EQ(s.min, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 3.0);
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_THROW(summarize({}), std::invalid_argument);
}

TEST(Stats, CompleteSeparationOfThreeAgainstThreeIsOneInTwenty) {
  // C(6,3) = 20 orderings are equally likely under H0; only one puts all of b above all of a.
  EXPECT_NEAR(mann_whitney_greater({1, 2, 3}, {4, 5, 6}), 0.05, 1e-12);
  EXPECT_NEAR(mann_whitney_greater({4, 5, 6}, {1, 2, 3}), 1.0, 1e-12);
  EXPECT_NEAR(mann_whitney_two_sided({1, 2, 3}, {4, 5, 6}), 0.10, 1e-12);
}

TEST(Stats, ExactTailsMatchTheTables) {
  // n1 = n2 = 4: P(U >= 16) = 1/70, P(U >= 15) = 2/70.
  EXPECT_NEAR(mann_whitney_greater({1, 2, 3, 4}, {5, 6, 7, 8}), 1.0 / 70, 1e-12);
  EXPECT_NEAR(mann_whitney_greater({1, 2, 3, 5}, {4, 6, 7, 8}), 2.0 / 70, 1e-12);
  // Nine runs a side, fully separated: 1 / C(18, 9) = 1 / 48620.
  std::vector<double> a, b;
  for (int i = 0; i < 9; ++i) {
    a.push_back(i);
    b.push_back(100 + i);
  }
  EXPECT_NEAR(mann_whitney_greater(a, b), 1.0 / 48620, 1e-15);
}

TEST(Stats, InterleavedSamplesAreNotSignificant) {
  EXPECT_GT(mann_whitney_greater({1, 3, 5}, {2, 4, 6}), 0.2);
  EXPECT_GT(mann_whitney_two_sided({1, 3, 5, 7}, {2, 4, 6, 8}), 0.4);
}

TEST(Stats, TiesUseTheNormalApproximation) {
  const double p = mann_whitney_greater({1, 1, 2, 2}, {2, 2, 3, 3});
  EXPECT_GT(p, 0.0);
  EXPECT_LT(p, 0.2);
  EXPECT_NEAR(mann_whitney_greater({5, 5, 5}, {5, 5, 5}), 0.5, 0.1);
}

TEST(Stats, GeometricMean) {
  EXPECT_NEAR(geometric_mean({2.0, 0.5}), 1.0, 1e-12);
  EXPECT_NEAR(geometric_mean({1.5, 1.5, 1.5}), 1.5, 1e-12);
  EXPECT_EQ(geometric_mean({}), 0.0);
}
