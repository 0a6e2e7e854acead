// The registry (workloads/models.json): what a model is, which server roles exist, and what the
// harness's own per-run figures mean, declared once as data and read here, by CMake, by the
// workload programs (a generated header), by Python (python/asyncbench/registry.py) and by the
// tests. Nothing in the harness asks a model id or a metric name what it means: it asks this.
//
// A metric declaration (a workload's manifest declares its own; the registry's run_metrics
// declares the harness's elapsed_s, wall_s, cpu_s, ...) says:
//   unit       "s", "µs", "req/s", "KiB", "B", "count", "text", ...
//   direction  lower | higher | info (info: never compared)
//   role       measured | ideal | count | deterministic | description | condition
//   primary    the one metric a workload is judged by (exactly one per workload)
//   ideal_for  an ideal's measured metric (ideal_s is the ideal of elapsed_s)
//   title      one line: what it is
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace asyncbench {

using Json = nlohmann::ordered_json;

struct Model {
  std::string id;
  std::string label;
  std::string description;
  std::string language;  // "c++" | "python"
  std::string kind;      // "sequential" | "concurrent" | "limit"
  // What runs its tasks: "none" | "threads" | "thread-pool" | "processes" | "event-loop".
  std::string concurrency;
  // What one of its tasks is: "none" | "thread" | "pool job" | "process" | "coroutine" | "callback".
  std::string task;
  std::string source;    // the file in a workload's directory: aio.cpp, asyncio.py, ...
  std::string backend;   // aio models: "epoll" | "io_uring"
  std::string loop;      // python event-loop models: "asyncio" | "uvloop"
  double timer_resolution_s = 0;
  bool phase_hooks = false;  // its programs mark their measured phase for callgrind
  // Which counted instructions are its runtime's: source-file path fragments, object fragments.
  std::vector<std::string> runtime_files, runtime_objects;
  Json entry;            // the registry entry as written (copied into results files)

  // A field a manifest may select models by (language, kind, concurrency, task, backend, loop); empty
  // where the model has none (a C++ model's loop).
  std::string field(const std::string& name) const;
  // Whether every field of a selector ({"kind": "concurrent", "language": ["c++"]}: a value or
  // a list of alternatives) is the model's. The selector must have been checked.
  bool matches(const Json& select) const;

  // The source's stem (aio for aio.cpp): C++ programs are build/bin/wl-<workload>-<stem>.
  std::string stem() const;
};

// A run profile (workloads/models.json "profiles"): how a run of it plays each cell. The cells
// themselves are each workload's manifest's.
struct ProfileDecl {
  std::string id;           // quick, full, smoke, counted
  std::string description;
  int repeats = 3;          // measured runs of each cell
  bool warmup = true;       // one unmeasured run of each program first (a manifest may say no)
};

struct ServerRole {
  std::string id;            // "echo", "http"
  std::string description;
  std::string workload;      // runs the cell's model's program of this workload (echo)
  std::string program;       // or a fixed program in build/bin (wl-http-server) ...
  std::string source;        // ... that the models with this source can run as (aio.cpp);
                             // none: the program runs as no model (postgres)
  std::vector<std::string> args;  // its arguments; "{backend}" is the model's backend
  std::string default_model;      // `asyncbench serve <role>` without --model runs as this
  Json entry;
};

struct MetricDecl {
  std::string unit;
  std::string direction = "info";  // lower | higher | info
  std::string role = "measured";   // measured | ideal | count | deterministic | description | condition
  bool primary = false;
  std::string title;
  std::string ideal_for;  // an ideal: the metric it is the ideal of (ideal_s: elapsed_s)

  bool compared() const { return direction != "info" && role != "ideal" && role != "condition"; }
  bool higher_is_better() const { return direction == "higher"; }
  Json to_json() const;
  // Throws std::invalid_argument naming `what` for a malformed declaration.
  static MetricDecl from_json(const Json& j, const std::string& what);
};

class Registry {
 public:
  // Reads <root>/workloads/models.json. Throws std::runtime_error naming the file and the problem.
  static Registry load(const std::filesystem::path& root);
  static Registry from_json(const Json& j, const std::string& where);

  const std::vector<Model>& models() const noexcept { return m_models; }
  const Model* find(const std::string& id) const;
  // The model with this id; throws std::invalid_argument ("unknown model 'x' (asyncbench list
  // shows them)").
  const Model& at(const std::string& id) const;
  std::vector<std::string> ids() const;
  // Checks a manifest's selector: an object of selectable fields, each a string or a non-empty
  // list of strings, each value one that some model has (so that a misspelt value is an error,
  // not an empty choice). Throws std::invalid_argument saying what is wrong.
  void check_selector(const Json& select) const;
  const std::map<std::string, ServerRole>& servers() const noexcept { return m_servers; }
  const ServerRole& server(const std::string& role) const;
  // The profile with this id; throws std::invalid_argument naming the declared ones.
  const ProfileDecl& profile(const std::string& id) const;
  const std::map<std::string, ProfileDecl>& profiles() const noexcept { return m_profiles; }
  // The models that can run a server role: every model whose program the role's workload has
  // (echo), or every model with the role's source (http); none for a program that runs as no
  // model (postgres).
  std::vector<std::string> server_models(const ServerRole& role,
                                         const std::filesystem::path& root) const;
  // The harness's own per-run figures (elapsed_s, wall_s, cpu_s, ...), as declared.
  const std::map<std::string, MetricDecl>& run_metrics() const noexcept { return m_run_metrics; }
  // What the harness records of a workload's server (server_cpu_total_s, pinning).
  const std::map<std::string, MetricDecl>& server_metrics() const noexcept {
    return m_server_metrics;
  }
  // What a counted run records beside a declared count: suffix -> declaration, for
  // "instructions" and "syscalls".
  const std::map<std::string, std::map<std::string, MetricDecl>>& count_metrics() const noexcept {
    return m_count_metrics;
  }
  // Whose instructions are the system's in every model (libc, libstdc++, the loader).
  const std::vector<std::string>& system_files() const noexcept { return m_system_files; }
  const std::vector<std::string>& system_objects() const noexcept { return m_system_objects; }
  const Json& json() const noexcept { return m_json; }

 private:
  std::vector<Model> m_models;
  std::map<std::string, ServerRole> m_servers;
  std::map<std::string, ProfileDecl> m_profiles;
  std::map<std::string, MetricDecl> m_run_metrics;
  std::map<std::string, MetricDecl> m_server_metrics;
  std::map<std::string, std::map<std::string, MetricDecl>> m_count_metrics;
  std::vector<std::string> m_system_files, m_system_objects;
  Json m_json;
};

// The per-run arrays every cell has, in the order results files write them.
const std::vector<std::string>& run_arrays();

}  // namespace asyncbench
