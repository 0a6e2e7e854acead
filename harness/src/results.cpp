#include "results.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "stats.hpp"

namespace asyncbench {

namespace fs = std::filesystem;

Json new_results(const std::string& profile, const Json& machine, const Json& run_info) {
  Json doc;
  doc["schema_version"] = schema_version;
  doc["suite"] = "asyncbench";
  doc["created"] = run_info.value("started", "");
  doc["profile"] = profile;
  doc["machine"] = machine;
  doc["run"] = run_info;
  doc["results"] = Json::array();
  return doc;
}

namespace {

// The id of the cell around byte `at` of a results file's text (for a parse error's message).
std::string cell_around(const std::string& text, std::size_t at) {
  const std::string key = "\"id\":";
  std::size_t k = text.rfind(key, std::min(at, text.size()));
  if (k == std::string::npos) return {};
  const std::size_t q1 = text.find('"', k + key.size());
  const std::size_t q2 = q1 == std::string::npos ? q1 : text.find('"', q1 + 1);
  if (q2 == std::string::npos || q2 - q1 > 300) return {};
  return text.substr(q1 + 1, q2 - q1 - 1);
}

}  // namespace

Json load_results(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot read it");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    const std::string cell = cell_around(text, e.byte);
    std::string what = e.what();
    const std::size_t from = e.byte > 12 ? e.byte - 12 : 0;
    const std::string near = text.substr(std::min(from, text.size()), 24);
    if (near.find("NaN") != std::string::npos || near.find("Infinity") != std::string::npos)
      what += " (NaN and Infinity are not JSON numbers)";
    throw std::runtime_error(path.string() + ": invalid JSON" +
                             (cell.empty() ? "" : " in cell " + cell) + " (" + what + ")");
  }
  if (!doc.is_object() || doc.value("suite", "") != "asyncbench" || !doc.contains("results"))
    throw std::runtime_error(path.string() + ": not an asyncbench results file");
  const Json& v = doc["schema_version"];
  if (!v.is_number_integer() || (v.get<int>() != 1 && v.get<int>() != schema_version))
    throw std::runtime_error(path.string() + ": schema_version " + v.dump() +
                             "; this asyncbench reads schema_version 1 and " +
                             std::to_string(schema_version));
  return doc;
}

void declare(Json& doc, const std::vector<Cell>& cells) {
  // Both keys first: doc is an ordered_json, whose members live in a vector that a new key may
  // move.
  if (!doc["models"].is_object()) doc["models"] = Json::object();
  if (!doc["workloads"].is_object()) doc["workloads"] = Json::object();
  Json& models = doc["models"];
  Json& workloads = doc["workloads"];
  for (const Cell& c : cells) {
    if (!models.contains(c.model)) models[c.model] = c.model_info->entry;
    if (!workloads.contains(c.workload->id)) workloads[c.workload->id] = c.workload->declaration();
  }
}

void upgrade(Json& doc, const Suite& suite) {
  if (doc.value("schema_version", 0) != 1) return;
  Json models = Json::object(), workloads = Json::object();
  std::vector<std::string> missing;
  for (const Json& c : doc["results"]) {
    if (!c.is_object()) continue;
    const std::string m = c.value("model", ""), w = c.value("workload", "");
    if (const Model* mi = suite.registry.find(m); mi && !models.contains(m)) models[m] = mi->entry;
    if (const Workload* wi = suite.find(w); wi && !workloads.contains(w))
      workloads[w] = wi->declaration();
  }
  doc["models"] = models;
  doc["workloads"] = workloads;
  doc["declarations_from"] =
      "schema_version 1 has no declarations: these are the current tree's (workloads/models.json "
      "and the workloads' manifests)";
  doc["schema_version"] = schema_version;
}

void save_atomic(const Json& doc, const fs::path& path) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  const std::string text = doc.dump(1) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "open " + tmp.string());
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::system_error(err, std::system_category(), "write " + tmp.string());
    }
    off += std::size_t(n);
  }
  if (::fsync(fd) < 0 || ::close(fd) < 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::system_category(), "fsync " + tmp.string());
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::system_category(), "rename to " + path.string());
  }
  // Make the rename itself durable.
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

Json& cell_entry(Json& doc, const Cell& cell, int repeats_planned) {
  for (auto& c : doc["results"])
    if (c.value("id", "") == cell.id) {
      c["repeats_planned"] = repeats_planned;
      return c;
    }
  Json c;
  c["id"] = cell.id;
  c["workload"] = cell.workload->id;
  c["model"] = cell.model;
  c["params"] = cell.params;
  c["status"] = "pending";
  c["repeats"] = 0;
  c["repeats_planned"] = repeats_planned;
  for (const char* k : {"elapsed_s", "wall_s", "cpu_s", "max_rss_kb", "ctx_switches", "steal_s",
                        "others_cpu_s", "load_before", "load_after", "round"})
    c[k] = Json::array();
  c["disturbed_runs"] = 0;
  c["metrics"] = Json::object();
  c["info"] = Json::object();
  c["summary"] = Json::object();
  doc["results"].push_back(std::move(c));
  return doc["results"].back();
}

namespace {

Json summary_of(const Json& arr) {
  std::vector<double> v;
  for (const auto& x : arr)
    if (x.is_number()) v.push_back(x.get<double>());
  if (v.empty()) return Json();
  const stats::Summary s = stats::summarize(v);
  return Json{{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

}  // namespace

void record_run(Json& c, const RunRecord& r) {
  // A round per run, or none: a cell that has runs from before rounds were recorded gets none.
  if (r.round >= 0 && c.value("round", Json::array()).size() == std::size_t(runs_done(c)))
    c["round"].push_back(r.round);
  else
    c.erase("round");
  c["elapsed_s"].push_back(r.elapsed_s);
  c["wall_s"].push_back(r.wall_s);
  c["cpu_s"].push_back(r.cpu_s);
  c["max_rss_kb"].push_back(r.max_rss_kb);
  c["ctx_switches"].push_back(r.ctx_switches);
  c["steal_s"].push_back(r.steal_s);
  c["others_cpu_s"].push_back(r.others_cpu_s);
  c["load_before"].push_back(r.load_before);
  c["load_after"].push_back(r.load_after);
  if (r.disturbed) c["disturbed_runs"] = c.value("disturbed_runs", 0) + 1;
  // The program's own view of its parameters (it may add some, such as pool sizes).
  for (auto& [k, v] : r.params.items()) c["params"][k] = v;
  // A histogram per run (the echo workload's latencies), kept whole so runs can be merged.
  for (auto& [k, v] : r.histograms.items()) c["histograms"][k].push_back(v);
  for (auto& [k, v] : r.metrics.items()) {
    if (v.is_number()) {
      c["metrics"][k].push_back(v);
    } else if (!c["info"].contains(k)) {
      c["info"][k] = v;  // descriptive (an order of events): the first run's, runs are checked
    }
  }
  summarize_cell(c);
}

void summarize_cell(Json& c) {
  c["repeats"] = static_cast<int>(c["elapsed_s"].size());
  Json& s = c["summary"];
  for (const char* k : {"elapsed_s", "wall_s", "cpu_s", "max_rss_kb", "steal_s"})
    s[k] = summary_of(c[k]);
  for (auto& [k, v] : c["metrics"].items()) s["metrics"][k] = summary_of(v);
  c["disturbed"] = c.value("disturbed_runs", 0) > 0;
}

void set_status(Json& c, const std::string& status, const std::string& error) {
  c["status"] = status;
  if (error.empty())
    c.erase("error");
  else
    c["error"] = error;
}

int runs_done(const Json& c) {
  return static_cast<int>(c.value("elapsed_s", Json::array()).size());
}

int first_round(const Json& doc) {
  int next = 0;
  for (const auto& c : doc.value("results", Json::array())) {
    next = std::max(next, runs_done(c));
    for (const auto& r : c.value("round", Json::array()))
      if (r.is_number_integer()) next = std::max(next, r.get<int>() + 1);
  }
  return next;
}

bool is_disturbed(double steal_s, double others_cpu_s, double wall_s, int cores, double tick_s) {
  if (wall_s <= 0) return false;
  const double resolution = tick_s * double(std::max(cores, 1));
  return steal_s - resolution > 0.05 * wall_s * cores || others_cpu_s - resolution > 0.10 * wall_s;
}

}  // namespace asyncbench
