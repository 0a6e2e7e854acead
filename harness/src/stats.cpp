#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace asyncbench::stats {

Summary summarize(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("summarize: empty sample");
  Summary s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  const std::size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(n);
  return s;
}

double median(std::vector<double> v) { return summarize(std::move(v)).median; }

namespace {

// U of `b` against `a`: the number of pairs (x in a, y in b) with y > x, ties counting 1/2.
double u_statistic(const std::vector<double>& a, const std::vector<double>& b, bool& ties) {
  double u = 0;
  ties = false;
  for (double y : b)
    for (double x : a) {
      if (y > x)
        u += 1;
      else if (y == x) {
        u += 0.5;
        ties = true;
      }
    }
  return u;
}

// P(U >= u) under H0, exactly: counts of U for n1, n2 by the recurrence
// c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u).
double exact_upper_tail(std::size_t n1, std::size_t n2, double u) {
  const std::size_t max_u = n1 * n2;
  // dist[j][k]: the count distribution for sizes (i, j) as i grows, over U = 0..max_u.
  std::vector<std::vector<std::vector<double>>> c(
      n1 + 1, std::vector<std::vector<double>>(n2 + 1, std::vector<double>(max_u + 1, 0.0)));
  for (std::size_t i = 0; i <= n1; ++i)
    for (std::size_t j = 0; j <= n2; ++j) {
      if (i == 0 || j == 0) {
        c[i][j][0] = 1;
        continue;
      }
      for (std::size_t k = 0; k <= i * j; ++k) {
        double v = c[i][j - 1][k];
        if (k >= j) v += c[i - 1][j][k - j];
        c[i][j][k] = v;
      }
    }
  double total = 0, tail = 0;
  for (std::size_t k = 0; k <= max_u; ++k) {
    total += c[n1][n2][k];
    if (double(k) >= u - 1e-9) tail += c[n1][n2][k];
  }
  return tail / total;
}

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// Normal approximation with tie correction and continuity correction.
double normal_tail(const std::vector<double>& a, const std::vector<double>& b, double u) {
  const double n1 = double(a.size()), n2 = double(b.size()), n = n1 + n2;
  std::vector<double> all(a);
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  double tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j] == all[i]) ++j;
    const double t = double(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double mu = n1 * n2 / 2;
  const double var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) return 0.5;
  return normal_upper_tail((u - mu - 0.5) / std::sqrt(var));
}

}  // namespace

double mann_whitney_greater(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 1.0;
  bool ties;
  const double u = u_statistic(a, b, ties);
  if (!ties && a.size() * b.size() <= 400) return exact_upper_tail(b.size(), a.size(), u);
  return std::min(1.0, normal_tail(a, b, u));
}

double mann_whitney_two_sided(const std::vector<double>& a, const std::vector<double>& b) {
  return std::min(1.0, 2 * std::min(mann_whitney_greater(a, b), mann_whitney_greater(b, a)));
}

double geometric_mean(const std::vector<double>& ratios) {
  if (ratios.empty()) return 0;
  double s = 0;
  for (double r : ratios) s += std::log(r);
  return std::exp(s / double(ratios.size()));
}

namespace {

double resampled_median(const std::vector<double>& v, std::mt19937_64& rng, std::vector<double>& tmp) {
  std::uniform_int_distribution<std::size_t> pick(0, v.size() - 1);
  tmp.resize(v.size());
  for (double& x : tmp) x = v[pick(rng)];
  const std::size_t n = tmp.size();
  std::nth_element(tmp.begin(), tmp.begin() + std::ptrdiff_t(n / 2), tmp.end());
  const double hi = tmp[n / 2];
  if (n % 2) return hi;
  return (hi + *std::max_element(tmp.begin(), tmp.begin() + std::ptrdiff_t(n / 2))) / 2;
}

Interval percentiles(std::vector<double> v, double level) {
  std::sort(v.begin(), v.end());
  const double tail = (1 - level) / 2;
  const auto at = [&](double q) {
    const double pos = q * double(v.size() - 1);
    const std::size_t i = std::size_t(std::floor(pos));
    const double f = pos - double(i);
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
  };
  return {at(tail), at(1 - tail)};
}

}  // namespace

Interval bootstrap_ratio_of_medians(const std::vector<double>& a, const std::vector<double>& b,
                                    double level, int resamples, unsigned seed) {
  if (a.empty() || b.empty()) throw std::invalid_argument("bootstrap: empty sample");
  std::mt19937_64 rng(seed);
  std::vector<double> ratios, tmp;
  ratios.reserve(std::size_t(resamples));
  for (int i = 0; i < resamples; ++i) {
    const double ma = resampled_median(a, rng, tmp);
    const double mb = resampled_median(b, rng, tmp);
    ratios.push_back(mb / ma);
  }
  return percentiles(std::move(ratios), level);
}

Interval bootstrap_median(const std::vector<double>& v, double level, int resamples,
                          unsigned seed) {
  if (v.empty()) throw std::invalid_argument("bootstrap: empty sample");
  std::mt19937_64 rng(seed);
  std::vector<double> meds, tmp;
  meds.reserve(std::size_t(resamples));
  for (int i = 0; i < resamples; ++i) meds.push_back(resampled_median(v, rng, tmp));
  return percentiles(std::move(meds), level);
}

double probability_below(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return 0.5;
  double wins = 0;
  for (double x : a)
    for (double y : b) wins += x < y ? 1.0 : (x == y ? 0.5 : 0.0);
  return wins / double(a.size() * b.size());
}

}  // namespace asyncbench::stats
