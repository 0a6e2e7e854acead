// The facts every results file carries about the machine and the build (SPEC §6, §8), and the
// machine-wide CPU counters the harness samples around each run to see noise (CPU steal on a
// shared virtual machine, other processes' load).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "proc.hpp"

namespace asyncbench {

using Json = nlohmann::ordered_json;

// cpu_model, cores, smt, governor, kernel, io_uring (features, or why not), compiler,
// build_type, git_commit (+dirty), memory, and the versions of libuv, Boost, liburing, Python,
// uvloop and aiohttp. `python` is the interpreter the Python models run with.
Json machine_facts(const std::filesystem::path& source_root, const std::string& python);
// The few that name a run without probing anything slow (no ring, no Python): cpu_model, cores,
// kernel, git_commit. What a trace file carries.
Json machine_summary(const std::filesystem::path& source_root);

// True for an optimised build (the harness and the workloads are built together).
bool release_build();

}  // namespace asyncbench
