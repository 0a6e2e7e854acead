// The cell runner (run_cell): one run of a cell against planted programs and servers that behave
// or misbehave on request, and what each outcome is recorded as.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cell.hpp"

using namespace asyncbench;
namespace fs = std::filesystem;

namespace {

struct Tree {
  fs::path root;
  Tree() {
    char tmpl[] = "/tmp/asyncbench_cell_XXXXXX";
    root = ::mkdtemp(tmpl);
  }
  ~Tree() { fs::remove_all(root); }
};

void write(const fs::path& p, const std::string& text, bool executable = false) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  if (executable) ::chmod(p.c_str(), 0755);
}

// A client that behaves as its --mode says. It reports the arguments it got as metrics.
const char* kClient = R"(#!/bin/sh
workload=$1; shift
mode=ok; pid=0; port=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift ;;
    --server-pid) pid=$2; shift ;;
    --port) port=$2; shift ;;
  esac
  shift
done
case "$mode" in
  ok) echo '{"workload": "'$workload'", "model": "sync", "status": "ok", "elapsed_s": 0.01, "metrics": {"score": 3, "server_pid": '$pid', "port": '$port'}}' ;;
  undeclared) echo '{"workload": "planted", "model": "sync", "status": "ok", "elapsed_s": 0.01, "metrics": {"mystery": 1}}' ;;
  crash) kill -SEGV $$ ;;
  hang) sleep 30 ;;
  unsupported) echo '{"workload": "planted", "model": "sync", "status": "unsupported", "error": "not on Tuesdays"}'; exit 77 ;;
  impostor) echo '{"workload": "count", "model": "sync", "status": "ok", "elapsed_s": 0.01}' ;;
  garbage) echo 'hello' ;;
  flood) head -c 64000000 /dev/zero | tr '\0' x >&2; echo "the last words" >&2; exit 1 ;;
esac
)";

const char* kServer = R"(#!/bin/sh
trap 'exit 0' TERM
echo "listening 127.0.0.1:4321"
while :; do sleep 0.05; done
)";

// Serves; on SIGTERM writes 64 MB to stderr (as CPython's asyncio writes a traceback per failed
// accept when descriptors run out), then exits 3. The flood comes while the harness drains the
// server's stderr in the background, which is where a server's flood lands.
const char* kFloodServer = R"(#!/bin/sh
trap 'head -c 64000000 /dev/zero | tr "\0" y >&2; echo "the server says goodbye" >&2; exit 3' TERM
echo "listening 127.0.0.1:4321"
while :; do sleep 0.05; done
)";

// A server that cannot run here (server.hpp: one line on stderr, exit 77 before it listens).
const char* kUnableServer = R"sh(#!/bin/sh
echo "starting up"
echo "planted-unable: io_uring is not available here (io_uring_setup: Operation not permitted)" >&2
exit 77
)sh";

const char* kDeadServer = R"(#!/bin/sh
echo "cannot bind" >&2
exit 1
)";

struct Fixture {
  Tree tree;
  Suite suite;
  RunEnv env;

  Fixture() {
    const fs::path r = tree.root;
    // The real registry, with two planted server roles added.
    std::ifstream in(fs::path(ASYNCBENCH_SOURCE_DIR) / "workloads" / "models.json");
    Json reg = Json::parse(in);
    reg["servers"]["planted"] = {{"program", "planted-server.sh"}, {"source", "sync.cpp"}};
    reg["servers"]["dead"] = {{"program", "dead-server.sh"}, {"source", "sync.cpp"}};
    reg["servers"]["flooding"] = {{"program", "flood-server.sh"}, {"source", "sync.cpp"}};
    reg["servers"]["unable"] = {{"program", "unable-server.sh"}, {"source", "sync.cpp"}};
    write(r / "workloads" / "models.json", reg.dump());
    const std::string decl = R"("metrics": {"elapsed_s": {"unit": "s", "direction": "lower", "role": "measured", "primary": true},
                                "score": {"unit": "count", "direction": "higher", "role": "measured"},
                                "server_pid": {"unit": "pid", "direction": "info", "role": "description"},
                                "port": {"unit": "port", "direction": "info", "role": "description"}})";
    const std::string profiles =
        R"("profiles": {"quick": {"timeout_s": 2, "cells": [{"params": {"mode": "ok"}}]}})";
    for (const char* id : {"planted", "served", "unserved", "flooded", "unable"}) {
      write(r / "workloads" / "test" / id / "sync.cpp", "");
      std::string server;
      if (std::string(id) == "served")
        server = R"("server": {"role": "planted", "model": "sync", "pass_pid": true},)";
      if (std::string(id) == "unserved")
        server = R"("server": {"role": "dead", "model": "sync"},)";
      if (std::string(id) == "unable")
        server = R"("server": {"role": "unable", "model": "sync"},)";
      if (std::string(id) == "flooded")
        server = R"("server": {"role": "flooding", "model": "sync"},)";
      write(r / "workloads" / "test" / id / "workload.json",
            std::string(R"({"id": ")") + id + R"(", "family": "test", "title": "planted", )" +
                server + R"("program": ["{bin}/planted-client.sh", "{workload}"], )" + decl + ", " + profiles +
                "}");
    }
    write(r / "bin" / "planted-client.sh", kClient, true);
    write(r / "bin" / "planted-server.sh", kServer, true);
    write(r / "bin" / "dead-server.sh", kDeadServer, true);
    write(r / "bin" / "flood-server.sh", kFloodServer, true);
    write(r / "bin" / "unable-server.sh", kUnableServer, true);
    suite = load_suite(r);
    env.suite = &suite;
    env.bin_dir = r / "bin";
    env.cores = 1;
  }

  CellOutcome run(const std::string& workload, const std::string& mode) {
    std::vector<Cell> cells = plan(suite, "quick", {workload}, {"sync"});
    EXPECT_EQ(cells.size(), 1u);
    Cell c = cells.at(0);
    c.params["mode"] = mode;
    return run_cell(c, env);
  }
};

}  // namespace

TEST(CellRunner, AnOkRunRecordsItsDeclaredMetricsAndTheMachine) {
  Fixture f;
  const CellOutcome o = f.run("planted", "ok");
  ASSERT_EQ(o.kind, CellOutcome::ok) << o.error;
  EXPECT_DOUBLE_EQ(o.record.elapsed_s, 0.01);
  EXPECT_EQ(o.record.metrics["score"], 3);
  EXPECT_GT(o.record.wall_s, 0);
  EXPECT_GE(o.record.load_before, 0);
  EXPECT_TRUE(o.server_command.empty());
  EXPECT_EQ(o.command.back(), "ok");
}

TEST(CellRunner, AnUndeclaredMetricFailsTheRun) {
  Fixture f;
  const CellOutcome o = f.run("planted", "undeclared");
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("'mystery'"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("does not declare"), std::string::npos) << o.error;
}

TEST(CellRunner, CrashesHangsGarbageAndImpostorsAreOutcomesNotExceptions) {
  Fixture f;
  CellOutcome o = f.run("planted", "crash");
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("signal"), std::string::npos) << o.error;
  o = f.run("planted", "hang");
  EXPECT_EQ(o.kind, CellOutcome::timeout);
  EXPECT_NE(o.error.find("timed out after 2 s"), std::string::npos) << o.error;
  o = f.run("planted", "garbage");
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("no JSON line"), std::string::npos) << o.error;
  o = f.run("planted", "impostor");
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("reported count/sync"), std::string::npos) << o.error;
  o = f.run("planted", "unsupported");
  EXPECT_EQ(o.kind, CellOutcome::unsupported);
  EXPECT_EQ(o.error, "not on Tuesdays");
}

TEST(CellRunner, TheDeclaredServerRunsAroundTheRunAndItsPidIsPassed) {
  Fixture f;
  const CellOutcome o = f.run("served", "ok");
  ASSERT_EQ(o.kind, CellOutcome::ok) << o.error;
  EXPECT_EQ(o.record.metrics["port"], 4321);
  EXPECT_GT(o.record.metrics["server_pid"].get<int>(), 0);
  EXPECT_TRUE(o.record.metrics.contains("server_cpu_total_s"));
  EXPECT_EQ(o.record.metrics["pinning"], "not pinned (1 core)");
  ASSERT_FALSE(o.server_command.empty());
  EXPECT_NE(o.server_command.front().find("planted-server.sh"), std::string::npos);
  // It is gone afterwards.
  EXPECT_NE(::kill(o.record.metrics["server_pid"].get<int>(), 0), 0);
}

TEST(CellRunner, AServerThatCannotStartFailsTheCellWithItsWords) {
  Fixture f;
  const CellOutcome o = f.run("unserved", "ok");
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("server:"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("cannot bind"), std::string::npos) << o.error;
}

// A server that exits 77 cannot run here: the cell is unsupported with its reason, not failed,
// and the program is never started.
TEST(CellRunner, AServerThatCannotRunHereMakesTheCellUnsupported) {
  Fixture f;
  const CellOutcome o = f.run("unable", "ok");
  EXPECT_EQ(o.kind, CellOutcome::unsupported) << o.error;
  EXPECT_EQ(o.error, "planted-unable: io_uring is not available here (io_uring_setup: Operation not permitted)");
  EXPECT_EQ(o.wall_s, 0);  // the client did not run
}

namespace {

long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

TEST(StreamTail, KeepsTheLastBytesAndCountsTheRest) {
  StreamTail t(8);
  for (char c = 'a'; c <= 'z'; ++c) t.append(&c, 1);
  EXPECT_EQ(t.text(), "stuvwxyz");
  EXPECT_EQ(t.dropped(), 18u);
  t.append("0123456789", 10);
  EXPECT_EQ(t.text(), "23456789");
  EXPECT_EQ(t.dropped(), 28u);
  EXPECT_EQ(excerpt("hello\n", 0, 300), "hello");
  EXPECT_EQ(excerpt("", 0, 300), "");
  EXPECT_EQ(excerpt("abcdef", 41'600'000, 3), "...[41.6 MB of stderr dropped]...def");
  EXPECT_EQ(byte_size_text(999), "999 B");
  EXPECT_EQ(byte_size_text(4096), "4.1 kB");
  EXPECT_EQ(byte_size_text(512'000'000), "512 MB");
}

// A program that writes 64 MB to stderr: the harness keeps a bounded tail (its memory does not
// grow by the flood), the error shows the stream's end, and says how much it dropped.
TEST(CellRunner, AProgramsStderrFloodIsKeptAsABoundedTailThatSaysWhatItDropped) {
  Fixture f;
  const long before = peak_rss_kb();
  const CellOutcome o = f.run("planted", "flood");
  const long grew_kb = peak_rss_kb() - before;
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("the last words"), std::string::npos) << o.error.substr(0, 500);
  EXPECT_NE(o.error.find("...[64.0 MB of stderr dropped]..."), std::string::npos)
      << o.error.substr(0, 500);
  EXPECT_LT(o.error.size(), 1000u);
  EXPECT_LT(grew_kb, 32 * 1024) << "the harness kept the flood";
}

TEST(CellRunner, AServersStderrFloodIsKeptAsABoundedTailThatSaysWhatItDropped) {
  Fixture f;
  const long before = peak_rss_kb();
  const CellOutcome o = f.run("flooded", "ok");
  const long grew_kb = peak_rss_kb() - before;
  EXPECT_EQ(o.kind, CellOutcome::failed);
  EXPECT_NE(o.error.find("exited with 3 on SIGTERM"), std::string::npos) << o.error.substr(0, 500);
  EXPECT_NE(o.error.find("the server says goodbye"), std::string::npos) << o.error.substr(0, 500);
  EXPECT_NE(o.error.find("...[64.0 MB of stderr dropped]..."), std::string::npos)
      << o.error.substr(0, 500);
  EXPECT_LT(o.error.size(), 1000u);
  EXPECT_LT(grew_kb, 32 * 1024) << "the harness kept the flood";
}
