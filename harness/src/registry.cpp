#include "registry.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

const std::set<std::string> kDirections = {"lower", "higher", "info"};
const std::set<std::string> kRoles = {"measured",      "ideal",       "count",
                                      "deterministic", "description", "condition"};
const std::set<std::string> kKinds = {"sequential", "concurrent", "limit"};
const std::set<std::string> kLanguages = {"c++", "python"};
const std::set<std::string> kConcurrency = {"none", "threads", "thread-pool", "processes",
                                            "event-loop"};
const std::set<std::string> kTasks = {"none",    "thread",    "pool job",
                                      "process", "coroutine", "callback"};
// The facts a manifest's selector may match, once: their names and where a Model keeps them.
const std::pair<const char*, std::string Model::*> kSelectable[] = {
    {"language", &Model::language},       {"kind", &Model::kind},
    {"concurrency", &Model::concurrency}, {"task", &Model::task},
    {"backend", &Model::backend},         {"loop", &Model::loop}};

const std::string Model::*selectable(const std::string& name) {
  for (const auto& [n, member] : kSelectable)
    if (name == n) return member;
  return nullptr;
}

std::string str(const Json& j, const char* key, const std::string& what, bool required = true) {
  if (!j.contains(key)) {
    if (required) throw std::invalid_argument(what + ": no \"" + key + "\"");
    return {};
  }
  if (!j[key].is_string()) throw std::invalid_argument(what + ": \"" + key + "\" is not a string");
  return j[key].get<std::string>();
}

}  // namespace

std::string Model::field(const std::string& name) const {
  const auto member = selectable(name);
  return member ? this->*member : std::string();
}

bool Model::matches(const Json& select) const {
  for (const auto& [name, want] : select.items()) {
    const std::string have = field(name);
    if (want.is_string() ? have != want.get<std::string>()
                         : std::find(want.begin(), want.end(), have) == want.end())
      return false;
  }
  return true;
}

void Registry::check_selector(const Json& select) const {
  if (!select.is_object() || select.empty())
    throw std::invalid_argument(
        "a selector is an object of model fields, such as {\"kind\": "
        "\"concurrent\"}, not " +
        select.dump());
  for (const auto& [name, want] : select.items()) {
    if (!selectable(name)) {
      std::string names;
      for (const auto& [n, member] : kSelectable)
        names += (names.empty() ? "" : ", ") + std::string(n);
      throw std::invalid_argument("models are selected by " + names + ", not by '" + name + "'");
    }
    const bool list = want.is_array() && !want.empty();
    if (!want.is_string() && !list)
      throw std::invalid_argument("select " + name + ": a value or a non-empty list of values");
    for (const Json& v : list ? want : Json::array({want})) {
      if (!v.is_string())
        throw std::invalid_argument("select " + name + ": " + v.dump() + " is not a string");
      const bool some = std::any_of(m_models.begin(), m_models.end(), [&](const Model& m) {
        return m.field(name) == v.get<std::string>();
      });
      if (!some)
        throw std::invalid_argument("select " + name + ": no model has " + name + " '" +
                                    v.get<std::string>() + "' (workloads/models.json)");
    }
  }
}

std::string Model::stem() const {
  const auto dot = source.rfind('.');
  return dot == std::string::npos ? source : source.substr(0, dot);
}

Json MetricDecl::to_json() const {
  Json j{{"unit", unit}, {"direction", direction}, {"role", role}};
  if (primary) j["primary"] = true;
  if (!title.empty()) j["title"] = title;
  if (!ideal_for.empty()) j["ideal_for"] = ideal_for;
  return j;
}

MetricDecl MetricDecl::from_json(const Json& j, const std::string& what) {
  if (!j.is_object()) throw std::invalid_argument(what + ": a metric declaration is an object");
  MetricDecl d;
  d.unit = str(j, "unit", what);
  d.direction = str(j, "direction", what);
  d.role = str(j, "role", what);
  d.title = str(j, "title", what, false);
  d.ideal_for = str(j, "ideal_for", what, false);
  if (!d.ideal_for.empty() && d.role != "ideal")
    throw std::invalid_argument(what + ": ideal_for belongs to a metric of role ideal");
  if (j.contains("primary")) {
    if (!j["primary"].is_boolean())
      throw std::invalid_argument(what + ": primary is not a boolean");
    d.primary = j["primary"].get<bool>();
  }
  if (!kDirections.count(d.direction))
    throw std::invalid_argument(what + ": direction '" + d.direction +
                                "' is not lower, higher or info");
  if (!kRoles.count(d.role))
    throw std::invalid_argument(what + ": role '" + d.role +
                                "' is not measured, ideal, count, deterministic, description or "
                                "condition");
  if ((d.role == "ideal" || d.role == "description" || d.role == "condition") &&
      d.direction != "info")
    throw std::invalid_argument(what + ": a metric of role " + d.role +
                                " is never compared: its direction must be info");
  if (d.primary && !d.compared())
    throw std::invalid_argument(what + ": the primary metric must be compared (lower or higher)");
  for (auto& [k, v] : j.items())
    if (k != "unit" && k != "direction" && k != "role" && k != "primary" && k != "title" &&
        k != "ideal_for")
      throw std::invalid_argument(what + ": unknown field '" + k + "'");
  return d;
}

Registry Registry::load(const fs::path& root) {
  const fs::path file = root / "workloads" / "models.json";
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read it");
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw std::runtime_error(file.string() + ": invalid JSON: " + e.what());
  }
  try {
    return from_json(j, file.string());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
}

Registry Registry::from_json(const Json& j, const std::string& where) {
  Registry r;
  r.m_json = j;
  if (!j.is_object() || !j.contains("models") || !j["models"].is_array())
    throw std::invalid_argument(where + ": no \"models\" list");
  std::set<std::string> seen;
  for (const Json& e : j["models"]) {
    if (!e.is_object()) throw std::invalid_argument(where + ": a model entry is not an object");
    Model m;
    m.id = str(e, "id", where + ": a model");
    const std::string what = where + ": model '" + m.id + "'";
    if (!seen.insert(m.id).second) throw std::invalid_argument(what + " is declared twice");
    m.label = str(e, "label", what);
    m.description = str(e, "description", what, false);
    m.language = str(e, "language", what);
    m.kind = str(e, "kind", what);
    m.concurrency = str(e, "concurrency", what);
    m.task = str(e, "task", what);
    m.source = str(e, "source", what);
    m.backend = str(e, "backend", what, false);
    m.loop = str(e, "loop", what, false);
    if (!kLanguages.count(m.language))
      throw std::invalid_argument(what + ": language '" + m.language + "' is not c++ or python");
    if (!kKinds.count(m.kind))
      throw std::invalid_argument(what + ": kind '" + m.kind +
                                  "' is not sequential, concurrent or limit");
    if (!kConcurrency.count(m.concurrency))
      throw std::invalid_argument(what + ": concurrency '" + m.concurrency +
                                  "' is not none, threads, thread-pool, processes or event-loop");
    if (!kTasks.count(m.task))
      throw std::invalid_argument(
          what + ": task '" + m.task +
          "' is not none, thread, pool job, process, coroutine or callback");
    if (m.source.empty() || m.source.find('/') != std::string::npos)
      throw std::invalid_argument(what + ": source must be a file name");
    if (!m.backend.empty() && m.backend != "epoll" && m.backend != "io_uring")
      throw std::invalid_argument(what + ": backend '" + m.backend + "' is not epoll or io_uring");
    if (e.contains("timer_resolution_s")) {
      if (!e["timer_resolution_s"].is_number() || e["timer_resolution_s"].get<double>() < 0)
        throw std::invalid_argument(what + ": timer_resolution_s is not a number >= 0");
      m.timer_resolution_s = e["timer_resolution_s"].get<double>();
    }
    m.phase_hooks = e.value("phase_hooks", false);
    if (e.contains("count_runtime")) {
      const Json& c = e["count_runtime"];
      m.runtime_files = c.value("files", std::vector<std::string>{});
      m.runtime_objects = c.value("objects", std::vector<std::string>{});
    }
    m.entry = e;
    r.m_models.push_back(std::move(m));
  }
  if (r.m_models.empty()) throw std::invalid_argument(where + ": the registry has no model");
  if (j.contains("servers")) {
    for (auto& [id, e] : j["servers"].items()) {
      ServerRole s;
      s.id = id;
      const std::string what = where + ": server '" + id + "'";
      s.description = str(e, "description", what, false);
      s.workload = str(e, "workload", what, false);
      s.program = str(e, "program", what, false);
      s.source = str(e, "source", what, false);
      s.default_model = str(e, "default_model", what, false);
      if (e.contains("args"))
        for (const Json& a : e["args"]) s.args.push_back(a.get<std::string>());
      if (s.workload.empty() == s.program.empty())
        throw std::invalid_argument(what + ": give either a workload or a program");
      // A fixed program with no source is no model's: it runs as itself (postgres), so its
      // arguments cannot name a model's backend, and it has no default model.
      if (!s.program.empty() && s.source.empty()) {
        for (const std::string& a : s.args)
          if (a.find("{backend}") != std::string::npos)
            throw std::invalid_argument(what + ": \"{backend}\" in its args needs a source whose models give it");
        if (!s.default_model.empty())
          throw std::invalid_argument(what + ": a program with no source runs as no model, so it has no default_model");
      }
      s.entry = e;
      r.m_servers[id] = std::move(s);
    }
  }
  if (j.contains("profiles"))
    for (auto& [id, e] : j["profiles"].items()) {
      if (id == "about") continue;
      const std::string what = where + ": profile '" + id + "'";
      ProfileDecl p;
      p.id = id;
      p.description = str(e, "description", what, false);
      if (!e.contains("repeats") || !e["repeats"].is_number_integer() ||
          e["repeats"].get<int>() < 1)
        throw std::invalid_argument(what + ": repeats is not a whole number >= 1");
      p.repeats = e["repeats"].get<int>();
      if (!e.contains("warmup") || !e["warmup"].is_boolean())
        throw std::invalid_argument(what + ": warmup is not true or false");
      p.warmup = e["warmup"].get<bool>();
      r.m_profiles[id] = std::move(p);
    }
  if (j.contains("run_metrics"))
    for (auto& [name, e] : j["run_metrics"].items()) {
      if (name == "about") continue;
      r.m_run_metrics[name] = MetricDecl::from_json(e, where + ": run_metrics." + name);
    }
  if (j.contains("server_metrics"))
    for (auto& [name, e] : j["server_metrics"].items()) {
      if (name == "about") continue;
      r.m_server_metrics[name] = MetricDecl::from_json(e, where + ": server_metrics." + name);
    }
  if (j.contains("count_metrics"))
    for (auto& [kind, suffixes] : j["count_metrics"].items()) {
      if (kind == "about") continue;
      for (auto& [suffix, e] : suffixes.items())
        r.m_count_metrics[kind][suffix] =
            MetricDecl::from_json(e, where + ": count_metrics." + kind + "." + suffix);
    }
  if (j.contains("count_system")) {
    r.m_system_files = j["count_system"].value("files", std::vector<std::string>{});
    r.m_system_objects = j["count_system"].value("objects", std::vector<std::string>{});
  }
  for (const std::string& k : run_arrays())
    if (!r.m_run_metrics.count(k))
      throw std::invalid_argument(where + ": run_metrics does not declare " + k);
  return r;
}

const Model* Registry::find(const std::string& id) const {
  for (const Model& m : m_models)
    if (m.id == id) return &m;
  return nullptr;
}

const Model& Registry::at(const std::string& id) const {
  if (const Model* m = find(id)) return *m;
  throw std::invalid_argument("unknown model '" + id + "' (asyncbench list shows them)");
}

std::vector<std::string> Registry::ids() const {
  std::vector<std::string> v;
  for (const Model& m : m_models) v.push_back(m.id);
  return v;
}

namespace {

// The entry of a declared map, or std::invalid_argument naming the ones there are.
template <class T>
const T& declared(const std::map<std::string, T>& m, const std::string& id, const char* what) {
  const auto it = m.find(id);
  if (it == m.end()) {
    std::string list;
    for (const auto& [k, v] : m) list += (list.empty() ? "" : ", ") + k;
    throw std::invalid_argument(std::string("unknown ") + what + " '" + id + "' (" + list + ")");
  }
  return it->second;
}

}  // namespace

const ServerRole& Registry::server(const std::string& role) const {
  return declared(m_servers, role, "server");
}

const ProfileDecl& Registry::profile(const std::string& id) const {
  return declared(m_profiles, id, "profile");
}

std::vector<std::string> Registry::server_models(const ServerRole& role,
                                                 const fs::path& root) const {
  std::vector<std::string> out;
  if (!role.program.empty()) {
    if (role.source.empty()) return out;  // runs as no model
    for (const Model& m : m_models)
      if (m.source == role.source) out.push_back(m.id);
    return out;
  }
  // The models whose source the role's workload directory holds.
  std::error_code ec;
  for (const auto& family : fs::directory_iterator(root / "workloads", ec)) {
    const fs::path dir = family.path() / role.workload;
    if (!fs::is_directory(dir)) continue;
    for (const Model& m : m_models)
      if (fs::exists(dir / m.source)) out.push_back(m.id);
    break;
  }
  return out;
}

const std::vector<std::string>& run_arrays() {
  static const std::vector<std::string> v = {"elapsed_s",    "wall_s",       "cpu_s",
                                             "max_rss_kb",   "ctx_switches", "steal_s",
                                             "others_cpu_s", "load_before",  "load_after"};
  return v;
}

}  // namespace asyncbench
