// Latency histogram with logarithmic buckets: 1 % relative precision or better from 1 µs to
// 10 s, in constant memory, and mergeable (runs recorded apart are added bucket by bucket).
//
// Bucket i holds values in [lowest · growth^i, lowest · growth^(i+1)) nanoseconds, with
// lowest = 1,000 ns and growth = 1.01: 1,620 buckets reach 10 s. A value is reported as the
// geometric middle of its bucket, so no reported value is more than 0.5 % from a recorded one.
// Values below 1 µs and above 10 s are counted apart (underflow, overflow); min and max are
// kept exactly.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace asyncbench {

class LogHistogram {
 public:
  static constexpr double kLowestNs = 1'000;  // 1 µs
  static constexpr double kHighestNs = 1e10;  // 10 s
  static constexpr double kGrowth = 1.01;

  LogHistogram();

  void record(std::int64_t ns);
  void merge(const LogHistogram& other);

  std::uint64_t total() const noexcept { return m_total; }
  std::int64_t min() const noexcept { return m_total ? m_min : 0; }
  std::int64_t max() const noexcept { return m_total ? m_max : 0; }
  double mean() const noexcept { return m_total ? m_sum / double(m_total) : 0; }
  // The value at quantile q (0..1) in ns: the smallest recorded value v such that at least
  // q of all values are ≤ v, to the bucket's precision. q = 1 gives max(); q = 0 gives min().
  double quantile(double q) const;

  // {"unit": "ns", "lowest": 1000, "growth": 1.01, "counts": [[i, n], ...], "underflow": n,
  //  "overflow": n, "total": n, "min": v, "max": v, "sum": v}: only non-empty buckets.
  nlohmann::ordered_json to_json() const;
  // Throws std::invalid_argument for another bucket layout or malformed data.
  static LogHistogram from_json(const nlohmann::ordered_json& j);

  static std::size_t bucket_of(double ns);
  static double bucket_low(std::size_t i);
  static double bucket_middle(std::size_t i);
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> m_counts;
  std::uint64_t m_underflow = 0;
  std::uint64_t m_overflow = 0;
  std::uint64_t m_total = 0;
  std::int64_t m_min = 0;
  std::int64_t m_max = 0;
  double m_sum = 0;
};

}  // namespace asyncbench
