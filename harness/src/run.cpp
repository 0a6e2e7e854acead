#include "run.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "machine.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "results.hpp"
#include "server.hpp"

namespace asyncbench {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop = true; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking poll returns and sees the flag
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string clock_text(double s) {
  const long t = std::lround(s);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

std::string tail(const std::string& s, std::size_t n) {
  std::string t = s.size() > n ? "..." + s.substr(s.size() - n) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

std::string last_line(const std::string& s) {
  std::size_t end = s.find_last_not_of("\n \t\r");
  if (end == std::string::npos) return {};
  const std::size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1,
                  end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

struct Outcome {
  enum Kind { ok, failed, timeout, unsupported, interrupted } kind = failed;
  RunRecord record;
  std::string error;
};

// What one finished process means for its cell: the program's JSON line is checked against
// the contract (workloads/README.md) before anything of it is believed.
Outcome interpret(const ProcessResult& pr, const Cell& cell) {
  Outcome o;
  if (!pr.started) {
    o.error = "cannot start the program: " + pr.start_error;
    return o;
  }
  if (pr.interrupted) {
    o.kind = Outcome::interrupted;
    return o;
  }
  if (pr.timed_out) {
    o.kind = Outcome::timeout;
    std::ostringstream s;
    s << "timed out after " << cell.timeout_s << " s (the profile's limit)";
    if (!pr.err.empty()) s << "; stderr: " << tail(pr.err, 300);
    o.error = s.str();
    return o;
  }
  const std::string err_tail = pr.err.empty() ? "" : "; stderr: " + tail(pr.err, 300);
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
    o.kind = Outcome::unsupported;
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
  o.kind = Outcome::ok;
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

// The delay server the http workloads' clients talk to runs as this model.
const std::string kHttpServerModel = "aio-epoll";

struct Job {
  std::size_t cell;
  bool warmup;
  int round = -1;  // the pass over the cells (results.hpp: first_round); -1 for a warm-up
};

// The command as a user would type it from the checkout: paths under `root` relative to it, so
// that a results file names no directory of the machine it was made on.
std::vector<std::string> relative_to(const std::filesystem::path& root,
                                     const std::vector<std::string>& argv) {
  std::error_code ec;
  const std::string prefix = std::filesystem::weakly_canonical(root, ec).string() + "/";
  std::vector<std::string> out;
  for (const auto& a : argv)
    out.push_back(!ec && a.rfind(prefix, 0) == 0 ? a.substr(prefix.size()) : a);
  return out;
}

}  // namespace

int default_repeats(const std::string& profile) {
  if (profile == "full") return 9;
  if (profile == "smoke") return 1;
  return 3;
}

int run_matrix(const RunOptions& given) {
  install_stop_handlers();  // first: a Ctrl-C while the machine facts are gathered counts too
  RunOptions opts = given;
  Json doc;
  std::filesystem::path out = opts.out;
  if (!opts.resume.empty()) {
    doc = load_results(opts.resume);
    const Json& p = doc.at("run").at("plan");
    opts.profile = p.at("profile").get<std::string>();
    opts.workloads = p.at("workloads").get<std::vector<std::string>>();
    opts.models = p.at("models").get<std::vector<std::string>>();
    opts.where = p.value("where", std::vector<std::string>{});
    opts.repeats = p.at("repeats").get<int>();
    opts.warmup = p.at("warmup").get<bool>();
    if (out.empty()) out = opts.resume;
  }
  if (out.empty()) out = opts.root / "results" / "latest.json";

  const std::vector<Workload> workloads = load_workloads(opts.root);
  std::vector<Cell> cells = plan(workloads, opts.profile, opts.workloads, opts.models);
  if (!opts.where.empty()) cells = filter_cells(std::move(cells), opts.where);
  const int repeats = opts.repeats > 0 ? opts.repeats : default_repeats(opts.profile);

  if (doc.is_null()) {
    Json run;
    run["started"] = iso_now();
    run["command"] = join(opts.command_line, " ");
    run["plan"] = {{"profile", opts.profile},
                   {"workloads", opts.workloads},
                   {"models", opts.models},
                   {"repeats", repeats},
                   {"warmup", opts.warmup}};
    if (!opts.where.empty()) run["plan"]["where"] = opts.where;
    run["state"] = "running";
    Json machine = machine_facts(opts.root, opts.python);
    if (!release_build()) {
      run["warning"] =
          "this is a " + machine["build_type"].get<std::string>() +
          " build: timings are not representative; build with -DCMAKE_BUILD_TYPE=Release";
      std::cerr << "asyncbench: WARNING: " << run["warning"].get<std::string>() << "\n";
    }
    doc = new_results(opts.profile, machine, run);
  } else {
    doc["run"]["state"] = "running";
    doc["run"]["resumed"].push_back(iso_now());
  }

  // Every cell first (adding one may move the others in memory), then pointers to them.
  for (const Cell& c : cells) {
    Json& e = cell_entry(doc, c, repeats);
    if (!c.unsupported.empty()) set_status(e, "unsupported", c.unsupported);
  }
  std::vector<Json*> entries;
  for (const Cell& c : cells) entries.push_back(&cell_entry(doc, c, repeats));
  save_atomic(doc, out);  // fail now, not after an hour, if the file cannot be written

  auto terminal = [](const Json& e) {
    const std::string s = e.value("status", "pending");
    return s == "failed" || s == "timeout" || s == "unsupported";
  };
  std::vector<Job> jobs;
  std::vector<std::size_t> active;
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (!terminal(*entries[i]) && runs_done(*entries[i]) < repeats) active.push_back(i);
  if (opts.warmup)
    for (std::size_t i : active)
      if (cells[i].warmup) jobs.push_back({i, true});
  const int round0 = first_round(doc);
  for (int round = 0; round < repeats; ++round) {
    for (std::size_t k = 0; k < active.size(); ++k) {
      const std::size_t i = active[(k + std::size_t(round)) % active.size()];
      if (runs_done(*entries[i]) + round < repeats) jobs.push_back({i, false, round0 + round});
    }
  }

  std::cerr << "asyncbench: " << cells.size() << " cells (" << opts.profile << " profile, "
            << repeats << (repeats == 1 ? " run" : " runs") << " each"
            << (opts.warmup ? " after a warm-up" : "") << "), " << jobs.size()
            << " runs; results in " << out.string() << "\n";

  const int cores = online_cores();
  const auto t_start = std::chrono::steady_clock::now();
  double spent = 0;
  std::size_t done = 0;
  for (std::size_t n = 0; n < jobs.size() && !g_stop; ++n) {
    const Job& job = jobs[n];
    const Cell& cell = cells[job.cell];
    Json& e = *entries[job.cell];
    if (terminal(e)) continue;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    const std::size_t left = jobs.size() - n;
    const std::string what =
        job.warmup ? "warm-up"
                   : "run " + std::to_string(runs_done(e) + 1) + "/" + std::to_string(repeats);
    std::fprintf(
        stderr, "[%*zu/%zu] %-8s %s  %s elapsed%s\n", int(std::to_string(jobs.size()).size()),
        n + 1, jobs.size(), what.c_str(), cell.id.c_str(), clock_text(elapsed).c_str(),
        done ? (", ~" + clock_text(spent / double(done) * double(left)) + " left").c_str() : "");

    ProcessOptions po;
    po.argv = command_for(cell, opts.bin_dir, opts.python);
    po.timeout = std::chrono::milliseconds(static_cast<long>(cell.timeout_s * 1000));
    po.stop = &g_stop;
    if (!e.contains("command")) e["command"] = join(relative_to(opts.root, po.argv), " ");

    // A network workload's server: started fresh for each run, on its own core when there are
    // two or more, with the client on another (SPEC §8).
    const std::string& server_kind = cell.workload->server;
    std::unique_ptr<ServerProcess> server;
    std::string server_error;
    const bool pin = cores >= 2;
    if (!server_kind.empty()) {
      try {
        std::vector<std::string> sargv =
            server_command(server_kind, server_kind == "echo" ? cell.model : kHttpServerModel,
                           opts.root, opts.bin_dir, opts.python);
        sargv.insert(sargv.end(), {"--host", "127.0.0.1", "--port", "0"});
        if (!e.contains("server_command"))
          e["server_command"] = join(relative_to(opts.root, sargv), " ");
        server = std::make_unique<ServerProcess>();
        server->start(sargv, pin ? 0 : -1);
        po.argv.insert(po.argv.end(),
                       {"--host", server->host(), "--port", std::to_string(server->port())});
        if (server_kind == "echo")
          po.argv.insert(po.argv.end(), {"--server-pid", std::to_string(server->pid())});
        po.cpu = pin ? 1 : -1;
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
    Outcome o = interpret(pr, cell);
    if (!server_error.empty()) {
      o.kind = Outcome::failed;
      o.error = "server: " + server_error;
    }
    if (server) {
      const ServerExit se = server->stop();
      if (o.kind == Outcome::ok && !se.stopped_cleanly) {
        o.kind = Outcome::failed;
        o.error = se.error;
      } else if (o.kind == Outcome::failed && !se.stopped_cleanly && server_error.empty()) {
        o.error += "; " + se.error;
      }
      o.record.metrics["server_cpu_total_s"] = se.cpu_s;
      o.record.metrics["pinning"] =
          pin ? "server on CPU 0, client on CPU 1"
              : "not pinned (" + std::to_string(cores) + " core)";
    }
    spent += pr.wall_s;
    ++done;
    switch (o.kind) {
      case Outcome::interrupted:
        break;
      case Outcome::ok:
        if (!job.warmup) {
          o.record.steal_s = std::max(0.0, after.steal_s - before.steal_s);
          // The server's CPU is part of the run, not a disturbance of it.
          const double server_cpu =
              o.record.metrics.value("server_cpu_total_s", 0.0);
          o.record.others_cpu_s =
              std::max(0.0, (after.busy_s - before.busy_s) - pr.cpu_s - server_cpu);
          o.record.load_before = load;
          o.record.load_after = load_average_1m();
          o.record.disturbed =
              is_disturbed(o.record.steal_s, o.record.others_cpu_s, pr.wall_s, cores);
          o.record.round = job.round;
          record_run(e, o.record);
          if (runs_done(e) >= repeats) set_status(e, "ok");
        }
        break;
      case Outcome::unsupported:
        set_status(e, "unsupported", o.error);
        break;
      case Outcome::timeout:
        set_status(e, "timeout", o.error);
        std::cerr << "asyncbench: " << cell.id << ": " << o.error << "\n";
        break;
      case Outcome::failed:
        set_status(e, "failed", o.error);
        std::cerr << "asyncbench: " << cell.id << ": FAILED: " << o.error << "\n";
        break;
    }
    save_atomic(doc, out);
  }

  if (g_stop) {
    doc["run"]["state"] = "interrupted";
    save_atomic(doc, out);
    std::cerr << "asyncbench: interrupted; every finished run is in " << out.string()
              << "; continue with: asyncbench run --resume " << out.string() << "\n";
    return 130;
  }
  doc["run"]["state"] = "complete";
  doc["run"]["finished"] = iso_now();
  save_atomic(doc, out);

  int bad = 0;
  std::printf("%-58s %-11s %10s %10s %9s\n", "cell", "status", "median s", "ideal s", "disturbed");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Json& e = *entries[i];
    const std::string status = e.value("status", "?");
    if (status == "failed" || status == "timeout") ++bad;
    std::string med = "-", ideal = "-";
    if (status == "ok") {
      char b[32];
      std::snprintf(b, sizeof b, "%.4f", e["summary"]["elapsed_s"]["median"].get<double>());
      med = b;
      if (e["summary"].contains("metrics") && e["summary"]["metrics"].contains("ideal_s")) {
        std::snprintf(b, sizeof b, "%.4f",
                      e["summary"]["metrics"]["ideal_s"]["median"].get<double>());
        ideal = b;
      }
    }
    std::printf(
        "%-58s %-11s %10s %10s %9s\n", e.value("id", "").c_str(), status.c_str(), med.c_str(),
        ideal.c_str(),
        e.value("disturbed_runs", 0) ? std::to_string(e.value("disturbed_runs", 0)).c_str() : "");
  }
  std::cerr << "asyncbench: " << cells.size() << " cells, " << bad << " failed or timed out; "
            << out.string() << "\n";
  return bad ? 1 : 0;
}

}  // namespace asyncbench
