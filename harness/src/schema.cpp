#include "schema.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

#include "manifest.hpp"
#include "registry.hpp"
#include "results.hpp"

namespace asyncbench {

namespace {

const std::set<std::string> kKnown = {
    "$schema", "$id",   "$ref",   "title",   "description", "type",     "enum",
    "const",   "properties", "required", "additionalProperties", "items", "minItems",
    "maxItems", "minimum", "exclusiveMinimum", "pattern", "allOf", "if", "then", "definitions"};

bool is_type(const Json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  if (t == "integer") return v.is_number_integer() || (v.is_number_float() &&
                                                        std::floor(v.get<double>()) == v.get<double>());
  if (t == "number") return v.is_number();
  return false;
}

std::string short_text(const Json& v) {
  std::string t = v.dump();
  return t.size() > 60 ? t.substr(0, 57) + "..." : t;
}

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace

JsonSchema::JsonSchema(Json schema) : m_schema(std::move(schema)) {
  check_keywords(m_schema, "#");
}

JsonSchema JsonSchema::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the schema");
  try {
    return JsonSchema(Json::parse(in));
  } catch (const Json::parse_error& e) {
    throw std::runtime_error(file.string() + ": invalid JSON: " + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

void JsonSchema::check_keywords(const Json& s, const std::string& where) const {
  if (s.is_boolean()) return;
  if (!s.is_object()) throw std::invalid_argument(where + ": a schema is an object");
  for (auto& [k, v] : s.items()) {
    if (!kKnown.count(k))
      throw std::invalid_argument(where + ": keyword '" + k +
                                  "' is not one the harness's validator knows (schema.hpp)");
    if (k == "properties" || k == "definitions")
      for (auto& [name, sub] : v.items()) check_keywords(sub, where + "/" + k + "/" + name);
    else if (k == "additionalProperties" || k == "if" || k == "then")
      check_keywords(v, where + "/" + k);
    else if (k == "items") {
      if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i)
          check_keywords(v[i], where + "/items/" + std::to_string(i));
      else
        check_keywords(v, where + "/items");
    } else if (k == "allOf")
      for (std::size_t i = 0; i < v.size(); ++i)
        check_keywords(v[i], where + "/allOf/" + std::to_string(i));
  }
}

const Json& JsonSchema::resolve(const Json& s) const {
  const Json* cur = &s;
  for (int depth = 0; cur->is_object() && cur->contains("$ref"); ++depth) {
    if (depth > 32) throw std::runtime_error("schema: $ref loop");
    const std::string ref = (*cur)["$ref"].get<std::string>();
    const std::string prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0) throw std::runtime_error("schema: $ref " + ref + " is not local");
    cur = &m_schema.at("definitions").at(ref.substr(prefix.size()));
  }
  return *cur;
}

void JsonSchema::walk(const Json& schema, const Json& v, const std::string& ptr,
                      std::vector<std::string>& out, std::size_t limit) const {
  if (out.size() >= limit) return;
  const Json& s = resolve(schema);
  if (s.is_boolean()) {
    if (!s.get<bool>()) out.push_back(ptr + ": not allowed here");
    return;
  }
  const std::string at = ptr.empty() ? "(top)" : ptr;
  if (s.contains("type")) {
    const Json& t = s["type"];
    bool ok = false;
    if (t.is_string()) ok = is_type(v, t.get<std::string>());
    else
      for (const Json& x : t) ok = ok || is_type(v, x.get<std::string>());
    if (!ok) {
      out.push_back(at + ": " + short_text(v) + " is not of type " + t.dump());
      return;  // the other keywords would only repeat it
    }
  }
  if (s.contains("const") && v != s["const"])
    out.push_back(at + ": " + short_text(v) + " is not " + s["const"].dump());
  if (s.contains("enum")) {
    bool found = false;
    for (const Json& e : s["enum"]) found = found || e == v;
    if (!found) out.push_back(at + ": " + short_text(v) + " is not one of " + s["enum"].dump());
  }
  if (v.is_number()) {
    const double x = v.get<double>();
    if (s.contains("minimum") && x < s["minimum"].get<double>())
      out.push_back(at + ": " + short_text(v) + " is below the minimum " + s["minimum"].dump());
    if (s.contains("exclusiveMinimum") && x <= s["exclusiveMinimum"].get<double>())
      out.push_back(at + ": " + short_text(v) + " is not above " + s["exclusiveMinimum"].dump());
  }
  if (v.is_string() && s.contains("pattern")) {
    const std::regex re(s["pattern"].get<std::string>(), std::regex::ECMAScript);
    if (!std::regex_search(v.get<std::string>(), re))
      out.push_back(at + ": " + short_text(v) + " does not match " + s["pattern"].dump());
  }
  if (v.is_object()) {
    if (s.contains("required"))
      for (const Json& k : s["required"])
        if (!v.contains(k.get<std::string>()))
          out.push_back(at + ": '" + k.get<std::string>() + "' is a required property");
    const Json* props = s.contains("properties") ? &s["properties"] : nullptr;
    for (auto& [k, sub] : v.items()) {
      const std::string child = ptr + "/" + escape_pointer(k);
      if (props && props->contains(k))
        walk((*props)[k], sub, child, out, limit);
      else if (s.contains("additionalProperties"))
        walk(s["additionalProperties"], sub, child, out, limit);
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
      out.push_back(at + ": has " + std::to_string(v.size()) + " items, fewer than " +
                    s["minItems"].dump());
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<std::size_t>())
      out.push_back(at + ": has " + std::to_string(v.size()) + " items, more than " +
                    s["maxItems"].dump());
    if (s.contains("items")) {
      const Json& items = s["items"];
      for (std::size_t i = 0; i < v.size() && out.size() < limit; ++i) {
        if (items.is_array()) {
          if (i < items.size()) walk(items[i], v[i], ptr + "/" + std::to_string(i), out, limit);
        } else {
          walk(items, v[i], ptr + "/" + std::to_string(i), out, limit);
        }
      }
    }
  }
  if (s.contains("allOf"))
    for (const Json& sub : s["allOf"]) walk(sub, v, ptr, out, limit);
  if (s.contains("if")) {
    std::vector<std::string> probe;
    walk(s["if"], v, ptr, probe, 1);
    if (probe.empty() && s.contains("then")) walk(s["then"], v, ptr, out, limit);
  }
}

std::vector<std::string> JsonSchema::validate(const Json& doc, std::size_t limit) const {
  std::vector<std::string> out;
  walk(m_schema, doc, "", out, limit);
  return out;
}

namespace {

// "/results/12/elapsed_s/1: ..." as "cell <id>: elapsed_s[1]: ...".
std::string name_cell(const Json& doc, const std::string& problem) {
  const std::string prefix = "/results/";
  if (problem.rfind(prefix, 0) != 0) return problem;
  std::size_t i = prefix.size(), j = i;
  while (j < problem.size() && std::isdigit(static_cast<unsigned char>(problem[j]))) ++j;
  if (j == i) return problem;
  const std::size_t index = std::stoul(problem.substr(i, j - i));
  const Json& cells = doc["results"];
  std::string id = "results[" + std::to_string(index) + "]";
  if (index < cells.size() && cells[index].is_object() && cells[index].contains("id") &&
      cells[index]["id"].is_string())
    id = cells[index]["id"].get<std::string>();
  std::string rest = problem.substr(j);
  if (!rest.empty() && rest[0] == '/') rest = rest.substr(1);
  // elapsed_s/1: -> elapsed_s[1]:
  std::string path, tail;
  const auto colon = rest.find(": ");
  path = colon == std::string::npos ? rest : rest.substr(0, colon);
  tail = colon == std::string::npos ? "" : rest.substr(colon);
  std::string pretty;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos
                                                                           : slash - start);
    if (!part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      pretty += "[" + part + "]";
    else if (!part.empty())
      pretty += (pretty.empty() ? "" : ".") + part;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return "cell " + id + (pretty.empty() ? "" : ": " + pretty) + tail;
}

}  // namespace

std::vector<std::string> check_results(const Json& doc, const JsonSchema& schema) {
  std::vector<std::string> out;
  for (const std::string& p : schema.validate(doc)) out.push_back(name_cell(doc, p));
  if (!out.empty()) return out;
  std::set<std::string> ids;
  const Json& models = doc["models"];
  const Json& workloads = doc["workloads"];
  for (const Json& c : doc["results"]) {
    const std::string id = c["id"].get<std::string>();
    const std::string where = "cell " + id + ": ";
    if (!ids.insert(id).second) out.push_back(where + "appears twice (cell ids are unique)");
    if (!models.contains(c["model"].get<std::string>()))
      out.push_back(where + "model '" + c["model"].get<std::string>() +
                    "' is not among the file's models");
    const std::string w = c["workload"].get<std::string>();
    const Json* decl = workloads.contains(w) ? &workloads[w] : nullptr;
    const std::size_t n = c["elapsed_s"].size();
    if (c["repeats"].get<std::size_t>() != n)
      out.push_back(where + "repeats is " + c["repeats"].dump() + " but there are " +
                    std::to_string(n) + " runs");
    for (const std::string& k : run_arrays())
      if (c.contains(k) && c[k].size() != n)
        out.push_back(where + k + " has " + std::to_string(c[k].size()) + " entries for " +
                      std::to_string(n) + " runs");
    for (auto& [m, v] : c["metrics"].items()) {
      if (v.size() != n)
        out.push_back(where + "metric " + m + " has " + std::to_string(v.size()) +
                      " entries for " + std::to_string(n) + " runs");
      if (decl && !(*decl)["metrics"].contains(m))
        out.push_back(where + "metric " + m + " is not declared for workload " + w);
    }
    if (c["status"] == "ok" && n == 0) out.push_back(where + "ok without a run");
    if (out.size() >= 20) break;
  }
  return out;
}

}  // namespace asyncbench

namespace asyncbench {

Json load_checked(const std::filesystem::path& path, const Suite& suite,
                  const JsonSchema& schema) {
  Json doc = load_results(path);
  upgrade(doc, suite);
  const std::vector<std::string> problems = check_results(doc, schema);
  if (!problems.empty()) {
    const std::string more = problems.size() > 1
                                 ? " (and " + std::to_string(problems.size() - 1) +
                                       " more; scripts/validate_results.py lists them)"
                                 : "";
    throw std::runtime_error(path.string() + ": " + problems.front() + more);
  }
  return doc;
}

}  // namespace asyncbench
