#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "manifest.hpp"
#include "results.hpp"
#include "schema.hpp"
#include "stats.hpp"

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------------------------ reading files

struct File {
  fs::path path;
  Json doc;
  std::string name() const { return path.filename().string(); }
};

// A results file fit to compare: read, given declarations if it is of version 1, and checked
// against the schema and the declarations. Throws std::runtime_error: one line naming the file
// (and the cell).
File read_checked(const fs::path& path, const Suite& suite, const JsonSchema& schema) {
  return File{path, load_checked(path, suite, schema)};
}

std::vector<double> numbers(const Json& arr) {
  std::vector<double> v;
  if (arr.is_array())
    for (const auto& x : arr)
      if (x.is_number()) v.push_back(x.get<double>());
  return v;
}

// The per-run values of `metric` in a cell: a top-level run array or one under metrics.
std::vector<double> runs_of(const Json& cell, const std::string& metric) {
  if (cell.contains(metric) && cell[metric].is_array()) return numbers(cell[metric]);
  if (cell.contains("metrics") && cell["metrics"].contains(metric))
    return numbers(cell["metrics"][metric]);
  return {};
}

// The round (the pass over the run's cells) of each of a cell's runs: as the file records them;
// for a file from before rounds were recorded, the k-th run is round k when the run was made in
// one go (no --resume), as the harness then made them; otherwise none.
std::vector<double> rounds_of(const Json& cell, const Json& doc) {
  if (cell.contains("round")) return numbers(cell["round"]);
  if (doc.contains("run") && doc["run"].contains("resumed")) return {};
  std::vector<double> k;
  for (std::size_t i = 0; i < cell["elapsed_s"].size(); ++i) k.push_back(double(i));
  return k;
}

// A workload's declarations in a file: name -> declaration, in the order they are written.
std::vector<std::pair<std::string, MetricDecl>> declarations(const Json& doc, const std::string& w) {
  std::vector<std::pair<std::string, MetricDecl>> out;
  if (!doc["workloads"].contains(w)) return out;
  for (auto& [name, d] : doc["workloads"][w]["metrics"].items())
    out.emplace_back(name, MetricDecl::from_json(d, w + "." + name));
  return out;
}

std::string primary_of(const Json& doc, const std::string& w) {
  return doc["workloads"].contains(w) ? doc["workloads"][w].value("primary", "") : "";
}

// The planned parameters of a cell, from its id (<workload>/<model>/<k>:<v>...), as --where
// spells them.
std::map<std::string, std::string> planned(const std::string& id) {
  std::map<std::string, std::string> out;
  std::size_t slash = id.find('/');
  slash = slash == std::string::npos ? slash : id.find('/', slash + 1);
  while (slash != std::string::npos) {
    const std::size_t next = id.find('/', slash + 1);
    const std::string part = id.substr(slash + 1, next == std::string::npos ? next : next - slash - 1);
    const auto colon = part.find(':');
    if (colon != std::string::npos) out[part.substr(0, colon)] = part.substr(colon + 1);
    slash = next;
  }
  return out;
}

// The id without its model: the cells of one row of a matrix share it.
std::string row_key(const Json& cell) {
  const std::string id = cell["id"].get<std::string>();
  const std::string w = cell["workload"].get<std::string>(), m = cell["model"].get<std::string>();
  const std::string prefix = w + "/" + m;
  return w + (id.size() > prefix.size() ? id.substr(prefix.size()) : "");
}

struct Filter {
  std::vector<std::string> workloads;
  std::vector<std::pair<std::string, std::vector<std::string>>> where;

  static Filter from(const CompareOptions& o) {
    Filter f;
    f.workloads = o.workloads;
    for (const std::string& w : o.where) {
      const auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == w.size())
        throw std::invalid_argument("--where wants name=value[,value...], not '" + w + "'");
      std::vector<std::string> values;
      std::stringstream list(w.substr(eq + 1));
      for (std::string v; std::getline(list, v, ',');)
        if (!v.empty()) values.push_back(v);
      f.where.emplace_back(w.substr(0, eq), values);
    }
    return f;
  }
  bool keeps(const Json& cell) const {
    if (!workloads.empty() &&
        std::find(workloads.begin(), workloads.end(), cell["workload"].get<std::string>()) ==
            workloads.end())
      return false;
    const auto p = planned(cell["id"].get<std::string>());
    for (const auto& [k, vs] : where) {
      const auto it = p.find(k);
      if (it == p.end() || std::find(vs.begin(), vs.end(), it->second) == vs.end()) return false;
    }
    return true;
  }
};

// ------------------------------------------------------------------------------ formatting

std::string fmt(double v) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : (v < 0 ? "-inf" : "nan");
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
  if (!std::isfinite(c)) return "new";
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f %%", c * 100);
  return b;
}

std::string ratio_text(double r) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", r);
  return b;
}

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json summary_json(const stats::Summary& s, std::size_t n) {
  return Json{{"median", num(s.median)}, {"min", num(s.min)}, {"max", num(s.max)}, {"n", n}};
}

// The quartiles of a sample (linear interpolation, as Python's statistics.quantiles "inclusive").
std::pair<double, double> quartiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    const double pos = q * double(v.size() - 1);
    const std::size_t i = std::size_t(pos);
    const double f = pos - double(i);
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
  };
  return {at(0.25), at(0.75)};
}

Json summary_json(const std::vector<double>& v) {
  Json j = summary_json(stats::summarize(v), v.size());
  const auto [q1, q3] = quartiles(v);
  j["q1"] = q1;
  j["q3"] = q3;
  return j;
}

// One line when files differ in machine (cpu_model, cores, kernel, compiler, build type) or
// profile; and one per schema_version 1 file, read with the current tree's declarations.
std::vector<std::string> file_warnings(const std::vector<const File*>& files);

// ------------------------------------------------------------------------------ two files

struct Row {
  std::string cell, workload, model, metric;
  MetricDecl decl;
  bool primary = false;
  stats::Summary base, next;
  std::size_t n_base = 0, n_next = 0;
  double ratio = 1, change = 0, p = 1;
  stats::Interval ci{1, 1};
  bool has_ci = false;
  bool disturbed = false;
  std::string verdict;  // regression | improved | noise | same | not comparable
  std::string note;
  double threshold_used = 0;  // the threshold applied (doubled for a disturbed cell)
};

Row judge(Row r, const std::vector<double>& a, const std::vector<double>& b, double threshold,
          double det_threshold) {
  r.base = stats::summarize(a);
  r.next = stats::summarize(b);
  r.n_base = a.size();
  r.n_next = b.size();
  const bool higher = r.decl.higher_is_better();
  const auto negative = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return x < 0; });
  };
  if (negative(a) || negative(b)) {
    // A ratio means nothing for a quantity that can be negative (sleep-fanout's overhead,
    // elapsed − d, is about zero for libuv, whose timers may fire 2 ms early).
    r.verdict = "not comparable";
    r.note = "values below 0: a ratio means nothing";
    return r;
  }
  const double p_up = stats::mann_whitney_greater(a, b);    // new tends to be larger
  const double p_down = stats::mann_whitney_greater(b, a);  // new tends to be smaller
  const double p_worse = higher ? p_down : p_up, p_better = higher ? p_up : p_down;
  if (r.base.median == 0) {
    r.ratio = r.next.median == 0 ? 1 : INFINITY;
    r.change = r.next.median == 0 ? 0 : INFINITY;
    if (r.next.median == 0) {
      r.verdict = "same";
    } else if (r.decl.role == "deterministic") {
      r.verdict = higher ? "improved" : "regression";
    } else {
      const double p = higher ? p_better : p_worse;
      r.p = p;
      r.verdict = p <= 0.05 ? (higher ? "improved" : "regression") : "noise";
      r.note = "from 0";
    }
    return r;
  }
  r.ratio = r.next.median / r.base.median;
  r.change = r.ratio - 1;
  const double worse = higher ? -r.change : r.change;  // > 0: worse
  if (r.decl.role == "deterministic") {
    // A count does not vary from run to run: one value settles it, and no test is needed.
    r.threshold_used = det_threshold;
    r.verdict = worse > det_threshold ? "regression" : (-worse > det_threshold ? "improved" : "same");
    return r;
  }
  r.ci = stats::bootstrap_ratio_of_medians(a, b);
  r.has_ci = true;
  // The runs' own noise is what the interval measures (with 3 runs a side it spans about
  // min/max to max/min, so the two sides must be apart by more than the threshold). A machine
  // that was measurably disturbed (steal, other load) makes runs noisier than a few of them
  // show: there the threshold is twice as high.
  const double t = (r.disturbed ? 2 : 1) * threshold;
  r.threshold_used = t;
  // The interval wholly beyond the threshold, in the worse / the better direction.
  const bool ci_worse = higher ? r.ci.hi < 1 - t : r.ci.lo > 1 + t;
  const bool ci_better = higher ? r.ci.lo > 1 + t : r.ci.hi < 1 - t;
  if (worse > t && ci_worse && p_worse <= 0.05) {
    r.verdict = "regression";
    r.p = p_worse;
  } else if (-worse > t && ci_better && p_better <= 0.05) {
    r.verdict = "improved";
    r.p = p_better;
  } else {
    r.verdict = std::fabs(r.change) > threshold ? "noise" : "same";
    r.p = std::min(p_worse, p_better);
  }
  return r;
}

const std::vector<std::string>& machine_keys() {
  static const std::vector<std::string> k = {"cpu_model", "cores", "kernel", "compiler",
                                             "build_type"};
  return k;
}

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<std::string> file_warnings(const std::vector<const File*>& files) {
  std::vector<std::string> warnings;
  std::vector<std::string> diffs;
  const Json& ma = files.front()->doc["machine"];
  const std::string pa = files.front()->doc.value("profile", "?");
  std::set<std::string> profiles = {pa};
  for (std::size_t i = 1; i < files.size(); ++i) {
    const Json& mb = files[i]->doc["machine"];
    for (const std::string& k : machine_keys()) {
      const std::string va = ma.contains(k) ? text_of(ma[k]) : "?";
      const std::string vb = mb.contains(k) ? text_of(mb[k]) : "?";
      if (va != vb) diffs.push_back(k + " " + va + " vs " + vb);
    }
    profiles.insert(files[i]->doc.value("profile", "?"));
  }
  std::string line;
  if (!diffs.empty()) {
    line = "the files come from different machines or builds (";
    for (std::size_t i = 0; i < diffs.size(); ++i) line += (i ? "; " : "") + diffs[i];
    line += ")";
  }
  if (profiles.size() > 1) {
    std::string ps;
    for (const auto& p : profiles) ps += (ps.empty() ? "" : " vs ") + p;
    line += (line.empty() ? "the files are of different profiles (" : " and profiles (") + ps + ")";
  }
  if (!line.empty())
    warnings.push_back(line + ": their differences are the machines' and settings' as much as "
                              "the code's");
  std::set<std::string> said;
  for (const File* f : files)
    if (f->doc.contains("declarations_from") && said.insert(f->path.string()).second)
      warnings.push_back(f->name() + " is a schema_version 1 file: its metrics are read with the "
                                     "current tree's declarations");
  return warnings;
}

int rank(const Row& r) {
  if (r.verdict == "regression") return r.primary ? 0 : 1;
  if (r.verdict == "improved") return r.primary ? 2 : 3;
  if (r.verdict == "noise") return 4;
  if (r.verdict == "not comparable") return 5;
  return 6;
}

int compare_two(const CompareOptions& o, const File& base, const File& next, std::ostream& out) {
  const double threshold = o.threshold_pct / 100, det = o.deterministic_threshold_pct / 100;
  const Filter filter = Filter::from(o);
  std::map<std::string, const Json*> a, b;
  for (const auto& c : base.doc["results"])
    if (filter.keeps(c)) a[c["id"].get<std::string>()] = &c;
  for (const auto& c : next.doc["results"])
    if (filter.keeps(c)) b[c["id"].get<std::string>()] = &c;

  std::vector<std::string> warnings = file_warnings({&base, &next});

  std::vector<Row> rows;
  std::vector<std::string> only_base, only_next;
  std::vector<Json> status_changes;
  std::vector<double> ratios;  // primary metrics, worse-is-above-1
  std::set<std::string> declaration_conflicts;
  int regressions = 0, primary_regressions = 0, min_repeats = 1 << 30;
  std::size_t matched = 0;
  for (const auto& [id, ca] : a) {
    auto it = b.find(id);
    if (it == b.end()) {
      only_base.push_back(id);
      continue;
    }
    ++matched;
    const Json& cb = *it->second;
    const std::string sa = (*ca)["status"], sb = cb["status"];
    if (sa != "ok" || sb != "ok") {
      if (sa != sb) {
        const bool regressed = sa == "ok" && (sb == "failed" || sb == "timeout");
        status_changes.push_back(Json{{"cell", id},
                                      {"base", sa},
                                      {"new", sb},
                                      {"error", cb.value("error", "")},
                                      {"regression", regressed}});
        if (regressed) ++regressions, ++primary_regressions;
      }
      continue;
    }
    const std::string w = cb["workload"];
    const bool disturbed = ca->value("disturbed", false) || cb.value("disturbed", false);
    const std::string primary = primary_of(next.doc, w);
    const auto decls = declarations(next.doc, w);
    const auto base_decls = declarations(base.doc, w);
    std::vector<std::pair<std::string, MetricDecl>> ordered;
    for (const auto& d : decls)
      if (d.first == primary) ordered.push_back(d);
    for (const auto& d : decls)
      if (d.first != primary) ordered.push_back(d);
    for (const auto& [metric, decl] : ordered) {
      if (!decl.compared() || (!o.role.empty() && decl.role != o.role)) continue;
      for (const auto& [bm, bd] : base_decls)
        if (bm == metric && (bd.direction != decl.direction || bd.role != decl.role))
          declaration_conflicts.insert(w + "." + metric + " (" + bd.direction + "/" + bd.role +
                                       " in " + base.name() + ", " + decl.direction + "/" +
                                       decl.role + " in " + next.name() + ")");
      const std::vector<double> xa = runs_of(*ca, metric), xb = runs_of(cb, metric);
      if (xa.empty() || xb.empty()) continue;
      Row r;
      r.cell = id;
      r.workload = w;
      r.model = cb["model"];
      r.metric = metric;
      r.decl = decl;
      r.primary = metric == primary;
      r.disturbed = disturbed;
      // A model whose counts move more than the threshold between runs says so (registry:
      // count_tolerance_pct, measured); its deterministic metrics are allowed that much.
      double det_here = det;
      const Json& model = next.doc["models"].value(r.model, Json::object());
      if (model.contains("count_tolerance_pct") && model["count_tolerance_pct"].is_number())
        det_here = std::max(det, model["count_tolerance_pct"].get<double>() / 100);
      rows.push_back(judge(r, xa, xb, threshold, det_here));
      const Row& j = rows.back();
      if (j.primary) {
        min_repeats = std::min<int>(min_repeats, int(std::min(xa.size(), xb.size())));
        if (std::isfinite(j.ratio) && j.ratio > 0 && j.verdict != "not comparable")
          ratios.push_back(decl.higher_is_better() ? 1 / j.ratio : j.ratio);
      }
      if (j.verdict == "regression") {
        ++regressions;
        if (j.primary) ++primary_regressions;
      }
    }
  }
  for (const auto& [id, cb] : b)
    if (!a.count(id)) only_next.push_back(id);
  for (const std::string& c : declaration_conflicts)
    warnings.push_back("declarations differ for " + c + ": compared as " + next.name() +
                       " declares it");
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& x, const Row& y) { return rank(x) < rank(y); });
  const double gm = stats::geometric_mean(ratios);
  // A primary regression (or a cell that now fails) is the verdict; a secondary one counts only
  // with --strict: with a dozen secondary metrics a cell, an A/A run of the quick profile on one
  // machine gives about one chance regression among 100 comparisons (README).
  // With --role, the metrics of that role are what is judged: any of them regressing fails.
  const int exit_code =
      (primary_regressions || ((o.strict || !o.role.empty()) && regressions)) ? 1 : 0;

  if (o.format == "json") {
    Json j;
    j["base"] = {{"path", base.path.string()},
                 {"created", base.doc.value("created", "")},
                 {"profile", base.doc.value("profile", "")},
                 {"machine", base.doc["machine"]}};
    j["new"] = {{"path", next.path.string()},
                {"created", next.doc.value("created", "")},
                {"profile", next.doc.value("profile", "")},
                {"machine", next.doc["machine"]}};
    j["threshold_pct"] = o.threshold_pct;
    j["deterministic_threshold_pct"] = o.deterministic_threshold_pct;
    j["warnings"] = warnings;
    j["cells"] = {{"matched", matched}, {"only_base", only_base}, {"only_new", only_next}};
    Json jr = Json::array();
    for (const Row& r : rows) {
      Json x{{"cell", r.cell},           {"workload", r.workload}, {"model", r.model},
             {"metric", r.metric},       {"primary", r.primary},   {"unit", r.decl.unit},
             {"direction", r.decl.direction}, {"role", r.decl.role},
             {"base", summary_json(r.base, r.n_base)}, {"new", summary_json(r.next, r.n_next)},
             {"ratio", num(r.ratio)},    {"change", num(r.change)}, {"p", r.p},
             {"disturbed", r.disturbed}, {"verdict", r.verdict}};
      if (r.has_ci) x["ci95"] = {r.ci.lo, r.ci.hi};
      x["threshold"] = r.threshold_used;
      if (!r.note.empty()) x["note"] = r.note;
      jr.push_back(std::move(x));
    }
    j["rows"] = std::move(jr);
    j["status_changes"] = status_changes;
    j["geometric_mean"] = {{"cells", ratios.size()}, {"ratio", ratios.empty() ? Json(nullptr) : Json(gm)}};
    j["regressions"] = {{"total", regressions},
                        {"primary", primary_regressions},
                        {"secondary", regressions - primary_regressions}};
    j["exit"] = exit_code;
    out << j.dump(1) << "\n";
    return exit_code;
  }

  const bool md = o.format == "markdown";
  char line[768];
  if (md) {
    out << "### asyncbench compare\n\n`" << base.name() << "` (" << base.doc.value("created", "?")
        << ", " << base.doc.value("profile", "?") << ") → `" << next.name() << "` ("
        << next.doc.value("created", "?") << ", " << next.doc.value("profile", "?")
        << "), threshold " << o.threshold_pct << " %\n\n";
    for (const auto& w : warnings) out << "> **warning:** " << w << "\n\n";
    out << "| cell | metric | base median [min–max] | new median [min–max] | change | 95 % CI of "
           "the ratio | p | verdict |\n|---|---|---|---|---|---|---|---|\n";
  } else {
    out << "asyncbench compare: " << base.path.string() << " -> " << next.path.string()
        << " (threshold " << o.threshold_pct << " %)\n";
    for (const auto& w : warnings) out << "warning: " << w << "\n";
    out << "\n";
    std::snprintf(line, sizeof line, "%-52s %-22s %24s %24s %9s %15s %6s  %s\n", "cell", "metric",
                  "base median [min-max]", "new median [min-max]", "change", "95% CI ratio", "p",
                  "verdict");
    out << line;
  }
  for (const Row& r : rows) {
    // Unchanged secondary metrics would drown the report: show them only when something happened.
    if (!r.primary && (r.verdict == "same" || r.verdict == "noise" || r.verdict == "not comparable") &&
        (o.role.empty() || r.decl.role != o.role))
      continue;
    const std::string vb = fmt(r.base.median) + " [" + fmt(r.base.min) + "-" + fmt(r.base.max) + "]";
    const std::string vn = fmt(r.next.median) + " [" + fmt(r.next.min) + "-" + fmt(r.next.max) + "]";
    const std::string ci = r.has_ci ? ratio_text(r.ci.lo) + "-" + ratio_text(r.ci.hi) : "-";
    char p[16];
    std::snprintf(p, sizeof p, "%.3f", r.p);
    std::string verdict = r.verdict == "regression" ? "REGRESSION" : r.verdict;
    if (!r.primary && (r.verdict == "regression" || r.verdict == "improved")) verdict += " (secondary)";
    if (r.disturbed) verdict += " (disturbed)";
    if (!r.note.empty()) verdict += " (" + r.note + ")";
    const std::string metric = r.metric + (r.decl.unit.empty() ? "" : " " + r.decl.unit) +
                               (r.decl.direction == "higher" ? " ↑" : " ↓");
    if (md) {
      out << "| " << r.cell << " | " << metric << " | " << vb << " | " << vn << " | "
          << pct(r.change) << " | " << ci << " | " << p << " | "
          << (r.verdict == "regression" ? "**" + verdict + "**" : verdict) << " |\n";
    } else {
      std::snprintf(line, sizeof line, "%-52s %-22s %24s %24s %9s %15s %6s  %s\n", r.cell.c_str(),
                    metric.c_str(), vb.c_str(), vn.c_str(), pct(r.change).c_str(), ci.c_str(), p,
                    verdict.c_str());
      out << line;
    }
  }
  std::ostringstream tail;
  tail << "cells: " << matched << " matched, " << only_base.size() << " only in " << base.name()
       << (only_base.empty() ? "" : " (e.g. " + only_base.front() + ")") << ", "
       << only_next.size() << " only in " << next.name()
       << (only_next.empty() ? "" : " (e.g. " + only_next.front() + ")") << "\n";
  if (!ratios.empty())
    tail << "geometric mean of the primary metrics' ratios over " << ratios.size()
         << " cells (new/base, inverted where higher is better: below 1 is better): " << fmt(gm)
         << " (" << pct(gm - 1) << ")\n";
  for (const auto& s : status_changes)
    tail << "status changed: " << s["cell"].get<std::string>() << ": "
         << s["base"].get<std::string>() << " -> " << s["new"].get<std::string>()
         << (s["error"].get<std::string>().empty() ? "" : " (" + s["error"].get<std::string>() + ")")
         << "\n";
  if (min_repeats < 9 && !rows.empty())
    tail << "note: some cells have only " << min_repeats
         << " runs a side; the Mann-Whitney test and the bootstrap need about 9 to see small "
            "changes (asyncbench run --repeat 9; the full profile has 5, for its time budget)\n";
  tail << (regressions ? std::to_string(regressions) + " significant regression(s) beyond the "
                             "threshold (" + std::to_string(primary_regressions) + " primary, " +
                             std::to_string(regressions - primary_regressions) + " secondary)" +
                             (exit_code ? "" : ": secondary only, which fails only with --strict") +
                             "\n"
                       : std::string("no significant regression beyond the threshold\n"));
  out << "\n" << tail.str();
  return exit_code;
}

// ------------------------------------------------------------------------------ pairs

struct Side {
  std::vector<double> values;
  std::vector<double> steal_s;  // the machine's CPU steal during each run
  std::vector<std::pair<std::size_t, double>> rounds;  // (file, round) per value
  bool has_rounds = true;
};

struct PairRow {
  std::string row, workload, a, b, metric;
  MetricDecl decl;
  stats::Summary sa, sb;
  std::size_t na = 0, nb = 0;
  double ratio = 1, p_a_better = 0.5;
  std::size_t paired = 0, a_won = 0;
  double paired_median = NAN;
  stats::Interval ci{NAN, NAN};
  std::string ci_from;  // "rounds" | "runs"
  Json a_json, b_json;  // their summaries with quartiles
  double a_steal = NAN, b_steal = NAN;
  std::string verdict;  // "A better" | "A worse" | "tie" | "not comparable"
};

// The fewest runs (or paired rounds) a timed pair verdict is given from.
constexpr std::size_t kMinRuns = 3;

int compare_pairs(const CompareOptions& o, const std::vector<File>& files, std::ostream& out) {
  const Filter filter = Filter::from(o);
  const double det = o.deterministic_threshold_pct / 100;
  // row key -> model -> metric -> side; row key -> workload; workload -> declarations (first file).
  std::map<std::string, std::map<std::string, std::map<std::string, Side>>> rows;
  std::map<std::string, std::string> row_workload;
  std::map<std::string, std::vector<std::pair<std::string, MetricDecl>>> decls;
  std::set<std::string> wanted_models;
  for (const auto& [x, y] : o.pairs) wanted_models.insert({x, y});
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    for (const Json& c : files[fi].doc["results"]) {
      if (c["status"] != "ok" || !filter.keeps(c)) continue;
      const std::string model = c["model"];
      if (!wanted_models.count(model)) continue;
      const std::string w = c["workload"], key = row_key(c);
      row_workload[key] = w;
      if (!decls.count(w)) decls[w] = declarations(files[fi].doc, w);
      const std::vector<double> rounds = rounds_of(c, files[fi].doc);
      for (const auto& [metric, d] : decls[w]) {
        if (!d.compared() || (!o.role.empty() && d.role != o.role)) continue;
        if (!o.metrics.empty() &&
            std::find(o.metrics.begin(), o.metrics.end(), metric) == o.metrics.end())
          continue;
        const std::vector<double> v = runs_of(c, metric);
        if (v.empty()) continue;
        Side& s = rows[key][model][metric];
        s.values.insert(s.values.end(), v.begin(), v.end());
        const std::vector<double> steal = runs_of(c, "steal_s");
        s.steal_s.insert(s.steal_s.end(), steal.begin(), steal.end());
        if (rounds.size() == v.size())
          for (std::size_t k = 0; k < v.size(); ++k) s.rounds.emplace_back(fi, rounds[k]);
        else
          s.has_rounds = false;
      }
    }
  }
  if (rows.empty())
    throw std::invalid_argument("no ok cell of the models of --pair" +
                                std::string(o.workloads.empty() && o.where.empty()
                                                ? ""
                                                : " matches -w and --where") +
                                " in the files");
  for (const std::string& m : o.metrics) {
    bool declared = false;
    for (const auto& [w, ds] : decls)
      for (const auto& [name, d] : ds) declared = declared || name == m;
    if (!declared)
      throw std::invalid_argument("--metric " + m +
                                  ": no chosen cell's workload declares it as a compared metric");
  }

  std::vector<const File*> fps;
  for (const File& f : files) fps.push_back(&f);
  const std::vector<std::string> warnings = file_warnings(fps);
  std::vector<PairRow> result;
  for (const auto& [a, b] : o.pairs) {
    for (const auto& [key, by_model] : rows) {
      const auto ia = by_model.find(a), ib = by_model.find(b);
      if (ia == by_model.end() || ib == by_model.end()) continue;
      const std::string w = row_workload[key];
      for (const auto& [metric, d] : decls[w]) {
        const auto ma = ia->second.find(metric), mb = ib->second.find(metric);
        if (ma == ia->second.end() || mb == ib->second.end()) continue;
        const Side& sa = ma->second;
        const Side& sb = mb->second;
        PairRow r;
        r.row = key;
        r.workload = w;
        r.a = a;
        r.b = b;
        r.metric = metric;
        r.decl = d;
        r.sa = stats::summarize(sa.values);
        r.sb = stats::summarize(sb.values);
        r.na = sa.values.size();
        r.nb = sb.values.size();
        r.a_json = summary_json(sa.values);
        r.b_json = summary_json(sb.values);
        if (!sa.steal_s.empty()) r.a_steal = stats::median(sa.steal_s);
        if (!sb.steal_s.empty()) r.b_steal = stats::median(sb.steal_s);
        const bool higher = d.higher_is_better();
        if (r.sa.median == 0 && r.sb.median == 0) {
          r.ratio = 1;
          r.verdict = "tie";
          result.push_back(r);
          continue;
        }
        if (r.sb.median <= 0 || r.sa.median < 0) {
          r.verdict = "not comparable";
          result.push_back(r);
          continue;
        }
        r.ratio = r.sa.median / r.sb.median;
        r.p_a_better = higher ? stats::probability_below(sb.values, sa.values)
                              : stats::probability_below(sa.values, sb.values);
        if (d.role == "deterministic") {
          const double better = higher ? r.ratio - 1 : 1 - r.ratio;
          r.verdict = better > det ? "A better" : (-better > det ? "A worse" : "tie");
          result.push_back(r);
          continue;
        }
        std::vector<double> ratios;
        if (sa.has_rounds && sb.has_rounds) {
          std::map<std::pair<std::size_t, double>, double> theirs;
          for (std::size_t k = 0; k < sb.values.size(); ++k) theirs[sb.rounds[k]] = sb.values[k];
          for (std::size_t k = 0; k < sa.values.size(); ++k) {
            const auto it = theirs.find(sa.rounds[k]);
            if (it != theirs.end() && it->second > 0) ratios.push_back(sa.values[k] / it->second);
          }
        }
        r.paired = ratios.size();
        for (double x : ratios) r.a_won += higher ? x > 1 : x < 1;
        if (ratios.size() >= 2) {
          r.paired_median = stats::median(ratios);
          r.ci = stats::bootstrap_median(ratios);
          r.ci_from = "rounds";
        } else {
          r.ci = stats::bootstrap_ratio_of_medians(sb.values, sa.values);
          r.ci_from = "runs";
        }
        const bool a_better = higher ? r.ci.lo > 1 : r.ci.hi < 1;
        const bool a_worse = higher ? r.ci.hi < 1 : r.ci.lo > 1;
        // An interval from one or two values says nothing about the spread.
        const bool enough = r.paired >= kMinRuns || (r.paired < 2 && std::min(r.na, r.nb) >= kMinRuns);
        r.verdict = !enough ? "too few runs" : a_better ? "A better" : (a_worse ? "A worse" : "tie");
        result.push_back(r);
      }
    }
  }
  if (result.empty())
    throw std::invalid_argument("no cell has both models of a --pair (after -w and --where)");

  if (o.format == "json") {
    Json j;
    Json jf = Json::array();
    for (const File& f : files)
      jf.push_back({{"path", f.path.string()},
                    {"created", f.doc.value("created", "")},
                    {"profile", f.doc.value("profile", "")},
                    {"machine", f.doc["machine"]}});
    j["files"] = jf;
    j["warnings"] = warnings;
    Json jr = Json::array();
    for (const PairRow& r : result) {
      Json x{{"row", r.row},           {"workload", r.workload}, {"a", r.a},
             {"b", r.b},               {"metric", r.metric},     {"unit", r.decl.unit},
             {"direction", r.decl.direction}, {"role", r.decl.role},
             {"a_summary", r.a_json}, {"b_summary", r.b_json},
             {"steal_s_median", {{"a", num(r.a_steal)}, {"b", num(r.b_steal)}}},
             {"ratio_of_medians", num(r.ratio)}, {"p_a_better", r.p_a_better},
             {"verdict", r.verdict}};
      if (r.paired) {
        x["paired"] = {{"rounds", r.paired},
                       {"median_ratio", num(r.paired_median)},
                       {"a_won", r.a_won}};
      }
      if (std::isfinite(r.ci.lo)) x["ci95"] = {{"lo", r.ci.lo}, {"hi", r.ci.hi}, {"from", r.ci_from}};
      x["params"] = planned(r.workload + "/" + r.a + r.row.substr(r.workload.size()));
      jr.push_back(std::move(x));
    }
    j["rows"] = std::move(jr);
    out << j.dump(1) << "\n";
    return 0;
  }
  const bool md = o.format == "markdown";
  if (md) {
    for (const auto& w : warnings) out << "> **warning:** " << w << "\n\n";
  }
  if (md)
    out << "| cell | A vs B | metric | A median | B median | A/B, paired median [95 % CI] | "
           "rounds A won | P(A run better) | verdict |\n|---|---|---|---:|---:|---:|---:|---:|---|\n";
  else {
    out << "asyncbench compare --pair: ";
    for (std::size_t i = 0; i < files.size(); ++i) out << (i ? ", " : "") << files[i].path.string();
    out << (files.size() > 1 ? " (pooled; runs are paired within a file by round)" : "") << "\n";
    for (const auto& w : warnings) out << "warning: " << w << "\n";
    out << "\n";
    char h[512];
    std::snprintf(h, sizeof h, "%-40s %-22s %-24s %12s %12s %28s %10s %8s  %s\n", "cell",
                  "A vs B", "metric", "A median", "B median", "A/B [95% CI]", "A won", "P(A)",
                  "verdict");
    out << h;
  }
  for (const PairRow& r : result) {
    const double mid = std::isfinite(r.paired_median) ? r.paired_median : r.ratio;
    const std::string ci = std::isfinite(r.ci.lo)
                               ? ratio_text(mid) + " [" + ratio_text(r.ci.lo) + "-" +
                                     ratio_text(r.ci.hi) + "]" + (r.ci_from == "runs" ? " (unpaired)" : "")
                               : ratio_text(r.ratio);
    const std::string won = r.paired ? std::to_string(r.a_won) + " of " + std::to_string(r.paired) : "-";
    char p[16];
    std::snprintf(p, sizeof p, "%.2f", r.p_a_better);
    const std::string vs = r.a + " vs " + r.b;
    const std::string metric = r.metric + (r.decl.direction == "higher" ? " ↑" : " ↓");
    const std::string verdict = r.verdict == "A better" ? r.a + " better"
                                : r.verdict == "A worse" ? r.a + " worse" : r.verdict;
    if (md) {
      out << "| " << r.row << " | " << vs << " | " << metric << " | " << fmt(r.sa.median) << " | "
          << fmt(r.sb.median) << " | " << ci << " | " << won << " | " << p << " | " << verdict
          << " |\n";
    } else {
      char l[768];
      std::snprintf(l, sizeof l, "%-40s %-22s %-24s %12s %12s %28s %10s %8s  %s\n", r.row.c_str(),
                    vs.c_str(), metric.c_str(), fmt(r.sa.median).c_str(), fmt(r.sb.median).c_str(),
                    ci.c_str(), won.c_str(), p, verdict.c_str());
      out << l;
    }
  }
  return 0;
}

}  // namespace

int compare_files(const CompareOptions& o, std::ostream& out) {
  if (!std::isfinite(o.threshold_pct) || o.threshold_pct < 0 || o.threshold_pct > 1000)
    throw std::invalid_argument("--threshold must be a number from 0 to 1000");
  if (!std::isfinite(o.deterministic_threshold_pct) || o.deterministic_threshold_pct < 0 ||
      o.deterministic_threshold_pct > 1000)
    throw std::invalid_argument("--deterministic-threshold must be a number from 0 to 1000");
  if (o.format != "text" && o.format != "markdown" && o.format != "json")
    throw std::invalid_argument("--format must be text, markdown or json");
  if (o.pairs.empty() && o.files.size() != 2)
    throw std::invalid_argument("compare wants two files, BASE and NEW (or --pair A:B and one or "
                                "more files)");
  if (!o.pairs.empty() && o.strict)
    throw std::invalid_argument("--strict is for two files; --pair gives verdicts, no exit status");
  if (o.pairs.empty() && !o.metrics.empty())
    throw std::invalid_argument("--metric chooses the metrics of --pair; two files are compared "
                                "on every declared metric");
  if (o.files.empty()) throw std::invalid_argument("compare wants at least one file");
  const Suite suite = load_suite(o.root);
  for (const auto& [x, y] : o.pairs) {
    suite.registry.at(x);
    suite.registry.at(y);
    if (x == y) throw std::invalid_argument("--pair " + x + ":" + y + " compares a model with itself");
  }
  const JsonSchema schema = JsonSchema::load(o.root / "results" / "schema.json");
  std::vector<File> files;
  for (const fs::path& p : o.files) files.push_back(read_checked(p, suite, schema));
  if (!o.pairs.empty()) return compare_pairs(o, files, out);
  return compare_two(o, files[0], files[1], out);
}

}  // namespace asyncbench
