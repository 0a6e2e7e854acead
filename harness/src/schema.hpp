// Checking a results file before anything of it is believed: against results/schema.json (the
// one description of the format, which scripts/validate_results.py checks with Python's
// jsonschema too), then for what a schema cannot say: unique cell ids, one entry per run in every
// per-run array, every metric declared, a known model and workload for every cell.
//
// Debian 12 packages no C++ JSON Schema validator, so this holds a small one for the subset of
// draft-07 the schema uses: type, enum, const, properties, required, additionalProperties,
// items (one schema or a tuple), minItems, maxItems, minimum, exclusiveMinimum, pattern, $ref to
// #/definitions, allOf and if/then. A schema that uses any other keyword is refused when it is
// loaded, so the two validators cannot silently disagree about a rule one of them skips.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asyncbench {

using Json = nlohmann::ordered_json;

class JsonSchema {
 public:
  // Reads and checks a schema. Throws std::runtime_error naming the file (and the keyword it
  // does not know).
  static JsonSchema load(const std::filesystem::path& file);
  explicit JsonSchema(Json schema);

  // The document's violations, each "<JSON pointer>: <what>", at most `limit` of them.
  std::vector<std::string> validate(const Json& doc, std::size_t limit = 20) const;

 private:
  void check_keywords(const Json& s, const std::string& where) const;
  void walk(const Json& s, const Json& v, const std::string& ptr,
            std::vector<std::string>& out, std::size_t limit) const;
  const Json& resolve(const Json& s) const;
  Json m_schema;
};

// Every problem of a results document (already parsed, schema_version 2 or upgraded) that makes
// it unfit to compare or draw: the schema's violations, then duplicate ids, arrays that do not
// have one entry per run, undeclared metrics, cells of unknown models or workloads. Each message
// names the cell by its id.
std::vector<std::string> check_results(const Json& doc, const JsonSchema& schema);

struct Suite;
// A results file fit to compare, draw or merge: read, given declarations if it is of version 1,
// and checked by check_results. Throws std::runtime_error: one line naming the file (and the
// cell).
Json load_checked(const std::filesystem::path& path, const Suite& suite,
                  const JsonSchema& schema);

}  // namespace asyncbench
