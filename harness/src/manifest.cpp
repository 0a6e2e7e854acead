#include "manifest.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace asyncbench {

namespace fs = std::filesystem;

const std::vector<std::string>& all_models() {
  static const std::vector<std::string> models = {
      "sync",      "py-sync", "threads", "threadpool", "processes", "aio-epoll",
      "aio-uring", "libuv",   "asio",    "py-asyncio", "py-uvloop"};
  return models;
}

namespace {

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

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

Workload parse_manifest(const fs::path& file) {
  std::ifstream in(file);
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    bad(file, std::string("invalid JSON: ") + e.what());
  }
  Workload w;
  w.dir = file.parent_path();
  try {
    w.id = j.at("id").get<std::string>();
    w.family = j.at("family").get<std::string>();
    w.title = j.value("title", "");
    w.server = j.value("server", "");
    for (const auto& m : j.at("models")) w.models.push_back(m.get<std::string>());
    if (j.contains("unsupported"))
      for (auto& [m, why] : j.at("unsupported").items()) w.unsupported[m] = why.get<std::string>();
    for (auto& [name, p] : j.at("profiles").items()) {
      Profile prof;
      prof.timeout_s = p.value("timeout_s", 60.0);
      prof.warmup = p.value("warmup", true);
      for (const auto& c : p.at("cells")) {
        ProfileCell cell;
        cell.params = c.value("params", Json::object());
        if (c.contains("models"))
          for (const auto& m : c.at("models")) cell.models.push_back(m.get<std::string>());
        prof.cells.push_back(std::move(cell));
      }
      w.profiles[name] = std::move(prof);
    }
  } catch (const Json::exception& e) {
    bad(file, std::string("malformed manifest: ") + e.what());
  }
  if (!w.server.empty() && w.server != "echo" && w.server != "http")
    bad(file, "server '" + w.server + "' is neither echo nor http");
  if (w.id != w.dir.filename().string()) bad(file, "id '" + w.id + "' is not its directory's name");
  const auto& known = all_models();
  for (const auto& m : w.models)
    if (std::find(known.begin(), known.end(), m) == known.end())
      bad(file, "unknown model '" + m + "'");
  for (const auto& [m, why] : w.unsupported) {
    if (std::find(known.begin(), known.end(), m) == known.end())
      bad(file, "unknown model '" + m + "'");
    if (std::find(w.models.begin(), w.models.end(), m) != w.models.end())
      bad(file, "model '" + m + "' is both supported and unsupported");
  }
  return w;
}

}  // namespace

std::vector<Workload> load_workloads(const fs::path& root) {
  std::vector<Workload> out;
  const fs::path dir = root / "workloads";
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": no such directory");
  for (const auto& family : fs::directory_iterator(dir)) {
    if (!family.is_directory()) continue;
    for (const auto& wdir : fs::directory_iterator(family.path())) {
      const fs::path m = wdir.path() / "workload.json";
      if (fs::exists(m)) out.push_back(parse_manifest(m));
    }
  }
  std::sort(out.begin(), out.end(), [](const Workload& a, const Workload& b) {
    return a.family != b.family ? a.family < b.family : a.id < b.id;
  });
  return out;
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
    if (std::none_of(cells.begin(), cells.end(),
                     [&](const Cell& c) { return c.params.contains(name); }))
      throw std::invalid_argument("--where: no chosen cell has a parameter '" + name + "'");
    std::erase_if(cells, [&](const Cell& c) {
      const auto it = c.params.find(name);
      return it == c.params.end() ||
             std::find(values.begin(), values.end(), value_text(*it)) == values.end();
    });
  }
  if (cells.empty())
    throw std::invalid_argument("--where: no cell of the chosen workloads and profile matches");
  return cells;
}

std::vector<Cell> plan(const std::vector<Workload>& workloads, const std::string& profile,
                       const std::vector<std::string>& only_workloads,
                       const std::vector<std::string>& only_models) {
  for (const auto& w : only_workloads)
    if (std::none_of(workloads.begin(), workloads.end(),
                     [&](const Workload& x) { return x.id == w; }))
      throw std::invalid_argument("unknown workload '" + w + "' (asyncbench list shows them)");
  const auto& known = all_models();
  for (const auto& m : only_models)
    if (std::find(known.begin(), known.end(), m) == known.end())
      throw std::invalid_argument("unknown model '" + m + "' (asyncbench list shows them)");
  auto chosen = [](const std::vector<std::string>& only, const std::string& x) {
    return only.empty() || std::find(only.begin(), only.end(), x) != only.end();
  };
  std::vector<Cell> cells;
  bool profile_seen = false;
  for (const auto& w : workloads) {
    if (!chosen(only_workloads, w.id)) continue;
    auto p = w.profiles.find(profile);
    if (p == w.profiles.end()) continue;
    profile_seen = true;
    for (const auto& model : known) {
      if (!chosen(only_models, model)) continue;
      const bool has = std::find(w.models.begin(), w.models.end(), model) != w.models.end();
      const auto why = w.unsupported.find(model);
      if (!has && why == w.unsupported.end()) continue;  // neither: not part of this workload
      for (const auto& pc : p->second.cells) {
        if (!pc.models.empty() &&
            std::find(pc.models.begin(), pc.models.end(), model) == pc.models.end())
          continue;
        Cell c;
        c.workload = &w;
        c.model = model;
        c.params = pc.params;
        c.timeout_s = p->second.timeout_s;
        c.warmup = p->second.warmup;
        c.id = cell_id(w.id, model, c.params);
        if (!has) c.unsupported = why->second;
        cells.push_back(std::move(c));
      }
    }
  }
  if (!profile_seen) throw std::invalid_argument("no workload has a profile '" + profile + "'");
  return cells;
}

std::vector<std::string> command_for(const Cell& cell, const fs::path& bin_dir,
                                     const std::string& python) {
  std::vector<std::string> cmd;
  const std::string& m = cell.model;
  const std::string& id = cell.workload->id;
  if (cell.workload->server == "echo") {
    // The model is the server's; the program is the harness's own load client.
    cmd = {(bin_dir / "asyncbench").string(), "load", id};
  } else if (m == "py-asyncio" || m == "py-uvloop") {
    cmd = {python, (cell.workload->dir / "asyncio.py").string()};
  } else if (m == "py-sync") {
    cmd = {python, (cell.workload->dir / "sync.py").string()};
  } else if (m == "aio-epoll" || m == "aio-uring") {
    cmd = {(bin_dir / ("wl-" + id + "-aio")).string()};
  } else {
    cmd = {(bin_dir / ("wl-" + id + "-" + m)).string()};
  }
  cmd.push_back("--model");
  cmd.push_back(m);
  for (auto& [k, v] : cell.params.items()) {
    std::string opt = "--" + k;
    std::replace(opt.begin(), opt.end(), '_', '-');
    cmd.push_back(opt);
    cmd.push_back(value_text(v));
  }
  return cmd;
}

}  // namespace asyncbench
