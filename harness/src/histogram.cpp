#include "histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace asyncbench {

namespace {
const double kLogGrowth = std::log(LogHistogram::kGrowth);
}

std::size_t LogHistogram::bucket_count() {
  static const std::size_t n =
      static_cast<std::size_t>(std::ceil(std::log(kHighestNs / kLowestNs) / kLogGrowth));
  return n;
}

std::size_t LogHistogram::bucket_of(double ns) {
  const double x = std::log(ns / kLowestNs) / kLogGrowth;
  auto i = static_cast<std::size_t>(std::max(0.0, std::floor(x)));
  // log() rounding at a bucket's exact edge: put the value where its bounds say it belongs.
  if (i > 0 && ns < bucket_low(i)) --i;
  if (ns >= bucket_low(i + 1)) ++i;
  return std::min(i, bucket_count() - 1);
}

double LogHistogram::bucket_low(std::size_t i) { return kLowestNs * std::pow(kGrowth, double(i)); }

double LogHistogram::bucket_middle(std::size_t i) {
  return kLowestNs * std::pow(kGrowth, double(i) + 0.5);
}

LogHistogram::LogHistogram() : m_counts(bucket_count(), 0) {}

void LogHistogram::record(std::int64_t ns) {
  if (m_total == 0 || ns < m_min) m_min = ns;
  if (m_total == 0 || ns > m_max) m_max = ns;
  ++m_total;
  m_sum += double(ns);
  if (double(ns) < kLowestNs)
    ++m_underflow;
  else if (double(ns) >= kHighestNs)
    ++m_overflow;
  else
    ++m_counts[bucket_of(double(ns))];
}

void LogHistogram::merge(const LogHistogram& o) {
  if (o.m_total == 0) return;
  for (std::size_t i = 0; i < m_counts.size(); ++i) m_counts[i] += o.m_counts[i];
  m_min = m_total ? std::min(m_min, o.m_min) : o.m_min;
  m_max = m_total ? std::max(m_max, o.m_max) : o.m_max;
  m_underflow += o.m_underflow;
  m_overflow += o.m_overflow;
  m_total += o.m_total;
  m_sum += o.m_sum;
}

double LogHistogram::quantile(double q) const {
  if (m_total == 0) return 0;
  if (q <= 0) return double(m_min);
  if (q >= 1) return double(m_max);
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * double(m_total)));
  std::uint64_t seen = m_underflow;
  if (seen >= rank) return double(m_min);  // among the sub-microsecond values: at most 1 µs
  for (std::size_t i = 0; i < m_counts.size(); ++i) {
    seen += m_counts[i];
    if (seen >= rank) return std::clamp(bucket_middle(i), double(m_min), double(m_max));
  }
  return double(m_max);  // in the overflow
}

nlohmann::ordered_json LogHistogram::to_json() const {
  nlohmann::ordered_json counts = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < m_counts.size(); ++i)
    if (m_counts[i]) counts.push_back({i, m_counts[i]});
  return {{"unit", "ns"},        {"lowest", kLowestNs},   {"growth", kGrowth},
          {"counts", counts},    {"underflow", m_underflow}, {"overflow", m_overflow},
          {"total", m_total},    {"min", min()},          {"max", max()},
          {"sum", m_sum}};
}

LogHistogram LogHistogram::from_json(const nlohmann::ordered_json& j) {
  try {
    if (j.at("unit") != "ns" || j.at("lowest").get<double>() != kLowestNs ||
        j.at("growth").get<double>() != kGrowth)
      throw std::invalid_argument("a histogram with another bucket layout");
    LogHistogram h;
    std::uint64_t total = 0;
    for (const auto& c : j.at("counts")) {
      const auto i = c.at(0).get<std::size_t>();
      if (i >= h.m_counts.size()) throw std::invalid_argument("histogram bucket out of range");
      h.m_counts[i] += c.at(1).get<std::uint64_t>();
      total += c.at(1).get<std::uint64_t>();
    }
    h.m_underflow = j.at("underflow").get<std::uint64_t>();
    h.m_overflow = j.at("overflow").get<std::uint64_t>();
    h.m_total = j.at("total").get<std::uint64_t>();
    if (total + h.m_underflow + h.m_overflow != h.m_total)
      throw std::invalid_argument("histogram counts do not add up to its total");
    h.m_min = j.at("min").get<std::int64_t>();
    h.m_max = j.at("max").get<std::int64_t>();
    h.m_sum = j.value("sum", 0.0);
    return h;
  } catch (const nlohmann::ordered_json::exception& e) {
    throw std::invalid_argument(std::string("malformed histogram: ") + e.what());
  }
}

}  // namespace asyncbench
