// asyncbench merge: runs of the same cells, made on the same machine at the same commit (two
// sessions of one benchmark, a run resumed elsewhere in time), joined into one results file.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "schema.hpp"

namespace asyncbench {

// Joins the documents (each read, upgraded and checked; name is what messages call it), in
// order, into one: a cell in several gets all their runs, the later files' rounds renumbered
// after the earlier ones' (a round stays one pass over every cell, so pairing by round holds);
// its per-run histograms, disturbed runs and planned repeats add up and its summary is
// recomputed. A cell that failed or timed out in any file stays so, with that file's error.
// Throws std::runtime_error (one line) for documents of different machines (any machine fact,
// the commit included), profiles or declarations, and for a cell that is unsupported in one
// file and not in another.
Json merge_documents(const std::vector<std::pair<std::string, Json>>& docs);

struct MergeOptions {
  std::vector<std::filesystem::path> files;
  std::filesystem::path out;
  std::filesystem::path root;
  std::vector<std::string> command_line;
};

// Reads, merges, checks the result against the schema and writes it atomically. 0, or throws
// std::runtime_error (one line).
int merge_files(const MergeOptions& o);

}  // namespace asyncbench
