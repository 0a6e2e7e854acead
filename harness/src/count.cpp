#include "count.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

bool has_fragment(const std::string& s, const std::vector<std::string>& fragments) {
  return std::any_of(fragments.begin(), fragments.end(),
                     [&](const std::string& f) { return s.find(f) != std::string::npos; });
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/asyncbench-count-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary directory in /tmp");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void clear() const {
    for (const auto& e : fs::directory_iterator(path)) fs::remove_all(e.path());
  }
};

// One size's counts.
struct Point {
  double units = 0;
  InstructionSplit instructions;
  double syscalls = 0;
  std::map<std::string, double> calls;
  double ctx_switches = 0;
};

std::string fmt_num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v >= 100 ? "%.0f" : "%.2f", v);
  return b;
}

// A tool on PATH (posix_spawn takes a path), or a one-line reason it is missing.
std::string tool(const std::string& name, const std::string& package) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    const fs::path p = fs::path(d.empty() ? "." : d) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  throw std::runtime_error(name + " is not installed (Debian's " + package +
                           "; make deps installs it)");
}

CellOutcome failed(CellOutcome o, const std::string& how) {
  if (o.kind == CellOutcome::ok) o.kind = CellOutcome::failed;
  o.error = how + ": " + (o.error.empty() ? "no figures" : o.error);
  return o;
}

}  // namespace

InstructionSplit read_callgrind(const std::string& path, const Model& model,
                                const Registry& registry) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  InstructionSplit s;
  std::string object, file, line;
  bool call_cost = false;  // the next cost line is a call's inclusive cost, not this function's
  bool totals = false;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const char c = line[0];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '*') {
      if (call_cost) {
        call_cost = false;
        continue;
      }
      const auto sp = line.find_last_of(' ');
      if (sp == std::string::npos) continue;
      const double cost = std::strtod(line.c_str() + sp + 1, nullptr);
      // The object's whole path: a Python extension's name is its module's (uvloop/loop.cpython-...).
      if (has_fragment(file, model.runtime_files) || has_fragment(object, model.runtime_objects))
        s.runtime += cost;
      else if (has_fragment(file, registry.system_files()) ||
               has_fragment(object, registry.system_objects()))
        s.system += cost;
      else
        s.program += cost;
      continue;
    }
    if (line.rfind("ob=", 0) == 0) {
      object = line.substr(3);
    } else if (line.rfind("fl=", 0) == 0 || line.rfind("fi=", 0) == 0 ||
               line.rfind("fe=", 0) == 0) {
      file = line.substr(3);
    } else if (line.rfind("calls=", 0) == 0) {
      call_cost = true;
    } else if (line.rfind("totals:", 0) == 0 || line.rfind("summary:", 0) == 0) {
      s.total = std::strtod(line.c_str() + line.find(':') + 1, nullptr);
      totals = true;
    }
  }
  if (!totals) throw std::runtime_error(path + ": not a callgrind output file (no totals)");
  return s;
}

std::map<std::string, double> read_perf_trace_summary(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  static const std::regex row(R"(^\s+([a-z_0-9]+)\s+(\d+)\s+(\d+)\s+[0-9.]+)");
  std::map<std::string, double> calls;
  std::string line;
  bool summary = false;
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.find("Summary of events") != std::string::npos) summary = true;
    if (summary && std::regex_search(line, m, row)) calls[m[1]] += std::stod(m[2]);
  }
  if (!summary) throw std::runtime_error(path + ": no `perf trace -s` summary in it");
  return calls;
}

CellOutcome run_counted(const Cell& cell, const RunEnv& env) {
  const CountSpec& spec = cell.workload->count;
  const Model& model = *cell.model_info;
  const bool server = spec.target == "server";
  CellOutcome out;
  // Only the phase where the programs mark it; elsewhere the whole process, which two sizes cancel.
  const bool phase = spec.phase && model.phase_hooks;
  if (spec.phase && !model.phase_hooks && spec.sizes.empty()) {
    out.kind = CellOutcome::unsupported;
    out.error = model.id + "'s programs do not mark their measured phase for callgrind (" +
                model.language + "), and " + cell.workload->id +
                " is counted over that phase alone; its start-up cannot be told apart";
    return out;
  }
  std::string valgrind, perf_tool, callgrind_control;
  try {
    valgrind = tool("valgrind", "valgrind");
    callgrind_control = tool("callgrind_control", "valgrind");
    if (!spec.syscalls.empty()) perf_tool = tool("perf", "linux-perf");
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  const TempDir dir;
  // A counted run is many times slower (callgrind: about 50 times for user code).
  const double slow = 50;
  std::vector<std::string> cg = {valgrind,
                                 "--tool=callgrind",
                                 "-q",
                                 "--callgrind-out-file=" + (dir.path / "cg.%p").string(),
                                 "--dump-instr=no",
                                 "--compress-strings=no",
                                 "--compress-pos=no"};
  if (phase) cg.push_back("--instr-atstart=no");
  cg.push_back("--");
  // A ring buffer of 64 MiB a CPU: with the default one, perf trace loses most events of a
  // server of 256 threads (0.12 system calls per echo counted where there are two).
  const std::vector<std::string> perf = {perf_tool, "trace", "-s", "-m", "64M", "-o",
                                         (dir.path / "trace.txt").string(), "--"};
  // Python's allocator and hash seed as valgrind counts them the same every time.
  const std::vector<std::string> stable_env = {"PYTHONMALLOC=malloc", "PYTHONHASHSEED=0"};
  auto wrapped = [&](const std::vector<std::string>& prefix, double factor) {
    RunWrap w;
    (server ? w.server_prefix : w.program_prefix) = prefix;
    w.env = stable_env;
    w.timeout_factor = factor;
    if (server) {
      w.server_exit_after_s = std::ceil(cell.timeout_s * factor) + 30;
      w.server_ready = std::chrono::seconds(120);
      w.server_stop = std::chrono::seconds(20);
    }
    return w;
  };

  std::vector<Json> sizes = spec.sizes;
  if (sizes.empty()) sizes.push_back(Json());
  std::vector<Point> points;
  CellOutcome native;
  for (const Json& size : sizes) {
    Cell c = cell;
    if (!size.is_null()) c.params[spec.size_param] = size;
    const std::string at = size.is_null() ? "" : " (" + spec.size_param + " " + size.dump() + ")";
    Point p;
    // 1. Instructions, under callgrind.
    dir.clear();
    RunWrap counting = wrapped(cg, slow);
    ProcessResult dump;
    if (server) {
      // The server's count is dumped as soon as the load is over (vgdb reaches a process
      // blocked in a system call); whatever it does after that, stopping included, is not
      // needed, so it may have to be killed. Its forked children have written theirs at exit.
      counting.before_server_stop = [&](pid_t pid) {
        ProcessOptions po;
        po.argv = {callgrind_control, "--dump", std::to_string(pid)};
        po.timeout = std::chrono::seconds(60);
        dump = run_process(po);
      };
      counting.server_may_be_killed = true;
    }
    CellOutcome o = run_cell(c, env, counting);
    if (o.kind == CellOutcome::ok && server && (!dump.started || dump.exit_code != 0))
      return failed(o, "callgrind_control --dump" + at + ": " +
                           (dump.started ? dump.err + dump.out : dump.start_error));
    if (o.kind != CellOutcome::ok) return failed(o, "under callgrind" + at);
    for (const auto& e : fs::directory_iterator(dir.path)) {
      // cg.<pid> (at exit) and cg.<pid>.<n> (a dump); a file its process never wrote is empty.
      if (e.path().filename().string().rfind("cg.", 0) != 0 || fs::file_size(e.path()) == 0)
        continue;
      const InstructionSplit s = read_callgrind(e.path().string(), model, env.suite->registry);
      p.instructions.total += s.total;
      p.instructions.program += s.program;
      p.instructions.runtime += s.runtime;
      p.instructions.system += s.system;
    }
    if (p.instructions.total <= 0)
      return failed(o, "under callgrind" + at +
                           (phase ? ": nothing counted (was the measured phase marked?)"
                                       : ": no callgrind output"));
    if (spec.unit_metric.empty()) {
      p.units = size.is_null() ? 1 : size.get<double>();
    } else {
      const Json& m = o.record.metrics;
      if (!m.contains(spec.unit_metric) || !m[spec.unit_metric].is_number())
        return failed(o, "under callgrind" + at + ": the program reported no " + spec.unit_metric);
      p.units = m[spec.unit_metric].get<double>();
    }
    // 2. System calls, under perf trace.
    if (!spec.syscalls.empty()) {
      dir.clear();
      RunWrap traced = wrapped(perf, 5);
      // perf trace writes its summary on SIGINT; the server stops on it too.
      traced.server_stop_signal = SIGINT;
      traced.server_stop_group = true;
      o = run_cell(c, env, traced);
      if (o.kind != CellOutcome::ok) return failed(o, "under perf trace" + at);
      try {
        p.calls = read_perf_trace_summary((dir.path / "trace.txt").string());
      } catch (const std::exception& e) {
        return failed(o, std::string("under perf trace") + at + ": " + e.what());
      }
      for (const auto& [name, n] : p.calls) p.syscalls += n;
    }
    // 3. Context switches and the timed figures, natively.
    native = run_cell(c, env);
    if (native.kind != CellOutcome::ok) return failed(native, "natively" + at);
    p.ctx_switches = double(server ? native.server_ctx_switches : native.record.ctx_switches);
    points.push_back(std::move(p));
  }

  // Per unit: the difference of the two sizes (start-up and tear-down cancel), or the one phase.
  const Point& a = points.front();
  const Point& b = points.back();
  const bool two = points.size() == 2;
  const double du = two ? b.units - a.units : b.units;
  if (du <= 0)
    return failed(native, "the larger size did no more units of work than the smaller (" +
                              fmt_num(a.units) + " and " + fmt_num(b.units) + ")");
  auto per = [&](double x_b, double x_a) { return (two ? x_b - x_a : x_b) / du; };
  CellOutcome o = native;
  Json& m = o.record.metrics;
  m = Json::object();  // a counted cell records its counts (and the native run's timing above)
  if (!spec.instructions.empty()) {
    const std::string& n = spec.instructions;
    m[n] = per(b.instructions.total, a.instructions.total);
    m[n + "_program"] = per(b.instructions.program, a.instructions.program);
    m[n + "_runtime"] = per(b.instructions.runtime, a.instructions.runtime);
    m[n + "_system"] = per(b.instructions.system, a.instructions.system);
  }
  if (!spec.syscalls.empty()) {
    m[spec.syscalls] = per(b.syscalls, a.syscalls);
    std::vector<std::pair<double, std::string>> by;
    for (const auto& [name, n] : b.calls) {
      const auto it = a.calls.find(name);
      by.emplace_back(per(n, it == a.calls.end() ? 0 : it->second), name);
    }
    std::sort(by.rbegin(), by.rend());
    std::string top;
    for (std::size_t i = 0; i < by.size() && i < 3; ++i)
      top += (i ? ", " : "") + by[i].second + " " + fmt_num(by[i].first);
    m[spec.syscalls + "_top"] = top;
  }
  if (!spec.ctx_switches.empty()) m[spec.ctx_switches] = per(b.ctx_switches, a.ctx_switches);
  o.record.params[spec.size_param.empty() ? "counted" : spec.size_param] =
      spec.size_param.empty() ? Json("phase") : Json(sizes);
  return o;
}

}  // namespace asyncbench
