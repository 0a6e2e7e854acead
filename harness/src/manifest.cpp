#include "manifest.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

const std::set<std::string> kManifestKeys = {"id",      "family",  "title",    "unsupported",
                                             "metrics", "server",  "program",  "profiles",
                                             "about",   "count"};

CountSpec parse_count(const Json& j) {
  CountSpec c;
  c.target = j.at("target").get<std::string>();
  c.phase = j.value("phase", false);
  if (j.contains("sizes")) {
    const Json& s = j.at("sizes");
    c.size_param = s.at("param").get<std::string>();
    c.sizes = s.at("values").get<std::vector<Json>>();
  }
  c.unit_metric = j.value("unit_metric", "");
  c.unit = j.at("unit").get<std::string>();
  c.instructions = j.value("instructions", "");
  c.syscalls = j.value("syscalls", "");
  c.ctx_switches = j.value("ctx_switches", "");
  return c;
}

Workload parse_manifest(const fs::path& file, const fs::path& root, const Registry& registry) {
  std::ifstream in(file);
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    bad(file, std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) bad(file, "a manifest is a JSON object");
  if (j.contains("models"))
    bad(file,
        "\"models\" is no longer listed: a workload has the models whose source file is in its "
        "directory (workloads/models.json); name only the unsupported ones");
  for (auto& [k, v] : j.items())
    if (!kManifestKeys.count(k)) bad(file, "unknown field '" + k + "'");
  Workload w;
  struct Rule {
    Json select;
    std::string why;
  };
  std::vector<Rule> rules;
  w.dir = file.parent_path();
  try {
    w.id = j.at("id").get<std::string>();
    w.family = j.at("family").get<std::string>();
    w.title = j.value("title", "");
    if (j.contains("unsupported")) {
      const Json& u = j.at("unsupported");
      if (!u.is_array())
        bad(file, "\"unsupported\" names no model ids: it is a list of rules that choose models by "
                  "their registry fields, [{\"select\": {\"kind\": \"sequential\"}, \"why\": "
                  "\"...\"}]");
      for (const Json& r : u) rules.push_back({r.at("select"), r.at("why").get<std::string>()});
    }
    if (j.contains("server")) {
      const Json& s = j.at("server");
      w.server.role = s.at("role").get<std::string>();
      w.server.model = s.value("model", "");
      w.server.pass_pid = s.value("pass_pid", false);
    }
    if (j.contains("program")) w.program = j.at("program").get<std::vector<std::string>>();
    if (j.contains("count")) w.count = parse_count(j.at("count"));
    for (auto& [name, p] : j.at("profiles").items()) {
      Profile prof;
      prof.timeout_s = p.value("timeout_s", 60.0);
      const auto decl = registry.profiles().find(name);
      if (decl == registry.profiles().end())
        bad(file, "profile '" + name + "' is not declared in workloads/models.json (profiles)");
      prof.warmup = p.value("warmup", decl->second.warmup);
      prof.counted = p.value("counted", false);
      for (const auto& c : p.at("cells")) {
        ProfileCell cell;
        cell.params = c.value("params", Json::object());
        if (c.contains("models"))
          bad(file, "profile " + name + ": a cell names no model ids: it chooses models by their "
                    "registry fields, \"select\": {\"kind\": \"concurrent\"} (workloads/models.json)");
        if (c.contains("select")) cell.select = c.at("select");
        prof.cells.push_back(std::move(cell));
      }
      w.profiles[name] = std::move(prof);
    }
  } catch (const Json::exception& e) {
    bad(file, std::string("malformed manifest: ") + e.what());
  }
  if (w.id != w.dir.filename().string()) bad(file, "id '" + w.id + "' is not its directory's name");

  for (const Model& m : registry.models())
    if (fs::exists(w.dir / m.source)) w.models.push_back(m.id);
  const auto checked = [&](const Json& select, const std::string& where) {
    try {
      registry.check_selector(select);
    } catch (const std::invalid_argument& e) {
      bad(file, where + ": " + e.what());
    }
  };
  for (const Rule& r : rules) {
    const std::string where = "unsupported " + r.select.dump();
    checked(r.select, where);
    if (r.why.empty()) bad(file, where + " gives no reason");
    bool any = false;
    for (const Model& m : registry.models()) {
      if (!m.matches(r.select)) continue;
      any = true;
      if (std::find(w.models.begin(), w.models.end(), m.id) != w.models.end())
        bad(file, where + " matches model '" + m.id + "', but its program " + m.source +
                      " is here");
      w.unsupported.emplace(m.id, r.why);  // the first rule that matches gives the reason
    }
    if (!any) bad(file, where + " matches no model (workloads/models.json)");
  }
  for (const auto& [name, prof] : w.profiles)
    for (const auto& c : prof.cells) {
      if (c.select.is_null()) continue;
      const std::string where = "profile " + name + ": select " + c.select.dump();
      checked(c.select, where);
      const bool any = std::any_of(registry.models().begin(), registry.models().end(),
                                   [&](const Model& m) {
                                     return m.matches(c.select) &&
                                            (std::find(w.models.begin(), w.models.end(), m.id) !=
                                                 w.models.end() ||
                                             w.unsupported.count(m.id));
                                   });
      if (!any) bad(file, where + " chooses no model this workload has");
    }

  if (!w.server.role.empty()) {
    const ServerRole* role = nullptr;
    try {
      role = &registry.server(w.server.role);
    } catch (const std::invalid_argument& e) {
      bad(file, e.what());
    }
    const bool modelless = !role->program.empty() && role->source.empty();
    if (modelless && !w.server.model.empty())
      bad(file, "the " + w.server.role + " server runs as no model: give it no \"model\"");
    if (!modelless && w.server.model.empty())
      bad(file, "the " + w.server.role + " server needs a \"model\" (a model id, or \"cell\")");
    if (!modelless && w.server.model != "cell") {
      const auto can = registry.server_models(*role, root);
      if (std::find(can.begin(), can.end(), w.server.model) == can.end())
        bad(file, "the " + w.server.role + " server cannot run as '" + w.server.model + "'");
    }
  }

  // The metrics: the harness's per-run figures, then the manifest's own declarations.
  w.metrics = registry.run_metrics();
  if (!w.server.role.empty())
    for (const auto& [name, d] : registry.server_metrics()) w.metrics[name] = d;
  if (!j.contains("metrics") || !j["metrics"].is_object())
    bad(file, "no \"metrics\": declare every metric the programs report (unit, direction, role)");
  for (auto& [name, d] : j["metrics"].items()) {
    try {
      w.metrics[name] = MetricDecl::from_json(d, "metric " + name);
    } catch (const std::invalid_argument& e) {
      bad(file, e.what());
    }
  }
  for (const auto& [name, d] : w.metrics)
    if (d.primary) {
      if (!w.primary.empty())
        bad(file, "two primary metrics, " + w.primary + " and " + name + ": declare one");
      w.primary = name;
    }
  if (w.primary.empty()) bad(file, "no primary metric: mark the one the workload is judged by");

  const CountSpec& c = w.count;
  const bool counted_profile =
      std::any_of(w.profiles.begin(), w.profiles.end(), [](const auto& p) { return p.second.counted; });
  if (counted_profile && c.target.empty())
    bad(file, "a counted profile needs a \"count\" declaration (how the workload is counted)");
  if (!c.target.empty()) {
    if (c.target != "server" && c.target != "program")
      bad(file, "count.target '" + c.target + "' is neither server nor program");
    if (c.target == "server" && w.server.role.empty())
      bad(file, "count.target server, but the workload declares no server");
    if (!c.sizes.empty() && (c.sizes.size() != 2 || !c.sizes[0].is_number() ||
                             !c.sizes[1].is_number() || c.sizes[0] >= c.sizes[1]))
      bad(file, "count.sizes.values wants two numbers, the smaller first");
    if (c.sizes.empty() && !c.phase)
      bad(file, "count without two sizes must count the measured phase (\"phase\": true): "
                "nothing else cancels start-up");
    if (c.phase && c.target != "program") bad(file, "count.phase is for the program");
    // Instructions do not depend on timing: deterministic. How many system calls and context
    // switches a request takes does (how many events one epoll_wait or io_uring_enter returns
    // depends on how fast the other side is), by a few per cent: counts, beside them.
    const auto declared = [&](const std::string& m, std::initializer_list<const char*> roles) {
      if (m.empty()) return;
      const auto it = w.metrics.find(m);
      if (it == w.metrics.end() ||
          std::none_of(roles.begin(), roles.end(), [&](const char* r) { return it->second.role == r; }))
        bad(file, "count records '" + m + "', which is not declared with role " + *roles.begin());
    };
    declared(c.instructions, {"deterministic"});
    declared(c.syscalls, {"count", "deterministic"});
    declared(c.ctx_switches, {"count", "deterministic"});
    if (!c.syscalls.empty() && c.sizes.empty())
      bad(file, "count.syscalls needs two sizes (perf counts the whole process)");
    // Beside each count, what the registry says a counted run records with it.
    for (const auto& [kind, name] : {std::pair<std::string, std::string>{"instructions", c.instructions},
                                     {"syscalls", c.syscalls}}) {
      if (name.empty() || !registry.count_metrics().count(kind)) continue;
      for (const auto& [suffix, d] : registry.count_metrics().at(kind))
        if (!w.metrics.count(name + suffix)) w.metrics[name + suffix] = d;
    }
    if (!c.unit_metric.empty() && !w.metrics.count(c.unit_metric))
      bad(file, "count.unit_metric '" + c.unit_metric + "' is not a declared metric");
  }
  return w;
}

}  // namespace

std::string value_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream s;
    s.precision(12);
    s << v.get<double>();
    return s.str();
  }
  return v.dump();
}

Json Workload::declaration() const {
  Json j;
  j["family"] = family;
  j["title"] = title;
  if (!server.role.empty())
    j["server"] = {{"role", server.role}, {"model", server.model}, {"pass_pid", server.pass_pid}};
  j["primary"] = primary;
  if (!count.target.empty()) {
    Json c = {{"target", count.target}, {"phase", count.phase}, {"unit", count.unit}};
    if (!count.size_param.empty()) c["sizes"] = {{"param", count.size_param}, {"values", count.sizes}};
    if (!count.unit_metric.empty()) c["unit_metric"] = count.unit_metric;
    for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"instructions", &count.instructions},
                               {"syscalls", &count.syscalls},
                               {"ctx_switches", &count.ctx_switches}})
      if (!v->empty()) c[k] = *v;
    j["count"] = c;
  }
  Json m = Json::object();
  for (const auto& [name, d] : metrics) m[name] = d.to_json();
  j["metrics"] = m;
  return j;
}

std::vector<Workload> load_workloads(const fs::path& root, const Registry& registry) {
  std::vector<Workload> out;
  const fs::path dir = root / "workloads";
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": no such directory");
  for (const auto& family : fs::directory_iterator(dir)) {
    if (!family.is_directory()) continue;
    for (const auto& wdir : fs::directory_iterator(family.path())) {
      const fs::path m = wdir.path() / "workload.json";
      if (fs::exists(m)) out.push_back(parse_manifest(m, root, registry));
    }
  }
  std::sort(out.begin(), out.end(), [](const Workload& a, const Workload& b) {
    return a.family != b.family ? a.family < b.family : a.id < b.id;
  });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].id == out[i - 1].id)
      throw std::runtime_error("two workloads are called '" + out[i].id + "'");
  return out;
}

Suite load_suite(const fs::path& root) {
  Suite s{root, Registry::load(root), {}};
  s.workloads = load_workloads(root, s.registry);
  return s;
}

const Workload* Suite::find(const std::string& id) const {
  for (const Workload& w : workloads)
    if (w.id == id) return &w;
  return nullptr;
}

std::string cell_id(const std::string& workload, const std::string& model, const Json& params) {
  std::string id = workload + "/" + model;
  for (auto& [k, v] : params.items()) id += "/" + k + ":" + value_text(v);
  return id;
}

std::vector<Cell> filter_cells(std::vector<Cell> cells, const std::vector<std::string>& where) {
  for (const std::string& f : where) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
      throw std::invalid_argument("--where wants name=value[,value...], not '" + f + "'");
    const std::string name = f.substr(0, eq);
    std::vector<std::string> values;
    std::stringstream list(f.substr(eq + 1));
    for (std::string v; std::getline(list, v, ',');)
      if (!v.empty()) values.push_back(v);
    if (values.empty())
      throw std::invalid_argument("--where wants name=value[,value...], not '" + f + "'");
    if (std::none_of(cells.begin(), cells.end(),
                     [&](const Cell& c) { return c.params.contains(name); }))
      throw std::invalid_argument("--where: no chosen cell has a parameter '" + name + "'");
    std::erase_if(cells, [&](const Cell& c) {
      const auto it = c.params.find(name);
      return it != c.params.end() &&
             std::find(values.begin(), values.end(), value_text(*it)) == values.end();
    });
  }
  if (cells.empty())
    throw std::invalid_argument("--where: no cell of the chosen workloads and profile matches");
  return cells;
}

std::vector<Cell> plan(const Suite& suite, const std::string& profile,
                       const std::vector<std::string>& only_workloads,
                       const std::vector<std::string>& only_models) {
  for (const auto& w : only_workloads)
    if (!suite.find(w))
      throw std::invalid_argument("unknown workload '" + w + "' (asyncbench list shows them)");
  for (const auto& m : only_models) suite.registry.at(m);  // throws for an unknown model
  auto chosen = [](const std::vector<std::string>& only, const std::string& x) {
    return only.empty() || std::find(only.begin(), only.end(), x) != only.end();
  };
  std::vector<Cell> cells;
  bool profile_seen = false;
  for (const auto& w : suite.workloads) {
    if (!chosen(only_workloads, w.id)) continue;
    auto p = w.profiles.find(profile);
    if (p == w.profiles.end()) continue;
    profile_seen = true;
    for (const Model& model : suite.registry.models()) {
      if (!chosen(only_models, model.id)) continue;
      const bool has = std::find(w.models.begin(), w.models.end(), model.id) != w.models.end();
      const auto why = w.unsupported.find(model.id);
      if (!has && why == w.unsupported.end()) continue;  // neither: not part of this workload
      for (const auto& pc : p->second.cells) {
        if (!pc.select.is_null() && !model.matches(pc.select)) continue;
        Cell c;
        c.workload = &w;
        c.model_info = &model;
        c.model = model.id;
        c.params = pc.params;
        c.timeout_s = p->second.timeout_s;
        c.warmup = p->second.warmup && !p->second.counted;
        c.counted = p->second.counted;
        c.id = cell_id(w.id, model.id, c.params);
        if (!has) c.unsupported = why->second;
        else if (c.counted && w.count.phase && w.count.sizes.empty() && !model.phase_hooks)
          c.unsupported = model.id + "'s programs do not mark their measured phase for callgrind, "
                          "and " + w.id + " is counted over that phase alone: the interpreter's "
                          "start-up cannot be told apart from the scenario";
        cells.push_back(std::move(c));
      }
    }
  }
  if (!profile_seen) throw std::invalid_argument("no workload has a profile '" + profile + "'");
  return cells;
}

std::vector<std::string> model_program(const Model& model, const std::string& workload,
                                       const fs::path& dir, const fs::path& bin_dir,
                                       const std::string& python) {
  if (model.language == "python") return {python, (dir / model.source).string()};
  return {(bin_dir / ("wl-" + workload + "-" + model.stem())).string()};
}

std::vector<std::string> command_for(const Cell& cell, const fs::path& bin_dir,
                                     const std::string& python) {
  std::vector<std::string> cmd;
  const Workload& w = *cell.workload;
  if (!w.program.empty()) {
    // The same program for every model (echo: the harness's load client; the model is the
    // server's).
    for (std::string a : w.program) {
      for (const auto& [key, value] :
           {std::pair<std::string, std::string>{"{bin}", bin_dir.string()}, {"{workload}", w.id}})
        for (std::size_t at; (at = a.find(key)) != std::string::npos;)
          a.replace(at, key.size(), value);
      cmd.push_back(a);
    }
  } else {
    cmd = model_program(*cell.model_info, w.id, w.dir, bin_dir, python);
  }
  cmd.push_back("--model");
  cmd.push_back(cell.model);
  for (auto& [k, v] : cell.params.items()) {
    std::string opt = "--" + k;
    std::replace(opt.begin(), opt.end(), '_', '-');
    cmd.push_back(opt);
    cmd.push_back(value_text(v));
  }
  return cmd;
}

}  // namespace asyncbench
