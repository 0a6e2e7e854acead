// The load client's latency histogram: precision over its whole range, quantiles, merging, and
// its JSON form (which results files store so that runs can be merged).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "histogram.hpp"

using asyncbench::LogHistogram;

TEST(Histogram, EveryValueFromOneMicrosecondToTenSecondsIsWithinOnePercent) {
  for (double x = 1'000; x < 1e10; x *= 1.0037) {
    const auto v = std::int64_t(x);
    const double ns = double(v);
    LogHistogram h;
    h.record(v);
    h.record(v);  // min and max would otherwise answer every quantile exactly
    h.record(std::int64_t(1e10 - 1));
    h.record(500);
    const std::size_t i = LogHistogram::bucket_of(ns);
    EXPECT_LE(LogHistogram::bucket_low(i), ns) << ns;
    EXPECT_GT(LogHistogram::bucket_low(i + 1), ns) << ns;
    EXPECT_LE(std::abs(LogHistogram::bucket_middle(i) - ns) / ns, 0.01) << ns;
    EXPECT_LE(std::abs(h.quantile(0.5) - ns) / ns, 0.01) << ns;
  }
}

TEST(Histogram, QuantilesOfAUniformSpread) {
  LogHistogram h;
  for (int us = 1; us <= 10'000; ++us) h.record(std::int64_t(us) * 1000);
  EXPECT_EQ(h.total(), 10'000u);
  EXPECT_NEAR(h.quantile(0.50), 5'000'000, 50'000);
  EXPECT_NEAR(h.quantile(0.90), 9'000'000, 90'000);
  EXPECT_NEAR(h.quantile(0.99), 9'900'000, 99'000);
  EXPECT_NEAR(h.quantile(0.999), 9'990'000, 99'900);
  EXPECT_EQ(h.quantile(1.0), 10'000'000);
  EXPECT_EQ(h.quantile(0.0), 1'000);
  EXPECT_EQ(h.min(), 1'000);
  EXPECT_EQ(h.max(), 10'000'000);
  EXPECT_NEAR(h.mean(), 5'000'500, 1);
}

TEST(Histogram, ATailOfOnePercentShowsInP99ButNotInP90) {
  LogHistogram h;
  for (int i = 0; i < 9'800; ++i) h.record(100'000);     // 100 µs
  for (int i = 0; i < 200; ++i) h.record(300'000'000);  // 300 ms: a stall
  EXPECT_NEAR(h.quantile(0.90), 100'000, 1'000);
  EXPECT_NEAR(h.quantile(0.99), 300'000'000, 3'000'000);
}

TEST(Histogram, OutOfRangeValuesAreCountedAndKeptAsMinAndMax) {
  LogHistogram h;
  h.record(10);
  h.record(std::int64_t(2e10));
  h.record(5'000);
  EXPECT_EQ(h.total(), 3u);
  EXPECT_EQ(h.min(), 10);
  EXPECT_EQ(h.max(), std::int64_t(2e10));
  EXPECT_EQ(h.quantile(0.2), 10);  // inside the underflow: the exact minimum
  EXPECT_EQ(h.quantile(0.99), 2e10);
  const auto j = h.to_json();
  EXPECT_EQ(j["underflow"], 1);
  EXPECT_EQ(j["overflow"], 1);
}

TEST(Histogram, MergingEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(std::log(200'000.0), 1.0);
  LogHistogram a, b, all;
  for (int i = 0; i < 20'000; ++i) {
    const auto v = std::int64_t(dist(rng));
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  LogHistogram merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(merged.total(), all.total());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(merged.quantile(q), all.quantile(q)) << q;
  EXPECT_EQ(merged.to_json()["counts"], all.to_json()["counts"]);
}

TEST(Histogram, JsonRoundTripAndForeignLayoutsRejected) {
  LogHistogram h;
  for (int i = 1; i < 5'000; i += 7) h.record(std::int64_t(i) * 997);
  const auto j = h.to_json();
  const LogHistogram back = LogHistogram::from_json(j);
  EXPECT_EQ(back.to_json(), j);
  auto other = j;
  other["growth"] = 1.02;
  EXPECT_THROW(LogHistogram::from_json(other), std::invalid_argument);
  auto broken = j;
  broken["total"] = 1;
  EXPECT_THROW(LogHistogram::from_json(broken), std::invalid_argument);
  auto malformed = j;
  malformed.erase("counts");
  EXPECT_THROW(LogHistogram::from_json(malformed), std::invalid_argument);
  EXPECT_EQ(LogHistogram::bucket_count(), 1620u);
}
