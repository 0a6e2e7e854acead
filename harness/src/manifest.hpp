// The workloads as the harness sees them: workloads/<family>/<workload>/workload.json, and the
// cells (workload × model × parameters) a profile makes of them. See workloads/README.md.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asyncbench {

using Json = nlohmann::ordered_json;

// The model ids of SPEC §2, plus py-sync (issue 4), in the order reports list them.
const std::vector<std::string>& all_models();

struct ProfileCell {
  Json params;                      // name -> value, passed as --name value
  std::vector<std::string> models;  // empty: every model of the workload
};

struct Profile {
  double timeout_s = 60;
  bool warmup = true;  // false: no warm-up run (the program warms up itself, as the load client)
  std::vector<ProfileCell> cells;
};

struct Workload {
  std::string id;
  std::string family;
  std::string title;
  std::filesystem::path dir;
  // A network workload's server, started by the harness around each run: "echo" (the model's
  // own echo server; the program is the harness's load client) or "http" (the delay server;
  // the program is the model's client). Empty: none.
  std::string server;
  std::vector<std::string> models;                 // models with a program
  std::map<std::string, std::string> unsupported;  // model -> why not
  std::map<std::string, Profile> profiles;
};

// Reads every manifest under <root>/workloads. Throws std::runtime_error naming the file and
// the problem when a manifest is malformed.
std::vector<Workload> load_workloads(const std::filesystem::path& root);

// One measurement to make: a workload, a model, its parameters.
struct Cell {
  std::string id;  // <workload>/<model>/<param>:<value>/...
  const Workload* workload = nullptr;
  std::string model;
  Json params;
  double timeout_s = 60;
  bool warmup = true;
  std::string unsupported;  // non-empty: the manifest says this model cannot run it
};

// Keeps the cells whose parameters match every filter "name=value[,value...]" (values as the
// cell ids write them: 64, 0.3, inline). Throws std::invalid_argument for a malformed filter, a
// name that no cell has, or filters that leave no cell.
std::vector<Cell> filter_cells(std::vector<Cell> cells, const std::vector<std::string>& where);

// The cells of `profile` for the chosen workloads and models (empty lists: all), in a stable
// order. Throws std::invalid_argument for an unknown workload, model or profile.
std::vector<Cell> plan(const std::vector<Workload>& workloads, const std::string& profile,
                       const std::vector<std::string>& only_workloads,
                       const std::vector<std::string>& only_models);

std::string cell_id(const std::string& workload, const std::string& model, const Json& params);

// The command that runs `cell` once: the program, --model, the parameters.
std::vector<std::string> command_for(const Cell& cell, const std::filesystem::path& bin_dir,
                                     const std::string& python);

}  // namespace asyncbench
