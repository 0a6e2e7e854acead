#include "merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "manifest.hpp"
#include "results.hpp"

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The first machine fact that differs between a and b, as "key: 'x' against 'y'"; "" if none.
std::string machine_difference(const Json& a, const Json& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  // The commit first: the most common reason two files may not be merged.
  std::vector<std::string> order(keys.begin(), keys.end());
  std::stable_partition(order.begin(), order.end(),
                        [](const std::string& k) { return k == "git_commit"; });
  for (const std::string& k : order) {
    const Json va = a.contains(k) ? a[k] : Json(), vb = b.contains(k) ? b[k] : Json();
    if (va != vb) return k + ": '" + text_of(vb) + "' against '" + text_of(va) + "'";
  }
  return "";
}

// The run arrays of a cell: one entry per run (the harness's record_run writes them).
const std::vector<std::string>& run_arrays() {
  static const std::vector<std::string> k = {"elapsed_s", "wall_s",       "cpu_s",
                                             "max_rss_kb", "ctx_switches", "steal_s",
                                             "others_cpu_s", "load_before", "load_after"};
  return k;
}

void append(Json& into, const Json& from) {
  if (!into.is_array()) into = Json::array();
  for (const auto& x : from) into.push_back(x);
}

// Adds b's runs to a (same id). round_offset: what b's rounds are moved by.
void join_cell(Json& a, const Json& b, int round_offset, const std::string& b_name) {
  const std::string sa = a.value("status", ""), sb = b.value("status", "");
  if ((sa == "unsupported") != (sb == "unsupported"))
    throw std::runtime_error(b_name + ": cell " + a.value("id", "") + " is " + sb +
                             " there and " + sa + " before it; one machine and commit cannot "
                             "give both");
  if (sa == "unsupported") return;
  const int na = runs_done(a), nb = runs_done(b);
  // Rounds: kept only when every run of both has one.
  const bool rounds = a.contains("round") && b.contains("round") &&
                      int(a["round"].size()) == na && int(b["round"].size()) == nb;
  Json round = Json::array();
  if (rounds) {
    round = a["round"];
    for (const auto& r : b["round"]) round.push_back(r.get<int>() + round_offset);
  }
  for (const std::string& k : run_arrays())
    if (b.contains(k)) append(a[k], b[k]);
  // (Each section copied out first: items() of a temporary would outlive it.)
  const Json metrics = b.value("metrics", Json::object()), hist = b.value("histograms", Json::object()),
             info = b.value("info", Json::object()), params = b.value("params", Json::object());
  for (const auto& [k, v] : metrics.items()) append(a["metrics"][k], v);
  for (const auto& [k, v] : hist.items()) append(a["histograms"][k], v);
  for (const auto& [k, v] : info.items())
    if (!a["info"].contains(k)) a["info"][k] = v;
  for (const auto& [k, v] : params.items())
    if (!a["params"].contains(k)) a["params"][k] = v;
  if (rounds)
    a["round"] = round;
  else
    a.erase("round");
  a["disturbed_runs"] = a.value("disturbed_runs", 0) + b.value("disturbed_runs", 0);
  a["repeats_planned"] = a.value("repeats_planned", na) + b.value("repeats_planned", nb);
  // A failure in any file stays a failure (its error the first one's); else ok if either is.
  const auto bad = [](const std::string& s) { return s == "failed" || s == "timeout"; };
  if (!bad(sa) && bad(sb)) {
    set_status(a, sb, b.value("error", ""));
  } else if (!bad(sa) && (sa == "ok" || sb == "ok")) {
    set_status(a, "ok");
  }
  summarize_cell(a);
}

}  // namespace

Json merge_documents(const std::vector<std::pair<std::string, Json>>& docs) {
  if (docs.size() < 2) throw std::runtime_error("give two or more results files to merge");
  Json out = docs.front().second;
  const std::string& first = docs.front().first;
  Json merged = Json::array();
  const auto source = [](const std::string& name, const Json& d) {
    const Json run = d.value("run", Json::object());
    Json s{{"file", name}, {"created", d.value("created", "")}, {"state", run.value("state", "")}};
    if (run.contains("started")) s["started"] = run["started"];
    if (run.contains("finished")) s["finished"] = run["finished"];
    return s;
  };
  merged.push_back(source(first, out));
  for (std::size_t i = 1; i < docs.size(); ++i) {
    const auto& [name, d] = docs[i];
    if (const std::string diff = machine_difference(out["machine"], d["machine"]); !diff.empty())
      throw std::runtime_error(name + ": another machine or commit than " + first + " (" + diff +
                               "); merge joins runs of one machine at one commit");
    if (d.value("profile", "") != out.value("profile", ""))
      throw std::runtime_error(name + ": the " + d.value("profile", "?") + " profile, " + first +
                               " the " + out.value("profile", "?") + " one");
    for (const char* section : {"models", "workloads"}) {
      const Json declared = d.value(section, Json::object());
      for (const auto& [k, v] : declared.items()) {
        if (!out[section].contains(k))
          out[section][k] = v;
        else if (out[section][k] != v)
          throw std::runtime_error(name + ": " + std::string(section == std::string("models")
                                                                 ? "model "
                                                                 : "workload ") +
                                   k + " is declared differently than in " + first);
      }
    }
    // Later rounds after every earlier one: the first round number this document may take.
    const int offset = first_round(out);
    std::map<std::string, std::size_t> index;
    for (std::size_t j = 0; j < out["results"].size(); ++j)
      index[out["results"][j].value("id", "")] = j;
    for (const Json& c : d["results"]) {
      const auto it = index.find(c.value("id", ""));
      if (it == index.end()) {
        Json copy = c;
        if (copy.contains("round")) {
          Json shifted = Json::array();
          for (const auto& r : copy["round"]) shifted.push_back(r.get<int>() + offset);
          copy["round"] = shifted;
        }
        out["results"].push_back(std::move(copy));
        index[c.value("id", "")] = out["results"].size() - 1;
      } else {
        join_cell(out["results"][it->second], c, offset, name);
      }
    }
    merged.push_back(source(name, d));
  }
  // The merged run is complete only if every part was.
  bool complete = true;
  for (const auto& m : merged) complete = complete && m.value("state", "") == "complete";
  out["run"]["state"] = complete ? "complete" : "interrupted";
  out["run"]["merged"] = merged;
  return out;
}

int merge_files(const MergeOptions& o) {
  const Suite suite = load_suite(o.root);
  const JsonSchema schema = JsonSchema::load(o.root / "results" / "schema.json");
  std::vector<std::pair<std::string, Json>> docs;
  for (const fs::path& p : o.files) docs.emplace_back(p.string(), load_checked(p, suite, schema));
  Json out = merge_documents(docs);
  if (!o.command_line.empty()) {
    std::string cmd;
    for (const auto& a : o.command_line) cmd += (cmd.empty() ? "" : " ") + a;
    out["run"]["merge_command"] = cmd;
  }
  if (const auto problems = check_results(out, schema); !problems.empty())
    throw std::runtime_error("the merged file would not be valid: " + problems.front());
  save_atomic(out, o.out);
  std::size_t runs = 0;
  for (const auto& c : out["results"]) runs += std::size_t(runs_done(c));
  std::fprintf(stderr, "asyncbench merge: %zu files, %zu cells, %zu runs into %s\n",
               o.files.size(), out["results"].size(), runs, o.out.string().c_str());
  return 0;
}

}  // namespace asyncbench
