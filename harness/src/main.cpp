// asyncbench: runs the workload matrix, writes results, compares reports (SPEC §5).
//
//   asyncbench list
//   asyncbench run [-w W,..] [-m M,..] [--profile quick|full|smoke] [--repeat R] [--out FILE]
//   asyncbench run --resume FILE
//   asyncbench compare BASE.json NEW.json [--threshold PCT] [--format text|markdown]
//   asyncbench serve echo --model M [--host H] [--port P] [--no-nodelay]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

#include "compare.hpp"
#include "manifest.hpp"
#include "run.hpp"

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

int list(const fs::path& root) {
  const auto workloads = load_workloads(root);
  const auto& models = all_models();
  std::printf("Workloads:\n");
  for (const auto& w : workloads)
    std::printf("  %-8s %-18s %s\n", w.family.c_str(), w.id.c_str(), w.title.c_str());
  std::printf("\nModels: ");
  for (const auto& m : models) std::printf("%s ", m.c_str());
  std::printf("\n\nPairs (x: a program; u: unsupported, reason below; .: not part of it):\n%-18s",
              "");
  for (std::size_t i = 0; i < models.size(); ++i) std::printf(" %2zu", i + 1);
  std::printf("\n");
  std::map<std::string, std::vector<std::string>> reasons;
  for (const auto& w : workloads) {
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

// The servers `serve` starts: workloads/network/<what>/, one program per model (SPEC §5).
const std::vector<std::string> kEchoModels = {"sync",       "threads",   "threadpool", "processes",
                                              "aio-epoll",  "aio-uring", "libuv",      "asio",
                                              "py-asyncio", "py-uvloop"};

// Replaces this process with the model's server, so that the caller's signals (SIGINT, SIGTERM)
// and its wait reach the server itself. Returns only on failure.
int serve(const fs::path& root, const fs::path& bin_dir, const std::string& python,
          const std::string& what, const std::string& model, const std::vector<std::string>& rest) {
  if (what != "echo") {
    std::fprintf(stderr,
                 "asyncbench serve: '%s' is not available yet (the http delay server comes with "
                 "the network workloads); 'echo' is\n",
                 what.c_str());
    return 2;
  }
  std::vector<std::string> args;
  if (model == "py-asyncio" || model == "py-uvloop") {
    args = {python, (root / "workloads" / "network" / "echo" / "asyncio.py").string()};
  } else {
    const std::string program = model.rfind("aio-", 0) == 0 ? "aio" : model;
    args = {(bin_dir / ("wl-echo-" + program)).string()};
  }
  args.push_back("--model");
  args.push_back(model);
  args.insert(args.end(), rest.begin(), rest.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execvp(argv[0], argv.data());
  std::fprintf(stderr, "asyncbench serve: cannot start %s: %s\n", argv[0], std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"asyncbench: concurrency models measured on the asyncio lectures' scenarios"};
  app.require_subcommand(1);
  std::string root =
      std::getenv("ASYNCBENCH_ROOT") ? std::getenv("ASYNCBENCH_ROOT") : ASYNCBENCH_SOURCE_DIR;
  app.add_option("--root", root, "the asyncbench source tree (workloads/, results/)");

  CLI::App* cmd_list = app.add_subcommand("list", "workloads, models, and which pairs exist");

  RunOptions ro;
  std::vector<std::string> wl_arg, model_arg;
  std::string out_arg, resume_arg;
  CLI::App* cmd_run = app.add_subcommand("run", "run the matrix, each cell in fresh processes");
  cmd_run->add_option("-w,--workloads", wl_arg, "workloads (comma-separated; default all)");
  cmd_run->add_option("-m,--models", model_arg, "models (comma-separated; default all)");
  cmd_run
      ->add_option("--profile", ro.profile, "quick (3 runs, ~3 min), full (9 runs, ~20 min), smoke")
      ->check(CLI::IsMember({"quick", "full", "smoke"}));
  cmd_run->add_option("--repeat", ro.repeats, "counted runs per cell (default: the profile's)")
      ->check(CLI::Range(1, 1000));
  cmd_run->add_flag("!--no-warmup", ro.warmup, "skip the warm-up run of each cell");
  cmd_run->add_option("--out", out_arg, "results file (default results/latest.json)");
  cmd_run->add_option("--resume", resume_arg, "continue an interrupted run's file")
      ->check(CLI::ExistingFile);

  CompareOptions co;
  std::string base_arg, next_arg;
  CLI::App* cmd_cmp = app.add_subcommand("compare", "compare two results files");
  cmd_cmp->add_option("base", base_arg, "the results to compare against")
      ->required()
      ->check(CLI::ExistingFile);
  cmd_cmp->add_option("new", next_arg, "the new results")->required()->check(CLI::ExistingFile);
  cmd_cmp
      ->add_option("--threshold", co.threshold_pct,
                   "smallest change, in %, that can count as a regression")
      ->check(CLI::Range(0.0, 1000.0));
  cmd_cmp->add_option("--format", co.format, "text or markdown")
      ->check(CLI::IsMember({"text", "markdown"}));

  std::string serve_what, serve_model, serve_host;
  int serve_port = -1;
  bool serve_nodelay = true;
  CLI::App* cmd_serve = app.add_subcommand(
      "serve", "one model's server alone, for outside clients: prints 'listening HOST:PORT'");
  cmd_serve->add_option("what", serve_what, "echo (http: not yet)")->required();
  cmd_serve->add_option("--model", serve_model, "the model whose server to run")
      ->required()
      ->check(CLI::IsMember(kEchoModels));
  cmd_serve->add_option("--host", serve_host, "address to listen on (default 127.0.0.1)");
  cmd_serve->add_option("--port", serve_port, "port (default 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd_serve->add_flag("!--no-nodelay", serve_nodelay, "leave Nagle's algorithm on");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "asyncbench: %s\n", e.what());
    return 2;
  }
  try {
    if (*cmd_list) return list(root);
    if (*cmd_run) {
      ro.root = root;
      ro.bin_dir = self_dir();
      if (const char* py = std::getenv("ASYNCBENCH_PYTHON")) ro.python = py;
      ro.workloads = split(wl_arg);
      ro.models = split(model_arg);
      ro.out = out_arg;
      ro.resume = resume_arg;
      for (int i = 0; i < argc; ++i) ro.command_line.push_back(argv[i]);
      return run_matrix(ro);
    }
    if (*cmd_serve) {
      std::vector<std::string> rest;
      if (!serve_host.empty()) rest.insert(rest.end(), {"--host", serve_host});
      if (serve_port >= 0) rest.insert(rest.end(), {"--port", std::to_string(serve_port)});
      if (!serve_nodelay) rest.push_back("--no-nodelay");
      const char* py = std::getenv("ASYNCBENCH_PYTHON");
      return serve(root, self_dir(), py ? py : RunOptions{}.python, serve_what, serve_model, rest);
    }
    if (*cmd_cmp) {
      co.base = base_arg;
      co.next = next_arg;
      return compare_files(co, std::cout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asyncbench: %s\n", e.what());
    return 2;
  }
  return 2;
}
