#include "cell.hpp"

#include <signal.h>

#include <cstring>
#include <memory>
#include <sstream>

#include "proc.hpp"
#include "server.hpp"

namespace asyncbench {

namespace {

std::string last_line(const std::string& s) {
  std::size_t end = s.find_last_not_of("\n \t\r");
  if (end == std::string::npos) return {};
  const std::size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1,
                  end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

// What one finished process means for its cell: the program's JSON line is checked against
// the contract (workloads/README.md) before anything of it is believed.
CellOutcome interpret(const ProcessResult& pr, const Cell& cell) {
  CellOutcome o;
  if (!pr.started) {
    o.error = "cannot start the program: " + pr.start_error;
    return o;
  }
  if (pr.interrupted) {
    o.kind = CellOutcome::interrupted;
    return o;
  }
  if (pr.timed_out) {
    o.kind = CellOutcome::timeout;
    std::ostringstream s;
    s << "timed out after " << cell.timeout_s << " s (the profile's limit)";
    if (const std::string e = excerpt(pr.err, pr.err_dropped, 300); !e.empty()) s << "; stderr: " << e;
    o.error = s.str();
    return o;
  }
  const std::string err_excerpt = excerpt(pr.err, pr.err_dropped, 300);
  const std::string err_tail = err_excerpt.empty() ? "" : "; stderr: " + err_excerpt;
  if (pr.signal) {
    o.error = "killed by signal " + std::to_string(pr.signal) + " (" + ::strsignal(pr.signal) +
              ")" + err_tail;
    return o;
  }
  Json line;
  try {
    line = Json::parse(last_line(pr.out));
  } catch (const std::exception&) {
    o.error = "no JSON line on stdout (exit " + std::to_string(pr.exit_code) + ")" + err_tail;
    return o;
  }
  if (!line.is_object() || !line.contains("status") || !line["status"].is_string()) {
    o.error = "the JSON line has no status" + err_tail;
    return o;
  }
  if (line.value("workload", "") != cell.workload->id || line.value("model", "") != cell.model) {
    o.error = "the program reported " + line.value("workload", "?") + "/" +
              line.value("model", "?") + ", not " + cell.workload->id + "/" + cell.model;
    return o;
  }
  const std::string status = line["status"].get<std::string>();
  const std::string why = line.value("error", "");
  if (status == "unsupported" && pr.exit_code == 77) {
    o.kind = CellOutcome::unsupported;
    o.error = why.empty() ? "unsupported (no reason given)" : why;
    return o;
  }
  if (status == "failed") {
    o.error = (why.empty() ? "failed" : why) + err_tail;
    return o;
  }
  if (status != "ok" || pr.exit_code != 0) {
    o.error = "status '" + status + "' with exit code " + std::to_string(pr.exit_code) + err_tail;
    return o;
  }
  if (!line.contains("elapsed_s") || !line["elapsed_s"].is_number() ||
      line["elapsed_s"].get<double>() < 0) {
    o.error = "ok without a valid elapsed_s";
    return o;
  }
  if (line.contains("metrics") && !line["metrics"].is_object()) {
    o.error = "metrics is not an object";
    return o;
  }
  if (line.contains("histograms")) {
    const Json& h = line["histograms"];
    if (!h.is_object() ||
        !std::all_of(h.begin(), h.end(), [](const Json& x) { return x.is_object(); })) {
      o.error = "histograms is not an object of histograms";
      return o;
    }
  }
  // Every metric must be declared: its meaning (unit, direction, role) is the manifest's, never
  // guessed from its name.
  if (line.contains("metrics"))
    for (auto& [name, v] : line["metrics"].items())
      if (!cell.workload->metrics.count(name)) {
        o.error = "the program reported the metric '" + name + "', which " +
                  cell.workload->id + "'s workload.json does not declare";
        return o;
      }
  o.kind = CellOutcome::ok;
  o.record.elapsed_s = line["elapsed_s"].get<double>();
  o.record.wall_s = pr.wall_s;
  o.record.cpu_s = pr.cpu_s;
  o.record.max_rss_kb = pr.max_rss_kb;
  o.record.ctx_switches = pr.ctx_switches;
  o.record.metrics = line.value("metrics", Json::object());
  o.record.params = line.value("params", Json::object());
  o.record.histograms = line.value("histograms", Json::object());
  return o;
}

CellOutcome run_cell(const Cell& cell, const RunEnv& env, const RunWrap& wrap) {
  ProcessOptions po;
  po.argv = command_for(cell, env.bin_dir, env.python);
  po.timeout =
      std::chrono::milliseconds(static_cast<long>(cell.timeout_s * wrap.timeout_factor * 1000));
  po.stop = env.stop;
  if (!wrap.program_prefix.empty()) {
    po.argv.insert(po.argv.begin(), wrap.program_prefix.begin(), wrap.program_prefix.end());
    po.extra_env = wrap.env;
  }

  // A network workload's server: started fresh for each run, on its own core when there are two
  // or more, with the client on another (SPEC §8).
  const ServerNeed& need = cell.workload->server;
  std::unique_ptr<ServerProcess> server;
  std::string server_error;
  std::vector<std::string> sargv;
  const bool pin = env.cores >= 2;
  if (!need.role.empty()) {
    try {
      sargv = server_command(*env.suite, need.role,
                             need.model == "cell" ? cell.model : need.model, env.bin_dir,
                             env.python);
      sargv.insert(sargv.end(), {"--host", "127.0.0.1", "--port", "0"});
      if (wrap.server_exit_after_s > 0)
        sargv.insert(sargv.end(), {"--exit-after-s", std::to_string(int(wrap.server_exit_after_s))});
      sargv.insert(sargv.begin(), wrap.server_prefix.begin(), wrap.server_prefix.end());
      server = std::make_unique<ServerProcess>();
      server->start(sargv, pin ? 0 : -1, wrap.server_ready,
                    wrap.server_prefix.empty() ? std::vector<std::string>{} : wrap.env);
      po.argv.insert(po.argv.end(),
                     {"--host", server->host(), "--port", std::to_string(server->port())});
      if (need.pass_pid)
        po.argv.insert(po.argv.end(), {"--server-pid", std::to_string(server->pid())});
      po.cpu = pin ? 1 : -1;
    } catch (const ServerUnsupported& ex) {
      // The model cannot run here (its server said so, exit 77): a skip, with its reason.
      CellOutcome o;
      o.kind = CellOutcome::unsupported;
      o.error = ex.what();
      o.command = po.argv;
      o.server_command = sargv;
      return o;
    } catch (const std::exception& ex) {
      server_error = ex.what();
    }
  }

  const CpuCounters before = read_cpu_counters();
  const double load = load_average_1m();
  ProcessResult pr;
  if (server_error.empty()) {
    pr = run_process(po);
  } else {
    pr.started = true;
    pr.exit_code = 1;
  }
  const CpuCounters after = read_cpu_counters();
  CellOutcome o = interpret(pr, cell);
  o.command = po.argv;
  o.server_command = sargv;
  o.wall_s = pr.wall_s;
  if (!server_error.empty()) {
    o.kind = CellOutcome::failed;
    o.error = "server: " + server_error;
  }
  double server_cpu = 0;
  if (server) {
    if (wrap.before_server_stop && server->running()) wrap.before_server_stop(server->pid());
    const ServerExit se =
        server->stop(wrap.server_stop, wrap.server_stop_signal, wrap.server_stop_group);
    o.server_ctx_switches = se.ctx_switches;
    // A server that ended by its own backstop (--exit-after-s) has ended as asked.
    if (o.kind == CellOutcome::ok && !se.stopped_cleanly && !se.by_alarm &&
        !wrap.server_may_be_killed) {
      o.kind = CellOutcome::failed;
      o.error = se.error;
    } else if (o.kind == CellOutcome::failed && !se.stopped_cleanly && server_error.empty()) {
      o.error += "; " + se.error;
    }
    server_cpu = se.cpu_s;
    o.record.metrics["server_cpu_total_s"] = se.cpu_s;
    o.record.metrics["pinning"] = pin ? "server on CPU 0, client on CPU 1"
                                      : "not pinned (" + std::to_string(env.cores) + " core)";
  }
  if (o.kind == CellOutcome::ok) {
    o.record.steal_s = std::max(0.0, after.steal_s - before.steal_s);
    // The server's CPU is part of the run, not a disturbance of it.
    o.record.others_cpu_s =
        std::max(0.0, (after.busy_s - before.busy_s) - pr.cpu_s - server_cpu);
    o.record.load_before = load;
    o.record.load_after = load_average_1m();
    o.record.disturbed =
        is_disturbed(o.record.steal_s, o.record.others_cpu_s, pr.wall_s, env.cores, tick_s());
  }
  return o;
}

}  // namespace asyncbench
