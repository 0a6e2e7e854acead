// asyncbench: runs the workload matrix, writes results, compares reports (SPEC §5).
//
//   asyncbench list
//   asyncbench run [-w W,..] [-m M,..] [--profile quick|full|smoke] [--repeat R] [--out FILE]
//   asyncbench run --resume FILE
//   asyncbench compare BASE.json NEW.json [--threshold PCT] [--format text|markdown|json]
//   asyncbench compare FILE... --pair A:B [--pair C:D] [-w W] [--where k=v] [--metric M]
//   asyncbench serve echo --model M [--host H] [--port P] [--no-nodelay]
//   asyncbench serve http [--model aio-epoll|aio-uring] [--host H] [--port P] [--delay-ms D]
//   asyncbench trace W --model M --out FILE [--profile P] [--param name=value]...
//   asyncbench load echo --port P [--host H] [--connections C] [--size S] [--duration-s D]
//                        [--warmup-s W] [--rate R] [--server-pid PID] [--model M]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <algorithm>
#include <map>

#include "compare.hpp"
#include "load.hpp"
#include "manifest.hpp"
#include "merge.hpp"
#include "run.hpp"
#include "server.hpp"
#include "trace.hpp"

#ifndef ASYNCBENCH_SOURCE_DIR
#define ASYNCBENCH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using namespace asyncbench;

namespace {

fs::path self_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : exe.parent_path();
}

// Replaces this process with args[0] (looked up on PATH) given args. Returns only on failure,
// with errno set.
void exec_argv(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execvp(argv[0], argv.data());
}

// The subcommands written in Python (python/asyncbench/<module>.py: report) are run by
// replacing this process with `python3 -m asyncbench.<module> ARGS...`, the checkout's python/
// first on PYTHONPATH and $ASYNCBENCH naming this binary, so that the Python side's compare
// is this build's. Their errors, help and exit status are the module's.
int exec_python_tool(const std::string& root, const std::string& module,
                     const std::vector<std::string>& rest) {
  const char* py_env = std::getenv("ASYNCBENCH_PYTHON");
  const std::string python = py_env ? py_env : RunOptions{}.python;
  const std::string pkg = (fs::path(root) / "python").string();
  const char* old = std::getenv("PYTHONPATH");
  const std::string path = old && *old ? pkg + ":" + old : pkg;
  ::setenv("PYTHONPATH", path.c_str(), 1);
  ::setenv("ASYNCBENCH_ROOT", root.c_str(), 1);
  if (!std::getenv("ASYNCBENCH")) ::setenv("ASYNCBENCH", (self_dir() / "asyncbench").c_str(), 1);
  std::vector<std::string> args = {python, "-m", "asyncbench." + module};
  args.insert(args.end(), rest.begin(), rest.end());
  exec_argv(args);
  std::fprintf(stderr, "asyncbench %s: cannot run %s: %s (set ASYNCBENCH_PYTHON, or make deps)\n",
               module.c_str(), python.c_str(), std::strerror(errno));
  return 2;
}

std::vector<std::string> split(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::size_t start = 0;
    while (start <= a.size()) {
      const std::size_t comma = a.find(',', start);
      const std::string part =
          a.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// `run --select FIELD=VALUE[,VALUE]...`: the registry's models whose facts match every one
// (and, when -m named some, are among them), in registry order. Throws std::invalid_argument
// for a malformed selector, a field or value no model has, or a choice of none.
std::vector<std::string> selected_models(const fs::path& root, const std::vector<std::string>& args,
                                         const std::vector<std::string>& among) {
  const Registry registry = Registry::load(root);
  Json select = Json::object();
  for (const std::string& a : args) {
    const std::size_t eq = a.find('=');
    const auto values = eq == std::string::npos ? std::vector<std::string>{}
                                                : split({a.substr(eq + 1)});
    if (eq == 0 || values.empty())
      throw std::invalid_argument("--select wants FIELD=VALUE[,VALUE], not '" + a + "'");
    select[a.substr(0, eq)] = values.size() == 1 ? Json(values[0]) : Json(values);
  }
  registry.check_selector(select);
  std::vector<std::string> out;
  for (const Model& m : registry.models())
    if (m.matches(select) &&
        (among.empty() || std::find(among.begin(), among.end(), m.id) != among.end()))
      out.push_back(m.id);
  if (out.empty())
    throw std::invalid_argument("--select " + select.dump() + " chooses no model" +
                                (among.empty() ? "" : " of -m"));
  return out;
}

// The cells a profile would run, one id a line, in the order run runs them; an unsupported cell
// with its reason.
int list_cells(const fs::path& root, const std::string& profile) {
  const Suite suite = load_suite(root);
  for (const Cell& c : plan(suite, profile, {}, {}))
    std::printf("%s%s%s\n", c.id.c_str(), c.unsupported.empty() ? "" : "  unsupported: ",
                c.unsupported.c_str());
  return 0;
}

int list(const fs::path& root) {
  const Suite suite = load_suite(root);
  const auto models = suite.registry.ids();
  std::printf("Workloads:\n");
  for (const auto& w : suite.workloads)
    std::printf("  %-8s %-18s %s\n", w.family.c_str(), w.id.c_str(), w.title.c_str());
  std::printf("\nModels (workloads/models.json):\n");
  for (const Model& m : suite.registry.models())
    std::printf("  %-11s %-10s %-6s %s\n", m.id.c_str(), m.kind.c_str(), m.language.c_str(),
                m.description.c_str());
  std::printf("\nPairs (x: a program; u: unsupported, reason below; .: not part of it):\n%-18s",
              "");
  for (std::size_t i = 0; i < models.size(); ++i) std::printf(" %2zu", i + 1);
  std::printf("\n");
  std::map<std::string, std::vector<std::string>> reasons;
  for (const auto& w : suite.workloads) {
    std::printf("%-18s", w.id.c_str());
    for (const auto& m : models) {
      const bool has = std::find(w.models.begin(), w.models.end(), m) != w.models.end();
      const auto u = w.unsupported.find(m);
      std::printf("  %c", has ? 'x' : (u != w.unsupported.end() ? 'u' : '.'));
      if (u != w.unsupported.end()) reasons[w.id].push_back(m + ": " + u->second);
    }
    std::printf("\n");
  }
  std::printf("\n(columns: ");
  for (std::size_t i = 0; i < models.size(); ++i)
    std::printf("%zu %s%s", i + 1, models[i].c_str(), i + 1 < models.size() ? ", " : ")\n");
  for (const auto& [w, rs] : reasons) {
    std::printf("\n%s, unsupported:\n", w.c_str());
    for (const auto& r : rs) std::printf("  %s\n", r.c_str());
  }
  return 0;
}

// Replaces this process with the model's server, so that the caller's signals (SIGINT, SIGTERM)
// and its wait reach the server itself. Returns only on failure.
int serve(const fs::path& root, const fs::path& bin_dir, const std::string& python,
          const std::string& what, std::string model, const std::vector<std::string>& rest) {
  std::vector<std::string> args;
  try {
    const Suite suite = load_suite(root);
    const ServerRole& role = suite.registry.server(what);
    const bool modelless = !role.program.empty() && role.source.empty();
    if (model.empty() && !modelless) {
      if (role.default_model.empty()) {
        std::fprintf(stderr, "asyncbench serve: --model is required for the %s server\n",
                     what.c_str());
        return 2;
      }
      model = role.default_model;
    }
    args = server_command(suite, what, model, bin_dir, python);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "asyncbench serve: %s\n", e.what());
    return 2;
  }
  args.insert(args.end(), rest.begin(), rest.end());
  exec_argv(args);
  std::fprintf(stderr, "asyncbench serve: cannot start %s: %s\n", args[0].c_str(),
               std::strerror(errno));
  return 1;
}

// `asyncbench load echo`: the load client, one JSON line in the workloads' contract.
int load(const std::string& what, const std::string& model, const LoadOptions& o) {
  if (what != "echo") {
    std::fprintf(stderr, "asyncbench load: '%s' has no load client (echo has)\n", what.c_str());
    return 2;
  }
  if (o.requests > 0 && o.rate > 0) {
    std::fprintf(stderr, "asyncbench load: --requests is a closed loop; it takes no --rate\n");
    return 2;
  }
  const LoadResult r = run_echo_load(o);
  Json line;
  line["workload"] = "echo";
  line["model"] = model;
  Json params = {{"connections", o.connections},
                 {"size", o.size},
                 {"mode", o.rate > 0 ? "open" : "closed"},
                 {"duration_s", o.duration_s},
                 {"warmup_s", o.warmup_s}};
  if (o.rate > 0) params["rate"] = o.rate;
  if (o.requests > 0) {
    params["requests"] = o.requests;
    params.erase("duration_s");
    params.erase("warmup_s");
  }
  line["params"] = params;
  std::string error = r.error;
  if (error.empty() && r.requests == 0)
    error = "no echo completed in the measured window (" + std::to_string(r.errors) +
            " connections lost, " + std::to_string(r.stalled_connections) + " stalled)";
  if (!error.empty()) {
    line["status"] = "failed";
    line["error"] = error;
    std::printf("%s\n", line.dump().c_str());
    return 1;
  }
  line["status"] = "ok";
  line["elapsed_s"] = r.window_s;
  Json m;
  const auto us = [&](double q) { return r.latency.quantile(q) / 1e3; };
  m["rps"] = double(r.requests) / r.window_s;
  m["p50_us"] = us(0.50);
  m["p90_us"] = us(0.90);
  m["p99_us"] = us(0.99);
  m["p999_us"] = us(0.999);
  m["max_us"] = double(r.latency.max()) / 1e3;
  m["mean_us"] = r.latency.mean() / 1e3;
  m["requests"] = r.requests;
  m["requests_total"] = r.requests_total;
  m["errors"] = r.errors;
  m["stalled_connections"] = r.stalled_connections;
  if (o.rate > 0) m["unfinished"] = r.unfinished;
  if (r.server_cpu_s >= 0) {
    m["server_cpu_s"] = r.server_cpu_s;
    m["server_cpu_us_per_req"] = r.server_cpu_s * 1e6 / double(r.requests);
  }
  m["client_cpu_s"] = r.client_cpu_s;
  line["metrics"] = m;
  line["histograms"] = {{"latency", r.latency.to_json()}};
  std::printf("%s\n", line.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"asyncbench: concurrency models measured on the asyncio lectures' scenarios"};
  app.require_subcommand(1);
  std::string root =
      std::getenv("ASYNCBENCH_ROOT") ? std::getenv("ASYNCBENCH_ROOT") : ASYNCBENCH_SOURCE_DIR;
  app.add_option("--root", root, "the asyncbench source tree (workloads/, results/)");

  CLI::App* cmd_list = app.add_subcommand("list", "workloads, models, and which pairs exist");
  std::string list_profile;
  cmd_list->add_option("--profile", list_profile,
                       "print instead the cells this profile runs, one id a line (an unsupported "
                       "one with its reason)");

  RunOptions ro;
  std::vector<std::string> wl_arg, model_arg;
  std::string out_arg, resume_arg;
  CLI::App* cmd_run = app.add_subcommand("run", "run the matrix, each cell in fresh processes");
  cmd_run->add_option("-w,--workloads", wl_arg, "workloads (comma-separated; default all)");
  cmd_run->add_option("-m,--models", model_arg, "models (comma-separated; default all)");
  std::vector<std::string> select_arg;
  cmd_run->add_option("--select", select_arg,
                      "models by their registry facts, FIELD=VALUE[,VALUE] (repeatable: all must "
                      "hold): language=c++, kind=concurrent, concurrency=event-loop, task, "
                      "backend, loop; with -m, the models in both");
  cmd_run
      ->add_option("--profile", ro.profile,
                   "as workloads/models.json declares them: quick (3 runs, 2.5 min here), full (5 "
                   "runs, 16.5 min here; make bench with counts and report 19), smoke, counted "
                   "(instructions and system calls under valgrind and perf, 1 run)");
  bool count_flag = false;
  cmd_run->add_flag("--count", count_flag, "the same as --profile counted");
  cmd_run->add_option("--repeat", ro.repeats, "counted runs per cell (default: the profile's)")
      ->check(CLI::Range(1, 1000));
  cmd_run->add_option("--where", ro.where,
                      "only the cells whose parameter matches, e.g. connections=16,256 "
                      "(repeatable: all must match)");
  cmd_run->add_flag("!--no-warmup", ro.warmup,
                    "skip the warm-up run of each program (the profiles that have one: smoke)");
  cmd_run->add_option("--out", out_arg, "results file (default results/latest.json)");
  cmd_run->add_option("--resume", resume_arg, "continue an interrupted run's file")
      ->check(CLI::ExistingFile);

  CompareOptions co;
  std::vector<std::string> compare_files_arg, pair_arg, cmp_wl_arg;
  CLI::App* cmd_cmp = app.add_subcommand(
      "compare", "compare two results files (BASE NEW), or models within files (--pair A:B)");
  cmd_cmp->add_option("files", compare_files_arg, "BASE NEW; with --pair, one or more files")
      ->required()
      ->check(CLI::ExistingFile);
  // A number, finite (CLI11's Range lets nan through: every comparison with it is false).
  const auto finite_pct = CLI::Validator(
      [](std::string& v) -> std::string {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d) || d < 0 || d > 1000)
          return "must be a number from 0 to 1000, not '" + v + "'";
        return {};
      },
      "PCT");
  cmd_cmp
      ->add_option("--threshold", co.threshold_pct,
                   "smallest change, in %, that can count as a regression (default 5)")
      ->check(finite_pct);
  cmd_cmp
      ->add_option("--deterministic-threshold", co.deterministic_threshold_pct,
                   "the same for deterministic metrics, instruction counts (default 2)")
      ->check(finite_pct);
  cmd_cmp->add_option("--format", co.format, "text, markdown or json (the whole verdict)")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  cmd_cmp->add_option("--pair", pair_arg,
                      "A:B: model A against model B within the files, paired by round "
                      "(repeatable)");
  cmd_cmp->add_option("-w,--workloads", cmp_wl_arg, "only these workloads (comma-separated)");
  cmd_cmp->add_option("--where", co.where,
                      "only the cells whose parameter matches, e.g. connections=16,256 "
                      "(repeatable: all must match)");
  cmd_cmp->add_option("--metric", co.metrics, "with --pair: only these metrics (repeatable)");
  cmd_cmp->add_flag("--strict", co.strict,
                    "a secondary regression fails too (default: only a primary one does)");
  cmd_cmp
      ->add_option("--role", co.role,
                   "only the metrics of this role, e.g. deterministic (the counts' gate)")
      ->check(CLI::IsMember({"measured", "count", "deterministic"}));

  std::string serve_what, serve_model, serve_host;
  int serve_port = -1, serve_delay_ms = -1;
  bool serve_nodelay = true;
  CLI::App* cmd_serve = app.add_subcommand(
      "serve", "one model's server alone, for outside clients: prints 'listening HOST:PORT'");
  cmd_serve->add_option("what", serve_what, "the server: echo or http (the delay server); the "
                                             "registry's servers (workloads/models.json)")
      ->required();
  cmd_serve->add_option("--model", serve_model,
                        "the model whose server to run (http: aio-epoll or aio-uring, default "
                        "aio-epoll)");
  cmd_serve->add_option("--host", serve_host, "address to listen on (default 127.0.0.1)");
  cmd_serve->add_option("--port", serve_port, "port (default 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd_serve->add_flag("!--no-nodelay", serve_nodelay, "echo: leave Nagle's algorithm on");
  cmd_serve
      ->add_option("--delay-ms", serve_delay_ms,
                   "http: the delay of any path other than /delay/<ms>/<bytes> (default 0)")
      ->check(CLI::Range(0, 600000));

  TraceOptions to;
  CLI::App* cmd_trace = app.add_subcommand(
      "trace", "one traced run of a workload as a Chrome trace-event file (Perfetto)");
  cmd_trace->add_option("workload", to.workload, "the workload (count, chess, ...)")->required();
  cmd_trace->add_option("--model", to.model, "the model")->required();
  cmd_trace->add_option("--out", to.out, "the trace file to write")->required();
  cmd_trace->add_option("--profile", to.profile, "whose cell to run (default quick)");
  cmd_trace->add_option("--param", to.params,
                        "name=value: pick the cell with it, or override it (repeatable)");

  LoadOptions lo;
  std::string load_what, load_model = "external";
  CLI::App* cmd_load = app.add_subcommand(
      "load", "the load client: drive a running echo server, print one JSON line of results");
  cmd_load->add_option("what", load_what, "echo")->required()->check(CLI::IsMember({"echo"}));
  cmd_load->add_option("--host", lo.host, "the server's address (default 127.0.0.1)");
  cmd_load->add_option("--port", lo.port, "the server's port")->required()->check(CLI::Range(1, 65535));
  cmd_load->add_option("--connections", lo.connections, "connections (default 16)")
      ->check(CLI::Range(1, 100000));
  cmd_load->add_option("--size", lo.size, "message size in bytes (default 64)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16} << 20));
  cmd_load->add_option("--duration-s", lo.duration_s, "the measured window (default 2)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd_load->add_option("--warmup-s", lo.warmup_s, "warm-up before it (default 0.5)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd_load
      ->add_option("--rate", lo.rate,
                   "open loop: requests per second over all connections (default 0: closed loop)")
      ->check(CLI::Range(0.0, 1e8));
  cmd_load->add_option("--drain-s", lo.drain_s, "open loop: wait for late echoes (default 2)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd_load
      ->add_option("--requests", lo.requests,
                   "a counted run: exactly this many requests per connection, then close "
                   "(closed loop; no warm-up or window)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd_load->add_option("--server-pid", lo.server_pid,
                       "measure this process's (and its children's) CPU over the window")
      ->check(CLI::PositiveNumber);
  cmd_load->add_option("--model", load_model, "the model id to report (default external)");

  // Python's: everything after the subcommand's name is the module's (--help included).
  CLI::App* cmd_report = app.add_subcommand(
      "report", "one self-contained HTML page of a results file: asyncbench report RESULTS.json "
                "[--compare BASE.json] --out FILE.html (report --help)");
  cmd_report->prefix_command()->set_help_flag();

  MergeOptions mo;
  std::vector<std::string> merge_files_arg;
  std::string merge_out;
  CLI::App* cmd_merge = app.add_subcommand(
      "merge", "join runs of the same cells from one machine and commit into one results file "
               "(rounds renumbered, histograms kept per run)");
  cmd_merge->add_option("files", merge_files_arg, "A.json B.json ...: two or more results files")
      ->required()
      ->check(CLI::ExistingFile);
  cmd_merge->add_option("--out", merge_out, "the merged results file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "asyncbench: %s\n", e.what());
    return 2;
  }
  try {
    if (*cmd_list) return list_profile.empty() ? list(root) : list_cells(root, list_profile);
    if (*cmd_run) {
      if (count_flag) {
        if (cmd_run->count("--profile") && ro.profile != "counted") {
          std::fprintf(stderr, "asyncbench: --count is --profile counted, not %s\n",
                       ro.profile.c_str());
          return 2;
        }
        ro.profile = "counted";
      }
      // Given but naming nothing is a mistake, not "everything" or "the default file".
      if (cmd_run->count("--out") && out_arg.empty())
        throw std::invalid_argument("--out is empty: give the results file to write");
      for (const auto& [flag, given] : {std::pair{"-w", &wl_arg}, std::pair{"-m", &model_arg}})
        if (!given->empty() && split(*given).empty())
          throw std::invalid_argument(std::string(flag) + " '" + given->back() + "' names no " +
                                      (flag == std::string("-w") ? "workload" : "model") +
                                      " (leave it out for all)");
      ro.root = root;
      ro.bin_dir = self_dir();
      if (const char* py = std::getenv("ASYNCBENCH_PYTHON")) ro.python = py;
      ro.workloads = split(wl_arg);
      ro.models = split(model_arg);
      if (!select_arg.empty()) ro.models = selected_models(root, select_arg, ro.models);
      ro.out = out_arg;
      ro.resume = resume_arg;
      for (int i = 0; i < argc; ++i) ro.command_line.push_back(argv[i]);
      return run_matrix(ro);
    }
    if (*cmd_serve) {
      std::vector<std::string> rest;
      rest.insert(rest.end(), {"--host", serve_host.empty() ? "127.0.0.1" : serve_host});
      if (serve_port >= 0) rest.insert(rest.end(), {"--port", std::to_string(serve_port)});
      if (serve_what == "echo" && serve_delay_ms >= 0) {
        std::fprintf(stderr, "asyncbench serve: --delay-ms is for the http server\n");
        return 2;
      }
      if (serve_what == "http" && !serve_nodelay) {
        std::fprintf(stderr, "asyncbench serve: --no-nodelay is for the echo servers\n");
        return 2;
      }
      if (!serve_nodelay) rest.push_back("--no-nodelay");
      if (serve_delay_ms >= 0) rest.insert(rest.end(), {"--delay-ms", std::to_string(serve_delay_ms)});
      const char* py = std::getenv("ASYNCBENCH_PYTHON");
      return serve(root, self_dir(), py ? py : RunOptions{}.python, serve_what, serve_model, rest);
    }
    if (*cmd_report) return exec_python_tool(root, "report", cmd_report->remaining());
    if (*cmd_merge) {
      if (merge_out.empty()) throw std::invalid_argument("--out is empty: give the file to write");
      for (const auto& f : merge_files_arg) mo.files.emplace_back(f);
      mo.out = merge_out;
      mo.root = root;
      for (int i = 0; i < argc; ++i) mo.command_line.push_back(argv[i]);
      return merge_files(mo);
    }
    if (*cmd_load) return load(load_what, load_model, lo);
    if (*cmd_trace) {
      to.root = root;
      to.bin_dir = self_dir();
      if (const char* py = std::getenv("ASYNCBENCH_PYTHON")) to.python = py;
      return trace_workload(to);
    }
    if (*cmd_cmp) {
      for (const auto& f : compare_files_arg) co.files.emplace_back(f);
      for (const auto& p : pair_arg) {
        const auto colon = p.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == p.size())
          throw std::invalid_argument("--pair wants A:B (two model ids), not '" + p + "'");
        co.pairs.emplace_back(p.substr(0, colon), p.substr(colon + 1));
      }
      co.workloads = split(cmp_wl_arg);
      co.root = root;
      return compare_files(co, std::cout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asyncbench: %s\n", e.what());
    return 2;
  }
  return 2;
}
