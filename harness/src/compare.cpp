#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "results.hpp"
#include "stats.hpp"

namespace asyncbench {

namespace {

bool higher_is_better(const std::string& metric) {
  return metric == "rps" || metric == "speedup" ||
         (metric.size() > 6 && metric.compare(metric.size() - 6, 6, "_per_s") == 0);
}

std::vector<double> numbers(const Json& arr) {
  std::vector<double> v;
  if (arr.is_array())
    for (const auto& x : arr)
      if (x.is_number()) v.push_back(x.get<double>());
  return v;
}

struct Row {
  std::string cell, metric, verdict;
  stats::Summary base, next;
  double change = 0, p = 1;
  bool disturbed = false;
};

std::string fmt(double v) {
  char b[32];
  const double a = std::fabs(v);
  if (a != 0 && (a < 0.001 || a >= 1e6))
    std::snprintf(b, sizeof b, "%.3g", v);
  else if (a < 10)
    std::snprintf(b, sizeof b, "%.4f", v);
  else
    std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

std::string pct(double c) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f %%", c * 100);
  return b;
}

double spread(const stats::Summary& s) {
  return s.median != 0 ? (s.max - s.min) / std::fabs(s.median) : 0;
}

Row compare_metric(const std::string& cell, const std::string& metric, const std::vector<double>& a,
                   const std::vector<double>& b, bool disturbed, double threshold) {
  Row r;
  r.cell = cell;
  r.metric = metric;
  r.base = stats::summarize(a);
  r.next = stats::summarize(b);
  r.disturbed = disturbed;
  if (r.base.median == 0) {
    r.verdict = r.next.median == 0 ? "same" : "~";
    return r;
  }
  r.change = (r.next.median - r.base.median) / std::fabs(r.base.median);
  const bool up_is_bad = !higher_is_better(metric);
  const double worse = up_is_bad ? r.change : -r.change;
  const double p_worse =
      up_is_bad ? stats::mann_whitney_greater(a, b) : stats::mann_whitney_greater(b, a);
  const double p_better =
      up_is_bad ? stats::mann_whitney_greater(b, a) : stats::mann_whitney_greater(a, b);
  // Three runs a side underestimate the noise of a machine that was measurably disturbed
  // (steal, other load): there the bar is twice as high.
  const double noise = std::max(spread(r.base), spread(r.next)) / 2;
  const double bar = (disturbed ? 2 : 1) * std::max(threshold, noise);
  if (worse > bar && p_worse <= 0.05) {
    r.verdict = "REGRESSION";
    r.p = p_worse;
  } else if (-worse > bar && p_better <= 0.05) {
    r.verdict = "improved";
    r.p = p_better;
  } else if (std::fabs(r.change) > threshold) {
    r.verdict = "noise";
    r.p = std::min(p_worse, p_better);
  } else {
    r.verdict = "same";
    r.p = std::min(p_worse, p_better);
  }
  return r;
}

}  // namespace

int compare_files(const CompareOptions& o, std::ostream& out) {
  const Json base = load_results(o.base);
  const Json next = load_results(o.next);
  const double threshold = o.threshold_pct / 100;
  std::map<std::string, const Json*> a, b;
  for (const auto& c : base["results"]) a[c.value("id", "")] = &c;
  for (const auto& c : next["results"]) b[c.value("id", "")] = &c;

  std::vector<Row> rows;
  std::vector<std::string> only_base, only_next, status_changes;
  std::vector<double> ratios;
  int regressions = 0, min_repeats = 1 << 30;
  for (const auto& [id, ca] : a) {
    auto it = b.find(id);
    if (it == b.end()) {
      only_base.push_back(id);
      continue;
    }
    const Json& cb = *it->second;
    const std::string sa = ca->value("status", "?"), sb = cb.value("status", "?");
    if (sa != "ok" || sb != "ok") {
      if (sa != sb) {
        status_changes.push_back(
            id + ": " + sa + " -> " + sb +
            (sb != "ok" && cb.contains("error") ? " (" + cb.value("error", "") + ")" : ""));
        if (sa == "ok" && (sb == "failed" || sb == "timeout")) ++regressions;
      }
      continue;
    }
    const bool disturbed = ca->value("disturbed", false) || cb.value("disturbed", false);
    const std::vector<double> ea = numbers((*ca)["elapsed_s"]), eb = numbers(cb["elapsed_s"]);
    if (ea.empty() || eb.empty()) continue;
    min_repeats = std::min<int>(min_repeats, int(std::min(ea.size(), eb.size())));
    // A load client's cell (echo): its elapsed time is the fixed measuring window; its result
    // is its rate, which stands in for elapsed in the geometric mean (as time per request).
    const auto& ma = ca->value("metrics", Json::object());
    const bool windowed = ma.contains("rps");
    if (windowed) {
      const auto ra = numbers(ma["rps"]), rb = numbers(cb.value("metrics", Json::object())["rps"]);
      if (!ra.empty() && !rb.empty()) {
        const double a_med = stats::summarize(ra).median, b_med = stats::summarize(rb).median;
        if (a_med > 0 && b_med > 0) ratios.push_back(a_med / b_med);
      }
    } else {
      rows.push_back(compare_metric(id, "elapsed_s", ea, eb, disturbed, threshold));
      if (rows.back().base.median > 0 && rows.back().next.median > 0)
        ratios.push_back(rows.back().next.median / rows.back().base.median);
    }
    if (ca->contains("metrics") && cb.contains("metrics"))
      for (auto& [m, va] : (*ca)["metrics"].items()) {
        if (m.rfind("ideal", 0) == 0 || !cb["metrics"].contains(m))
          continue;  // ideals are not measured
        const auto xa = numbers(va), xb = numbers(cb["metrics"][m]);
        if (xa.empty() || xb.empty()) continue;
        // A relative change means nothing for a quantity that can be negative (sleep-fanout's
        // overhead, elapsed − d, is about zero for libuv, whose timers may fire 2 ms early).
        auto negative = [](const std::vector<double>& v) {
          return std::any_of(v.begin(), v.end(), [](double x) { return x < 0; });
        };
        if (negative(xa) || negative(xb)) continue;
        rows.push_back(compare_metric(id, m, xa, xb, disturbed, threshold));
      }
  }
  for (const auto& [id, cb] : b)
    if (!a.count(id)) only_next.push_back(id);
  for (const Row& r : rows)
    if (r.verdict == "REGRESSION") ++regressions;

  const bool md = o.format == "markdown";
  const double gm = stats::geometric_mean(ratios);
  if (md) {
    out << "### asyncbench compare\n\n`" << o.base.filename().string() << "` ("
        << base.value("created", "?") << ", " << base.value("profile", "?") << ") → `"
        << o.next.filename().string() << "` (" << next.value("created", "?") << ", "
        << next.value("profile", "?") << "), threshold " << o.threshold_pct << " %\n\n"
        << "| cell | metric | base median [min–max] | new median [min–max] | change | p | verdict "
           "|\n"
        << "|---|---|---|---|---|---|---|\n";
  } else {
    out << "asyncbench compare: " << o.base.string() << " -> " << o.next.string() << " (threshold "
        << o.threshold_pct << " %)\n\n";
    char h[256];
    std::snprintf(h, sizeof h, "%-52s %-16s %24s %24s %9s %6s  %s\n", "cell", "metric",
                  "base median [min-max]", "new median [min-max]", "change", "p", "verdict");
    out << h;
  }
  for (const Row& r : rows) {
    // Unchanged side metrics would drown the report: show them only when something happened.
    if (r.metric != "elapsed_s" && r.metric != "rps" && r.verdict == "same") continue;
    const std::string vb =
        fmt(r.base.median) + " [" + fmt(r.base.min) + "-" + fmt(r.base.max) + "]";
    const std::string vn =
        fmt(r.next.median) + " [" + fmt(r.next.min) + "-" + fmt(r.next.max) + "]";
    char p[16];
    std::snprintf(p, sizeof p, "%.3f", r.p);
    const std::string verdict = r.verdict + (r.disturbed ? " (disturbed)" : "");
    if (md) {
      out << "| " << r.cell << " | " << r.metric << " | " << vb << " | " << vn << " | "
          << pct(r.change) << " | " << p << " | "
          << (r.verdict == "REGRESSION" ? "**REGRESSION**" : verdict) << " |\n";
    } else {
      char line[512];
      std::snprintf(line, sizeof line, "%-52s %-16s %24s %24s %9s %6s  %s\n", r.cell.c_str(),
                    r.metric.c_str(), vb.c_str(), vn.c_str(), pct(r.change).c_str(), p,
                    verdict.c_str());
      out << line;
    }
  }
  std::ostringstream tail;
  if (!ratios.empty())
    tail << "geometric mean of elapsed_s ratios over " << ratios.size() << " cells: " << fmt(gm)
         << " (" << pct(gm - 1) << ")\n";
  for (const auto& s : status_changes) tail << "status changed: " << s << "\n";
  if (!only_base.empty())
    tail << "only in " << o.base.filename().string() << ": " << only_base.size() << " cells (e.g. "
         << only_base.front() << ")\n";
  if (!only_next.empty())
    tail << "only in " << o.next.filename().string() << ": " << only_next.size() << " cells (e.g. "
         << only_next.front() << ")\n";
  if (min_repeats < 9 && !rows.empty())
    tail << "note: some cells have only " << min_repeats
         << " runs a side; the Mann-Whitney test needs about 9 to see small changes (the full "
            "profile has 9)\n";
  tail << (regressions
               ? std::to_string(regressions) + " significant regression(s) beyond the threshold\n"
               : std::string("no significant regression beyond the threshold\n"));
  out << (md ? "\n" : "\n") << tail.str();
  return regressions ? 1 : 0;
}

}  // namespace asyncbench
