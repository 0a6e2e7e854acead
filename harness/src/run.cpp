#include "run.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "machine.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "results.hpp"
#include "cell.hpp"
#include "count.hpp"
#include "proc.hpp"
#include "progress.hpp"
#include "results_lock.hpp"
#include "run_mark.hpp"

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


namespace {

// The results file: --out, else the resumed file, else results/latest.json.
std::filesystem::path results_file(const RunOptions& opts) {
  if (!opts.out.empty()) return opts.out;
  if (!opts.resume.empty()) return opts.resume;
  std::filesystem::create_directories(opts.root / "results");
  return opts.root / "results" / "latest.json";
}

// The results document to fill: a resumed file (its plan replaces the options'), or a new one.
Json open_document(RunOptions& opts) {
  Json doc;
  if (!opts.resume.empty()) {
    doc = load_results(opts.resume);
    if (doc.value("schema_version", 0) != schema_version)
      throw std::runtime_error(opts.resume.string() + ": schema_version " +
                               std::to_string(doc.value("schema_version", 0)) +
                               " files can be read and compared, not resumed");
    const Json& p = doc.at("run").at("plan");
    opts.profile = p.at("profile").get<std::string>();
    opts.workloads = p.at("workloads").get<std::vector<std::string>>();
    opts.models = p.at("models").get<std::vector<std::string>>();
    opts.where = p.value("where", std::vector<std::string>{});
    opts.repeats = p.at("repeats").get<int>();
    opts.warmup = p.at("warmup").get<bool>();
  }
  return doc;
}

Json new_document(const RunOptions& opts, int repeats) {
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
  return new_results(opts.profile, machine, run);
}

bool terminal(const Json& e) {
  const std::string s = e.value("status", "pending");
  return s == "failed" || s == "timeout" || s == "unsupported";
}

// Every run still to make: a warm-up of each program (a workload's model: its first unfinished
// cell, unless the profile says none), which brings the program, its libraries and its
// interpreter's modules into the page cache before anything is measured, then `repeats` rounds,
// each a pass over the unfinished cells in an order rotated by one from round to round, so that
// drift on a shared machine falls on every model alike. One warm-up a program, not a cell: a
// second one of the same program with other parameters loads nothing new (measured: README,
// "Time budget").
std::vector<Job> schedule(const std::vector<Cell>& cells, const std::vector<Json*>& entries,
                          int repeats, bool warmup, int round0) {
  std::vector<Job> jobs;
  std::vector<std::size_t> active;
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (!terminal(*entries[i]) && runs_done(*entries[i]) < repeats) active.push_back(i);
  if (warmup) {
    std::set<std::pair<const Workload*, std::string>> warmed;
    for (std::size_t i : active)
      if (cells[i].warmup && warmed.insert({cells[i].workload, cells[i].model}).second)
        jobs.push_back({i, true});
  }
  for (int round = 0; round < repeats; ++round)
    for (std::size_t k = 0; k < active.size(); ++k) {
      const std::size_t i = active[(k + std::size_t(round)) % active.size()];
      if (runs_done(*entries[i]) + round < repeats) jobs.push_back({i, false, round0 + round});
    }
  return jobs;
}

// Puts one run's outcome into its cell; says on stderr what went wrong.
void record_outcome(Json& e, const Cell& cell, const Job& job, CellOutcome& o, int repeats,
                    Progress& progress) {
  switch (o.kind) {
    case CellOutcome::interrupted:
      break;
    case CellOutcome::ok:
      if (!job.warmup) {
        o.record.round = job.round;
        record_run(e, o.record);
        if (runs_done(e) >= repeats) set_status(e, "ok");
      }
      break;
    case CellOutcome::unsupported:
      set_status(e, "unsupported", o.error);
      break;
    case CellOutcome::timeout:
      set_status(e, "timeout", o.error);
      progress.message("asyncbench: " + cell.id + ": " + o.error);
      break;
    case CellOutcome::failed:
      set_status(e, "failed", o.error);
      progress.message("asyncbench: " + cell.id + ": FAILED: " + o.error);
      break;
  }
}

// The table on stdout: each cell's status, its primary metric's median, the ideal where the
// workload declares one. Returns how many cells failed or timed out.
int print_summary(const std::vector<Cell>& cells, const std::vector<Json*>& entries) {
  int bad = 0;
  std::printf("%-58s %-11s %-22s %12s %10s %9s\n", "cell", "status", "primary metric", "median",
              "ideal", "disturbed");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Json& e = *entries[i];
    const Workload& w = *cells[i].workload;
    const std::string status = e.value("status", "?");
    if (status == "failed" || status == "timeout") ++bad;
    std::string med = "-", ideal = "-";
    // A counted cell is judged by its instructions (its workload's count declaration).
    const std::string& primary =
        cells[i].counted && !w.count.instructions.empty() ? w.count.instructions : w.primary;
    if (status == "ok") {
      const Json& s = e["summary"];
      const Json* p = s.contains(primary) ? &s[primary]
                      : (s.contains("metrics") && s["metrics"].contains(primary))
                          ? &s["metrics"][primary]
                          : nullptr;
      char b[32];
      if (p && p->is_object()) {
        std::snprintf(b, sizeof b, "%.4g", (*p)["median"].get<double>());
        med = b;
      }
      for (const auto& [name, d] : w.metrics)
        if (d.ideal_for == primary && s.contains("metrics") && s["metrics"].contains(name)) {
          std::snprintf(b, sizeof b, "%.4f", s["metrics"][name]["median"].get<double>());
          ideal = b;
        }
    }
    const std::string unit = w.metrics.count(primary) ? w.metrics.at(primary).unit : "";
    std::printf("%-58s %-11s %-22s %12s %10s %9s\n", e.value("id", "").c_str(), status.c_str(),
                (primary + " (" + unit + ")").c_str(), med.c_str(), ideal.c_str(),
                e.value("disturbed_runs", 0) ? std::to_string(e.value("disturbed_runs", 0)).c_str()
                                             : "");
  }
  return bad;
}

}  // namespace

int run_matrix(const RunOptions& given) {
  install_stop_handlers();  // first: a Ctrl-C while the machine facts are gathered counts too
  RunOptions opts = given;
  // The results file before anything else: one that cannot be written, or that another run is
  // writing, is a one-line error before anything runs.
  const std::filesystem::path out = results_file(opts);
  check_results_path(out);
  const ResultsLock lock(out);
  // What runs whose harness was killed left behind goes first; then this run's mark, which
  // everything it starts inherits (run_mark.hpp).
  if (const std::string swept = sweep_leftovers(); !swept.empty())
    std::cerr << "asyncbench: " << swept << "\n";
  const RunMark mark;
  Json doc = open_document(opts);

  const Suite suite = load_suite(opts.root);
  std::vector<Cell> cells = plan(suite, opts.profile, opts.workloads, opts.models);
  if (!opts.where.empty()) cells = filter_cells(std::move(cells), opts.where);
  const int repeats =
      opts.repeats > 0 ? opts.repeats : suite.registry.profile(opts.profile).repeats;

  if (doc.is_null()) {
    doc = new_document(opts, repeats);
  } else {
    doc["run"]["state"] = "running";
    doc["run"]["resumed"].push_back(iso_now());
  }
  declare(doc, cells);

  // Every cell first (adding one may move the others in memory), then pointers to them.
  for (const Cell& c : cells) {
    Json& e = cell_entry(doc, c, repeats);
    if (!c.unsupported.empty()) set_status(e, "unsupported", c.unsupported);
  }
  std::vector<Json*> entries;
  for (const Cell& c : cells) entries.push_back(&cell_entry(doc, c, repeats));
  save_atomic(doc, out);  // fail now, not after an hour, if the file cannot be written

  const std::vector<Job> jobs = schedule(cells, entries, repeats, opts.warmup, first_round(doc));
  std::cerr << "asyncbench: " << cells.size() << " cells (" << opts.profile << " profile, "
            << repeats << (repeats == 1 ? " run" : " runs") << " each"
            << (opts.warmup && std::any_of(cells.begin(), cells.end(),
                                           [](const Cell& c) { return c.warmup; })
                    ? " after a warm-up"
                    : "")
            << "), " << jobs.size()
            << " runs; results in " << out.string() << "\n";

  RunEnv env;
  env.suite = &suite;
  env.bin_dir = opts.bin_dir;
  env.python = opts.python;
  env.cores = online_cores();
  env.stop = &g_stop;
  const auto t_start = std::chrono::steady_clock::now();
  double spent = 0;
  std::size_t done = 0;
  Progress progress;
  auto last_save = t_start;
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
    const std::string eta =
        done ? ", ~" + clock_text(spent / double(done) * double(left)) + " left" : "";
    char line[1024];
    if (progress.tty())  // one line: where the run is, then what runs now
      std::snprintf(line, sizeof line, "[%zu/%zu] %s elapsed%s | %s %s", n + 1, jobs.size(),
                    clock_text(elapsed).c_str(), eta.c_str(), what.c_str(), cell.id.c_str());
    else
      std::snprintf(line, sizeof line, "[%*zu/%zu] %-8s %s  %s elapsed%s",
                    int(std::to_string(jobs.size()).size()), n + 1, jobs.size(), what.c_str(),
                    cell.id.c_str(), clock_text(elapsed).c_str(), eta.c_str());
    progress.update(line);

    const auto t_job = std::chrono::steady_clock::now();
    CellOutcome o = cell.counted ? run_counted(cell, env) : run_cell(cell, env);
    if (!e.contains("command")) e["command"] = join(relative_to(opts.root, o.command), " ");
    if (!o.server_command.empty() && !e.contains("server_command"))
      e["server_command"] = join(relative_to(opts.root, o.server_command), " ");
    // The whole job (a counted cell is several runs), for the estimate of what is left.
    spent += std::chrono::duration<double>(std::chrono::steady_clock::now() - t_job).count();
    ++done;
    record_outcome(e, cell, job, o, repeats, progress);
    // The file is rewritten (all of it, fsynced) at most once a second, and after every run
    // that did not go well: a SIGKILL loses at most the last second of runs (a resume makes them
    // again), and a quick run no longer spends a tenth of its time writing (README, "Time
    // budget").
    const auto now = std::chrono::steady_clock::now();
    if (o.kind != CellOutcome::ok || now - last_save >= std::chrono::seconds(1)) {
      save_atomic(doc, out);
      last_save = now;
    }
  }

  progress.finish();
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

  const int bad = print_summary(cells, entries);
  std::cerr << "asyncbench: " << cells.size() << " cells, " << bad << " failed or timed out; "
            << out.string() << "\n";
  return bad ? 1 : 0;
}

}  // namespace asyncbench
