// The workloads as the harness sees them: workloads/<family>/<workload>/workload.json, read
// against the registry (workloads/models.json), and the cells (workload × model × parameters) a
// profile makes of them. See workloads/README.md.
//
// A workload has a model when the model's source file (registry: `source`) is in the workload's
// directory; its manifest names only the models it cannot run, with the reason. It declares every
// metric its programs report (unit, direction, role, and which one is primary), the server it
// needs, and the cells of each profile.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry.hpp"

namespace asyncbench {

struct ProfileCell {
  Json params;                      // name -> value, passed as --name value
  // null: every model of the workload; otherwise the models whose registry fields match
  // ({"kind": "concurrent"}: Model::matches), never a list of ids.
  Json select;
};

struct Profile {
  double timeout_s = 60;
  bool warmup = true;  // false: no warm-up run (the program warms up itself, as the load client)
  bool counted = false;  // its cells are counted (the workload's CountSpec), not timed
  std::vector<ProfileCell> cells;
};

// The server a workload needs, started by the harness around each run.
struct ServerNeed {
  std::string role;          // a server of the registry ("echo", "http"); empty: none
  std::string model;         // the model it runs as; "cell": the cell's own model; empty:
                             // a server that runs as no model (postgres)
  bool pass_pid = false;     // the program is given --server-pid (to measure the server's CPU)
};

// How a workload is counted in a counted profile (workload.json "count"): instructions under
// callgrind, system calls under `perf trace`, context switches from wait4, per unit of work.
// Start-up and tear-down cancel out: either two runs of different sizes and their difference
// divided by the difference of their units, or (a C++ program, `phase`) only the measured phase,
// which the programs mark for callgrind (wl::Stopwatch to Workload::elapsed).
struct CountSpec {
  std::string target;        // "server" (the server the workload declares) or "program"
  bool phase = false;        // count only the program's measured phase (where its model's
                             // programs mark it; otherwise the whole process, if two sizes)
  std::string size_param;    // the parameter given each of `sizes` (empty: one run)
  std::vector<Json> sizes;   // two values, the smaller first
  std::string unit_metric;   // the program's metric counting its units of work (empty: the size)
  std::string unit;          // what one unit is: "request", "task", "scenario"
  std::string instructions;  // the metric names it records (declared deterministic; empty: none)
  std::string syscalls;
  std::string ctx_switches;
};

struct Workload {
  std::string id;
  std::string family;
  std::string title;
  std::filesystem::path dir;
  ServerNeed server;
  // The cell's program: empty, the model's own (its source in this directory); otherwise this
  // command for every model ("{bin}" is build/bin, "{workload}" the workload id).
  std::vector<std::string> program;
  std::vector<std::string> models;                 // models with a program, in registry order
  // model -> why not: the models of the registry without a program here that one of the
  // manifest's "unsupported" rules ({"select": {...}, "why": "..."}) matches, the first rule's why.
  std::map<std::string, std::string> unsupported;
  std::map<std::string, Profile> profiles;
  // Every metric a run of it records: the registry's run_metrics, then the manifest's own
  // declarations (which may redeclare a run metric).
  std::map<std::string, MetricDecl> metrics;
  std::string primary;  // the name of the primary metric
  CountSpec count;       // how its counted profile counts (count.target empty: it has none)

  // The declarations as the results file keeps them (with the workload's title and server).
  Json declaration() const;
};

// Reads every manifest under <root>/workloads against the registry. Throws std::runtime_error
// naming the file and the problem when a manifest is malformed.
std::vector<Workload> load_workloads(const std::filesystem::path& root, const Registry& registry);

// The registry and the workloads of a source tree.
struct Suite {
  std::filesystem::path root;
  Registry registry;
  std::vector<Workload> workloads;
  const Workload* find(const std::string& id) const;
};
Suite load_suite(const std::filesystem::path& root);

// One measurement to make: a workload, a model, its parameters.
struct Cell {
  std::string id;  // <workload>/<model>/<param>:<value>/...
  const Workload* workload = nullptr;
  const Model* model_info = nullptr;
  std::string model;
  Json params;
  double timeout_s = 60;
  bool warmup = true;
  bool counted = false;     // a counted profile's cell: run_counted, not run_cell
  std::string unsupported;  // non-empty: the manifest says this model cannot run it
};

// Keeps the cells whose parameters match every filter "name=value[,value...]" (values as the
// cell ids write them: 64, 0.3, inline); a cell without that parameter is not constrained by it
// (`-w echo,count --where connections=16`: echo at 16 connections, and count). Throws
// std::invalid_argument for a malformed filter, a name that no cell has, or filters that leave
// no cell.
std::vector<Cell> filter_cells(std::vector<Cell> cells, const std::vector<std::string>& where);

// The cells of `profile` for the chosen workloads and models (empty lists: all), in a stable
// order (workloads by family and id, models in registry order). Throws std::invalid_argument for
// an unknown workload, model or profile.
std::vector<Cell> plan(const Suite& suite, const std::string& profile,
                       const std::vector<std::string>& only_workloads,
                       const std::vector<std::string>& only_models);

std::string cell_id(const std::string& workload, const std::string& model, const Json& params);

// A parameter's value as cell ids write it (64, 0.3, inline).
std::string value_text(const Json& v);

// The command that runs `cell` once: the program, --model, the parameters.
std::vector<std::string> command_for(const Cell& cell, const std::filesystem::path& bin_dir,
                                     const std::string& python);

// The program of `model` in the workload directory `dir` (C++: bin_dir/wl-<workload>-<stem>;
// Python: the interpreter and the script), without arguments.
std::vector<std::string> model_program(const Model& model, const std::string& workload,
                                       const std::filesystem::path& dir,
                                       const std::filesystem::path& bin_dir,
                                       const std::string& python);

}  // namespace asyncbench
