#include "trace.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>

#include "machine.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "results.hpp"
#include "run_mark.hpp"

namespace asyncbench {

namespace fs = std::filesystem;

namespace {

std::string param_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

int trace_workload(const TraceOptions& o) {
  const Suite suite = load_suite(o.root);
  const auto cells = plan(suite, o.profile, {o.workload}, {o.model});
  if (cells.empty())
    throw std::invalid_argument(o.workload + " has no " + o.profile + " cell for " + o.model);
  if (!cells.front().workload->server.role.empty())
    throw std::invalid_argument(o.workload +
                                " is a network workload; trace runs the sleep and offload ones");

  // name=value pairs: the first cell whose parameters match all those it has; the rest override.
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& p : o.params) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--param '" + p + "' is not name=value");
    wanted.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  const Cell* chosen = nullptr;
  for (const auto& c : cells) {
    bool ok = true;
    for (const auto& [k, v] : wanted)
      if (c.params.contains(k) && param_text(c.params[k]) != v) ok = false;
    if (ok) {
      chosen = &c;
      break;
    }
  }
  if (!chosen) throw std::invalid_argument("no " + o.profile + " cell of " + o.workload + " has those parameters");
  if (!chosen->unsupported.empty())
    throw std::invalid_argument(o.model + " cannot run " + o.workload + ": " + chosen->unsupported);
  Cell cell = *chosen;
  for (const auto& [k, v] : wanted) {
    // A number stays a number in the command line either way; keep the text.
    cell.params[k] = v;
  }

  char tmpl[] = "/tmp/asyncbench-trace-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file in /tmp");
  ::close(fd);
  const std::string events_path = tmpl;

  ProcessOptions po;
  po.argv = command_for(cell, o.bin_dir, o.python);
  po.extra_env = {"AIO_TRACE=" + events_path};
  po.timeout = std::chrono::milliseconds(static_cast<long>(cell.timeout_s * 1000));
  std::string command;
  for (const auto& a : po.argv) command += (command.empty() ? "" : " ") + a;
  std::fprintf(stderr, "asyncbench trace: %s\n", command.c_str());
  const RunMark mark;  // what the program forks is a leftover too if this process is killed
  const ProcessResult pr = run_process(po);

  auto fail = [&](const std::string& why) {
    ::unlink(events_path.c_str());
    std::fprintf(stderr, "asyncbench trace: %s\n", why.c_str());
    return 1;
  };
  if (!pr.started) return fail("cannot start " + po.argv[0] + ": " + pr.start_error);
  if (pr.timed_out) return fail("the run timed out");
  Json line;
  try {
    const auto end = pr.out.find_last_not_of("\n ");
    const auto start = end == std::string::npos ? std::string::npos : pr.out.rfind('\n', end);
    line = Json::parse(pr.out.substr(start == std::string::npos ? 0 : start + 1));
  } catch (const std::exception&) {
    return fail("the program printed no JSON line (exit " + std::to_string(pr.exit_code) +
                "); stderr: " + excerpt(pr.err, pr.err_dropped, 2000));
  }
  if (line.value("status", "") != "ok")
    return fail("the run was not ok: " + line.value("status", "?") + ": " + line.value("error", ""));

  Json events = Json::array();
  std::set<std::pair<long, long>> tracks;
  {
    std::ifstream in(events_path);
    std::string l;
    int n = 0;
    while (std::getline(in, l)) {
      ++n;
      if (l.empty()) continue;
      Json e;
      try {
        e = Json::parse(l);
      } catch (const std::exception& ex) {
        return fail("trace line " + std::to_string(n) + " is not JSON: " + ex.what());
      }
      if (!e.is_object() || !e.contains("ph") || !e.contains("pid") || !e.contains("tid") ||
          (e["ph"] != "M" && !e.contains("ts")))
        return fail("trace line " + std::to_string(n) + " is not a trace event: " + l);
      if (e["ph"] == "X") tracks.insert({e["pid"].get<long>(), e["tid"].get<long>()});
      events.push_back(std::move(e));
    }
  }
  ::unlink(events_path.c_str());
  if (tracks.empty())
    return fail("the program recorded no spans: " + o.model + "'s " + o.workload +
                " is not instrumented for tracing");

  Json doc;
  doc["traceEvents"] = std::move(events);
  doc["displayTimeUnit"] = "ms";
  doc["otherData"] = {{"suite", "asyncbench"},
                      {"workload", o.workload},
                      {"model", o.model},
                      {"params", line.value("params", Json::object())},
                      {"elapsed_s", line.value("elapsed_s", 0.0)},
                      {"metrics", line.value("metrics", Json::object())},
                      {"machine", machine_summary(o.root)}};
  save_atomic(doc, o.out);
  std::fprintf(stderr, "asyncbench trace: %zu events on %zu tracks, elapsed %.4f s: %s\n",
               doc["traceEvents"].size(), tracks.size(), line.value("elapsed_s", 0.0),
               o.out.string().c_str());
  return 0;
}

}  // namespace asyncbench
