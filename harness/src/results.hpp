// The results file (schema_version 2, SPEC §6; results/schema.json): what a run measured, cell by
// cell and run by run, with the machine it ran on, and what its figures mean: the registry's
// entries of its models ("models") and each workload's declarations ("workloads": unit,
// direction and role of every metric, the primary one, the server). A reader never guesses.
// Files of schema_version 1 (the committed references) have no declarations: upgrade() gives
// them the current tree's.
//
// Written atomically (a temporary file, fsync, rename) after every run, so a crash, a hang or a
// Ctrl-C leaves every run already measured in a valid file, which `asyncbench run --resume` can
// complete later.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "manifest.hpp"

namespace asyncbench {

inline constexpr int schema_version = 2;

// One counted run of a cell.
struct RunRecord {
  double elapsed_s = 0;
  double wall_s = 0;
  double cpu_s = 0;
  long max_rss_kb = 0;
  long ctx_switches = 0;
  double steal_s = 0;             // machine-wide CPU steal during the run
  double others_cpu_s = 0;        // CPU the rest of the machine used during the run
  double load_before = 0;         // 1-minute load average (/proc/loadavg) before the run
  double load_after = 0;          // and after it
  bool disturbed = false;         // steal or other load above the thresholds (see results.cpp)
  int round = -1;                 // the pass over the cells it was made in (see first_round)
  Json metrics = Json::object();  // the program's metrics (numbers become per-run arrays)
  Json params = Json::object();   // the parameters the program reports using
  Json histograms = Json::object();  // the program's histograms by name (one per run is kept)
};

Json new_results(const std::string& profile, const Json& machine, const Json& run_info);

// Reads a results file of schema_version 1 or 2. Throws std::runtime_error naming the file:
// unreadable, invalid JSON (with where, and the cell it is in), not an asyncbench results file,
// or another schema_version.
Json load_results(const std::filesystem::path& path);

// Copies into `doc` the registry entries of the cells' models and the declarations of their
// workloads (a resumed run: adds what is new, keeps what is there).
void declare(Json& doc, const std::vector<Cell>& cells);

// A version-1 document made readable as version 2: the declarations of its models and
// workloads from `suite` (the current tree), marked as such in doc["declarations_from"]. A
// workload the tree no longer has gets none: its metrics are then undeclared, and not compared.
void upgrade(Json& doc, const Suite& suite);

// Writes `doc` to `path` atomically. Throws std::system_error.
void save_atomic(const Json& doc, const std::filesystem::path& path);

// The cell of `doc` with this id, added (status pending, no runs) if it is not there yet.
Json& cell_entry(Json& doc, const Cell& cell, int repeats_planned);

// Appends a counted run to a cell and recomputes its summary.
void record_run(Json& cell, const RunRecord& run);

// A cell's repeats, summary (median, min, max of each run array and metric) and disturbed flag,
// recomputed from its run arrays (record_run does it after each run, merge after joining).
void summarize_cell(Json& cell);

// Sets a cell's final status ("ok", "failed", "timeout", "unsupported") and error.
void set_status(Json& cell, const std::string& status, const std::string& error = {});

// How many counted runs a cell has.
int runs_done(const Json& cell);

// The number of the next pass over a file's cells: past every round its cells record, and past
// every cell's run count (a file written before rounds were recorded). A run numbers its rounds
// from here, so those of a resumed run continue the count, and runs of two cells with the same
// round were measured in the same pass.
int first_round(const Json& doc);

// A run counts as disturbed when the CPU steal exceeded 5 % of the machine's capacity over the
// run, or other processes used more than 10 % of one core, by more than the counters can be off:
// /proc/stat counts whole ticks (`tick_s`, 10 ms) per CPU, so a difference of two reads can be a
// tick per CPU too high without anything having happened. A 50 ms run on an idle 2-core machine
// therefore needs more than 25 ms of others' CPU (5 ms + 2 ticks), not a single stray tick.
bool is_disturbed(double steal_s, double others_cpu_s, double wall_s, int cores, double tick_s);

}  // namespace asyncbench
