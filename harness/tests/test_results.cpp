// Results files (atomic writes, loading errors, run bookkeeping), planning cells, and compare.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cmath>
#include <map>
#include <sstream>

#include "compare.hpp"
#include "manifest.hpp"
#include "results.hpp"
#include "schema.hpp"

using namespace asyncbench;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/asyncbench_test_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A workload tree with the real registry and schema and one workload, demo, whose programs are
// sync.cpp, aio.cpp and asyncio.py (so: sync, aio-epoll, aio-uring, py-asyncio, py-uvloop).
fs::path make_tree(const fs::path& root) {
  fs::create_directories(root / "workloads" / "sleep" / "demo");
  fs::create_directories(root / "results");
  fs::copy_file(fs::path(ASYNCBENCH_SOURCE_DIR) / "workloads" / "models.json",
                root / "workloads" / "models.json");
  fs::copy_file(fs::path(ASYNCBENCH_SOURCE_DIR) / "results" / "schema.json",
                root / "results" / "schema.json");
  for (const char* f : {"sync.cpp", "aio.cpp", "asyncio.py"})
    write(root / "workloads/sleep/demo" / f, "");
  write(root / "workloads/sleep/demo/workload.json", R"({
    "id": "demo", "family": "sleep", "title": "a demo",
    "unsupported": [{"select": {"concurrency": "processes"}, "why": "not here"}],
    "metrics": {
      "elapsed_s": {"unit": "s", "direction": "lower", "role": "measured", "primary": true},
      "ideal_s": {"unit": "s", "direction": "info", "role": "ideal", "ideal_for": "elapsed_s"},
      "order": {"unit": "text", "direction": "info", "role": "description"},
      "rps": {"unit": "count", "direction": "lower", "role": "measured"},
      "rate": {"unit": "1/s", "direction": "higher", "role": "measured"},
      "instructions": {"unit": "count", "direction": "lower", "role": "deterministic"}
    },
    "profiles": {
      "quick": {"timeout_s": 5, "cells": [{"params": {"time_scale": 0.05}},
                                          {"params": {"time_scale": 0.1}, "select": {"kind": "sequential", "language": "c++"}}]}
    }})");
  return root;
}

// One tree for every results document the tests make.
const Suite& test_suite() {
  static TempDir dir;
  static const Suite suite = load_suite(make_tree(dir.path));
  return suite;
}

using Runs = std::vector<double>;
struct Planted {
  std::string model;
  Runs elapsed;
  std::map<std::string, Runs> metrics = {};
};

Json results_with(const std::string& profile, const std::vector<Planted>& cells,
                  bool disturbed = false, const std::string& cpu_model = "test") {
  Json run{{"started", "2026-11-22T10:00:00Z"},
           {"command", "test"},
           {"state", "complete"},
           {"plan",
            {{"profile", profile},
             {"workloads", Json::array()},
             {"models", Json::array()},
             {"repeats", 3},
             {"warmup", true}}}};
  Json machine{{"cpu_model", cpu_model}, {"cores", 2}, {"smt", "off"}, {"governor", "x"},
               {"kernel", "6"}, {"io_uring", "yes"}, {"compiler", "g++"}, {"build_type", "Release"},
               {"git_commit", "abc"},
               {"versions", {{"libuv", "1"}, {"boost", "1"}, {"liburing", "2"}, {"python", "3"}}}};
  Json doc = new_results(profile, machine, run);
  const Suite& suite = test_suite();
  std::vector<Cell> planned;
  for (const auto& p : cells) {
    Cell c;
    c.workload = suite.find("demo");
    c.model_info = &suite.registry.at(p.model);
    c.model = p.model;
    c.params = Json{{"time_scale", 0.05}};
    c.id = cell_id("demo", p.model, c.params);
    planned.push_back(c);
  }
  declare(doc, planned);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    Json& e = cell_entry(doc, planned[i], int(cells[i].elapsed.size()));
    for (std::size_t k = 0; k < cells[i].elapsed.size(); ++k) {
      RunRecord r;
      r.elapsed_s = cells[i].elapsed[k];
      r.wall_s = 1.0;
      r.cpu_s = 0.5;
      r.max_rss_kb = 1000;
      r.ctx_switches = 10;
      r.disturbed = disturbed;
      r.round = int(k);
      r.metrics = Json{{"ideal_s", 0.05}, {"order", "One Two"}};
      for (const auto& [m, v] : cells[i].metrics) r.metrics[m] = v[k];
      record_run(e, r);
    }
    set_status(e, "ok");
  }
  return doc;
}

int compare_docs(const Json& a, const Json& b, std::string* text = nullptr, double threshold = 5,
                 const std::string& format = "text", bool strict = false) {
  TempDir d;
  save_atomic(a, d.path / "a.json");
  save_atomic(b, d.path / "b.json");
  CompareOptions o;
  o.files = {d.path / "a.json", d.path / "b.json"};
  o.threshold_pct = threshold;
  o.format = format;
  o.strict = strict;
  o.root = test_suite().root;
  std::ostringstream out;
  const int rc = compare_files(o, out);
  if (text) *text = out.str();
  return rc;
}

// compare's one-line error for a broken file, or "" when it did not throw.
std::string compare_error(const Json& a, const Json& b) {
  try {
    compare_docs(a, b);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST(Results, AtomicWriteLeavesTheOldFileIntactUntilTheRename) {
  TempDir d;
  const fs::path f = d.path / "r.json";
  Json doc = results_with("quick", {{"sync", {1, 2, 3}}});
  save_atomic(doc, f);
  const Json back = load_results(f);
  EXPECT_EQ(back["results"].size(), 1u);
  // A writer that dies before its rename leaves a stray temporary, never a torn file.
  write(fs::path(f.string() + ".tmp.999999"), "{\"trunc");
  EXPECT_NO_THROW(load_results(f));
  for (const auto& e : fs::directory_iterator(d.path))
    EXPECT_TRUE(e.path() == f || e.path().string().find(".tmp.") != std::string::npos);
}

TEST(Results, LoadingRejectsForeignFilesClearly) {
  TempDir d;
  write(d.path / "bad.json", "{\"schema_version\": 1,");
  EXPECT_THROW(load_results(d.path / "bad.json"), std::runtime_error);
  write(d.path / "other.json", "{\"hello\": 1}");
  try {
    load_results(d.path / "other.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not an asyncbench results file"), std::string::npos);
  }
  Json v3 = results_with("quick", {});
  v3["schema_version"] = 3;
  save_atomic(v3, d.path / "v3.json");
  try {
    load_results(d.path / "v3.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema_version 3"), std::string::npos);
  }
  // NaN is not JSON: the error names the cell it is in.
  write(d.path / "nan.json",
        R"({"suite": "asyncbench", "schema_version": 2, "results": [{"id": "demo/sync", "elapsed_s": [NaN]}]})");
  try {
    load_results(d.path / "nan.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("demo/sync"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_results(d.path / "missing.json"), std::runtime_error);
}

TEST(Results, RecordRunKeepsArraysAndSummaryInStep) {
  Json doc = results_with("quick", {{"sync", {0.3, 0.1, 0.2}}});
  const Json& c = doc["results"][0];
  EXPECT_EQ(c["repeats"], 3);
  EXPECT_EQ(c["wall_s"].size(), 3u);
  EXPECT_DOUBLE_EQ(c["summary"]["elapsed_s"]["median"].get<double>(), 0.2);
  EXPECT_EQ(c["metrics"]["ideal_s"].size(), 3u);
  EXPECT_EQ(c["info"]["order"], "One Two");  // strings are described, not averaged
  EXPECT_EQ(c["status"], "ok");
}

TEST(Results, RoundsAreKeptPerRunAndContinuedAfterAResume) {
  Json doc = results_with("quick", {{"sync", {}}, {"threads", {}}});
  Json& a = doc["results"][0];
  Json& b = doc["results"][1];
  EXPECT_EQ(first_round(doc), 0);
  RunRecord r;
  r.elapsed_s = 0.1;
  for (int round : {0, 1}) {
    r.round = round;
    record_run(a, r);
  }
  r.round = 0;
  record_run(b, r);
  EXPECT_EQ(a["round"], Json::array({0, 1}));
  EXPECT_EQ(b["round"], Json::array({0}));
  // An interrupted run resumes in a new pass: past every round recorded, not at b's run count.
  EXPECT_EQ(first_round(doc), 2);
  // A cell with runs from before rounds were recorded stays without them, rather than have a
  // round for some runs only; and its run count still bounds the next round.
  Json old = results_with("quick", {{"sync", {0.1, 0.2, 0.3}}});
  Json& c = old["results"][0];
  c.erase("round");
  EXPECT_EQ(first_round(old), 3);
  r.round = 3;
  record_run(c, r);
  EXPECT_FALSE(c.contains("round"));
  EXPECT_EQ(c["repeats"], 4);
}

TEST(Results, RecordRunKeepsEachRunsHistogramsByName) {
  Json doc = results_with("quick", {{"sync", {0.3}}});
  Json& c = doc["results"][0];
  RunRecord r;
  r.elapsed_s = 0.2;
  r.metrics = Json{{"rps", 1000.0}, {"shape", Json{{"a", 1}}}};
  r.histograms = Json{{"latency", Json{{"total", 7}}}};
  record_run(c, r);
  r.histograms = Json{{"latency", Json{{"total", 9}}}};
  record_run(c, r);
  ASSERT_EQ(c["histograms"]["latency"].size(), 2u);
  EXPECT_EQ(c["histograms"]["latency"][1]["total"], 9);
  EXPECT_EQ(c["metrics"]["rps"].size(), 2u);
  // An object among the metrics is described once, whatever its name: only `histograms` holds
  // histograms.
  EXPECT_EQ(c["info"]["shape"]["a"], 1);
  EXPECT_FALSE(c["histograms"].contains("shape"));
}

TEST(Registry, TheRealRegistryDeclaresEveryModelOnce) {
  const Registry r = Registry::load(ASYNCBENCH_SOURCE_DIR);
  EXPECT_GE(r.models().size(), 11u);
  EXPECT_EQ(r.at("aio-uring").backend, "io_uring");
  EXPECT_EQ(r.at("aio-uring").stem(), "aio");
  EXPECT_EQ(r.at("py-uvloop").loop, "uvloop");
  EXPECT_EQ(r.at("threadpool").concurrency, "thread-pool");
  EXPECT_EQ(r.at("libuv").task, "callback");
  EXPECT_TRUE(r.at("libuv").matches(Json{{"concurrency", "event-loop"}, {"language", "c++"}}));
  EXPECT_TRUE(r.at("asio").matches(Json{{"task", {"thread", "coroutine"}}}));
  EXPECT_FALSE(r.at("asio").matches(Json{{"task", {"thread", "callback"}}}));
  EXPECT_FALSE(r.at("py-sync").matches(Json{{"kind", "sequential"}, {"language", "c++"}}));
  EXPECT_THROW(r.at("nope"), std::invalid_argument);
  EXPECT_EQ(r.run_metrics().at("cpu_s").direction, "lower");
  EXPECT_FALSE(r.run_metrics().at("steal_s").compared());
}

TEST(Registry, MalformedEntriesAreRefusedWithTheirName) {
  const auto entry = [](const char* kind, const char* concurrency = "none") {
    return Json{{"id", "m"},     {"label", "m"},        {"language", "c++"},
                {"kind", kind},  {"source", "m.cpp"},   {"concurrency", concurrency},
                {"task", "none"}};
  };
  Json metrics = Json::object();
  for (const std::string& k : run_arrays())
    metrics[k] = {{"unit", "s"}, {"direction", "info"}, {"role", "condition"}};
  EXPECT_NO_THROW(Registry::from_json(Json{{"models", {entry("limit")}}, {"run_metrics", metrics}}, "r"));
  try {
    Registry::from_json(Json{{"models", {entry("fast")}}, {"run_metrics", metrics}}, "r");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("model 'm'"), std::string::npos) << e.what();
  }
  // What runs its tasks is one of the declared kinds, so that a manifest's selector can rely on it.
  EXPECT_THROW(Registry::from_json(Json{{"models", {entry("limit", "fibres")}}, {"run_metrics", metrics}}, "r"),
               std::invalid_argument);
  EXPECT_THROW(Registry::from_json(Json{{"models", {entry("limit"), entry("limit")}},
                                        {"run_metrics", metrics}}, "r"),
               std::invalid_argument);
  // A metric that is never compared cannot have a direction; a primary one must be compared.
  EXPECT_THROW(MetricDecl::from_json(Json{{"unit", "s"}, {"direction", "lower"}, {"role", "ideal"}}, "x"),
               std::invalid_argument);
  EXPECT_THROW(MetricDecl::from_json(
                   Json{{"unit", "s"}, {"direction", "info"}, {"role", "measured"}, {"primary", true}}, "x"),
               std::invalid_argument);
  EXPECT_THROW(MetricDecl::from_json(Json{{"unit", "s"}, {"direction", "up"}, {"role", "measured"}}, "x"),
               std::invalid_argument);
}

TEST(Manifest, ModelsAreTheProgramsInTheDirectory) {
  const Suite& suite = test_suite();
  const Workload& w = *suite.find("demo");
  EXPECT_EQ(w.models, (std::vector<std::string>{"sync", "aio-epoll", "aio-uring", "py-asyncio",
                                                "py-uvloop"}));
  EXPECT_EQ(w.primary, "elapsed_s");
  // The harness's own figures are declared for every workload, and the manifest's beside them.
  EXPECT_EQ(w.metrics.at("wall_s").direction, "lower");
  EXPECT_EQ(w.metrics.at("rate").direction, "higher");
  EXPECT_EQ(w.metrics.at("ideal_s").ideal_for, "elapsed_s");
}

TEST(Manifest, PlansCellsPerModelAndProfile) {
  const Suite& suite = test_suite();
  const auto cells = plan(suite, "quick", {}, {});
  // sync: two cells; aio-epoll, aio-uring, py-asyncio, py-uvloop: one; processes: one, unsupported.
  ASSERT_EQ(cells.size(), 7u);
  int unsupported = 0;
  for (const auto& c : cells) unsupported += !c.unsupported.empty();
  EXPECT_EQ(unsupported, 1);
  EXPECT_EQ(cells[0].id, "demo/sync/time_scale:0.05");
  const auto only = plan(suite, "quick", {"demo"}, {"aio-uring"});
  ASSERT_EQ(only.size(), 1u);
  const auto cmd = command_for(only[0], "/b", "/usr/bin/python3");
  EXPECT_EQ(cmd, (std::vector<std::string>{"/b/wl-demo-aio", "--model", "aio-uring", "--time-scale",
                                           "0.05"}));
  const auto py = plan(suite, "quick", {"demo"}, {"py-uvloop"});
  ASSERT_EQ(py.size(), 1u);
  EXPECT_EQ(command_for(py[0], "/b", "/py")[1], (suite.find("demo")->dir / "asyncio.py").string());
  EXPECT_THROW(plan(suite, "quick", {"nope"}, {}), std::invalid_argument);
  EXPECT_THROW(plan(suite, "quick", {}, {"nope"}), std::invalid_argument);
  EXPECT_THROW(plan(suite, "nope", {}, {}), std::invalid_argument);
}

TEST(Manifest, WhereKeepsTheMatchingCells) {
  const auto cells = plan(test_suite(), "quick", {}, {});
  // Values as the cell ids write them; several values are alternatives.
  const auto slow = filter_cells(cells, {"time_scale=0.1"});
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0].id, "demo/sync/time_scale:0.1");
  EXPECT_EQ(filter_cells(cells, {"time_scale=0.1,0.05"}).size(), cells.size());
  EXPECT_THROW(filter_cells(cells, {"time_scale"}), std::invalid_argument);     // no value
  EXPECT_THROW(filter_cells(cells, {"=0.1"}), std::invalid_argument);           // no name
  EXPECT_THROW(filter_cells(cells, {"time_scale=,"}), std::invalid_argument);   // no value either
  EXPECT_THROW(filter_cells(cells, {"scale=0.1"}), std::invalid_argument);      // no such param
  EXPECT_THROW(filter_cells(cells, {"time_scale=0.2"}), std::invalid_argument); // nothing left
}

TEST(Manifest, MalformedManifestsNameTheFileAndTheProblem) {
  const auto refused = [](const std::string& manifest, const std::string& why) {
    TempDir d;
    make_tree(d.path);
    write(d.path / "workloads/sleep/demo/workload.json", manifest);
    try {
      load_suite(d.path);
      ADD_FAILURE() << "accepted: " << manifest;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("workload.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  const std::string metrics =
      R"("metrics": {"elapsed_s": {"unit": "s", "direction": "lower", "role": "measured", "primary": true}})";
  refused(R"({"id": "other", "family": "sleep", )" + metrics + R"(, "profiles": {}})", "directory");
  refused(R"({"id": "demo", "family": "sleep", "models": ["sync"], )" + metrics + R"(, "profiles": {}})",
          "no longer listed");
  refused(R"({"id": "demo", "family": "sleep", "profiles": {}})", "no \"metrics\"");
  refused(R"({"id": "demo", "family": "sleep", "metrics": {"x": {"unit": "s", "direction": "lower", "role": "measured"}}, "profiles": {}})",
          "no primary metric");
  // Models are chosen by their registry fields, never by id, and a choice must mean something.
  refused(R"({"id": "demo", "family": "sleep", "unsupported": {"sync": "why"}, )" + metrics +
              R"(, "profiles": {}})",
          "names no model ids");
  const auto unsupported = [&](const std::string& rule) {
    return R"({"id": "demo", "family": "sleep", "unsupported": [)" + rule + "], " + metrics +
           R"(, "profiles": {}})";
  };
  refused(unsupported(R"({"select": {"kind": "sequential"}, "why": "why"})"),
          "matches model 'sync', but its program sync.cpp is here");
  refused(unsupported(R"({"select": {"concurrency": "processes"}, "why": ""})"), "gives no reason");
  refused(unsupported(R"({"select": {"concurrency": "fibres"}, "why": "why"})"),
          "no model has concurrency 'fibres'");
  refused(unsupported(R"({"select": {"colour": "#000000"}, "why": "why"})"), "not by 'colour'");
  refused(unsupported(R"({"select": {"kind": "limit", "language": "python"}, "why": "why"})"),
          "matches no model");
  const auto cell = [&](const std::string& c) {
    return R"({"id": "demo", "family": "sleep", )" + metrics +
           R"(, "profiles": {"quick": {"cells": [)" + c + "]}}}";
  };
  refused(cell(R"({"models": ["sync"]})"), "names no model ids");
  refused(cell(R"({"select": {"concurrency": "threads"}})"), "chooses no model this workload has");
  refused(cell(R"({"select": {"kind": []}})"), "a value or a non-empty list");
  refused(cell(R"({"select": {}})"), "a selector is an object");
  refused(R"({"id": "demo", "family": "sleep", "server": {"role": "http", "model": "libuv"}, )" +
              metrics + R"(, "profiles": {}})",
          "cannot run as 'libuv'");
}

TEST(Results, TheFileCarriesTheDeclarations) {
  const Json doc = results_with("quick", {{"sync", {0.1, 0.2, 0.3}}});
  EXPECT_EQ(doc["schema_version"], 2);
  EXPECT_EQ(doc["models"]["sync"]["kind"], "sequential");
  EXPECT_EQ(doc["workloads"]["demo"]["primary"], "elapsed_s");
  EXPECT_EQ(doc["workloads"]["demo"]["metrics"]["rate"]["direction"], "higher");
  // and validates against the schema, with nothing else amiss
  const JsonSchema schema = JsonSchema::load(fs::path(ASYNCBENCH_SOURCE_DIR) / "results/schema.json");
  EXPECT_EQ(check_results(doc, schema), std::vector<std::string>{});
}

TEST(Results, AVersionOneFileGetsTheTreesDeclarations) {
  Json doc = results_with("quick", {{"sync", {0.1, 0.2, 0.3}}});
  doc.erase("models");
  doc.erase("workloads");
  doc["schema_version"] = 1;
  upgrade(doc, test_suite());
  EXPECT_EQ(doc["schema_version"], 2);
  EXPECT_TRUE(doc.contains("declarations_from"));
  EXPECT_EQ(doc["workloads"]["demo"]["metrics"]["rps"]["direction"], "lower");
}

TEST(Results, TheDisturbedFlagKnowsTheCountersResolution) {
  const double tick = 0.01;
  // An idle 2-core machine, a 50 ms run: one stray tick (10 ms, 20 % of the wall time) is the
  // counters' resolution, not a disturbance.
  EXPECT_FALSE(is_disturbed(0, 0.01, 0.05, 2, tick));
  EXPECT_FALSE(is_disturbed(0.01, 0.02, 0.05, 2, tick));
  // Half a core taken by others during the run is one.
  EXPECT_TRUE(is_disturbed(0, 0.05, 0.05, 2, tick));
  // A long run: 10 % of a core, beyond the two ticks, is.
  EXPECT_TRUE(is_disturbed(0, 0.15, 1.0, 2, tick));
  EXPECT_FALSE(is_disturbed(0, 0.11, 1.0, 2, tick));
  // Steal: 5 % of the machine's capacity, beyond the ticks.
  EXPECT_TRUE(is_disturbed(0.2, 0, 1.0, 2, tick));
  EXPECT_FALSE(is_disturbed(0.1, 0, 1.0, 2, tick));
}

TEST(Compare, AFileAgainstItselfHasNoRegression) {
  const Json a =
      results_with("quick", {{"sync", {0.15, 0.151, 0.152}}, {"aio-epoll", {0.05, 0.051, 0.052}}});
  std::string text;
  EXPECT_EQ(compare_docs(a, a, &text), 0);
  EXPECT_NE(text.find("no significant regression"), std::string::npos);
}

TEST(Compare, APlantedSlowdownIsARegression) {
  const Json a = results_with("quick", {{"aio-epoll", {0.050, 0.051, 0.052}}});
  const Json b = results_with("quick", {{"aio-epoll", {0.075, 0.076, 0.077}}});
  std::string text;
  EXPECT_EQ(compare_docs(a, b, &text), 1);
  EXPECT_NE(text.find("REGRESSION"), std::string::npos);
  EXPECT_NE(text.find("+49.0 %"), std::string::npos);
}

TEST(Compare, DifferencesInsideTheNoiseAreNotRegressions) {
  // Overlapping runs: not significant, whatever the medians.
  const Json a = results_with("quick", {{"sync", {0.10, 0.14, 0.12}}});
  const Json b = results_with("quick", {{"sync", {0.11, 0.15, 0.13}}});
  EXPECT_EQ(compare_docs(a, b), 0);
  // The medians differ by +9 % and every new run is slower, but the near ends are only 3 %
  // apart (0.124 / 0.120): the interval of the ratio reaches below the threshold, so it is noise.
  const Json c = results_with("quick", {{"sync", {0.080, 0.119, 0.120}}});
  const Json d = results_with("quick", {{"sync", {0.124, 0.131, 0.132}}});
  EXPECT_EQ(compare_docs(c, d), 0);
  // Every new run slower than every old one by more than the threshold: a regression, however
  // far below the others one old run was.
  const Json c2 = results_with("quick", {{"sync", {0.080, 0.120, 0.121}}});
  const Json d2 = results_with("quick", {{"sync", {0.130, 0.131, 0.132}}});
  EXPECT_EQ(compare_docs(c2, d2), 1);
  // A 7 % shift on a disturbed machine stays under the doubled bar.
  const Json e = results_with("quick", {{"sync", {0.100, 0.101, 0.102}}}, true);
  const Json f = results_with("quick", {{"sync", {0.107, 0.108, 0.109}}}, true);
  EXPECT_EQ(compare_docs(e, f), 0);
  // An improvement is never a regression.
  EXPECT_EQ(compare_docs(b, a), 0);
}

TEST(Compare, CellsOnOneSideAreListedNotFatal) {
  const Json a = results_with("quick", {{"sync", {1, 1, 1}}, {"threads", {1, 1, 1}}});
  const Json b = results_with("quick", {{"sync", {1, 1, 1}}, {"asio", {1, 1, 1}}});
  std::string text;
  EXPECT_EQ(compare_docs(a, b, &text), 0);
  EXPECT_NE(text.find("only in a.json"), std::string::npos);
  EXPECT_NE(text.find("only in b.json"), std::string::npos);
}

TEST(Compare, ACellThatNowFailsIsARegression) {
  const Json a = results_with("quick", {{"sync", {1, 1, 1}}});
  Json b = a;
  b["results"][0]["status"] = "failed";
  b["results"][0]["error"] = "check failed: order";
  std::string text;
  EXPECT_EQ(compare_docs(a, b, &text), 1);
  EXPECT_NE(text.find("ok -> failed"), std::string::npos);
}

TEST(Compare, DirectionsComeFromTheDeclarationsNotTheNames) {
  // demo declares "rps" lower-is-better and "rate" higher-is-better: the names say nothing.
  const Json a = results_with("quick", {{"sync", {1, 1, 1}, {{"rps", {100, 101, 102}}, {"rate", {100, 101, 102}}}}});
  const Json b = results_with("quick", {{"sync", {1, 1, 1}, {{"rps", {150, 151, 152}}, {"rate", {150, 151, 152}}}}});
  std::string text;
  // Both are secondary metrics (elapsed_s is demo's primary): listed, but only --strict fails.
  EXPECT_EQ(compare_docs(a, b, &text, 5, "json"), 0);
  EXPECT_EQ(compare_docs(a, b, nullptr, 5, "text", true), 1);
  const Json j = Json::parse(text);
  std::map<std::string, std::string> verdict;
  for (const Json& r : j["rows"]) verdict[r["metric"]] = r["verdict"];
  EXPECT_EQ(verdict["rps"], "regression");
  EXPECT_EQ(verdict["rate"], "improved");
  EXPECT_EQ(verdict["elapsed_s"], "same");
  EXPECT_EQ(verdict.count("ideal_s"), 0u);  // an ideal is never compared
  EXPECT_EQ(j["regressions"]["secondary"], 1);
  EXPECT_EQ(j["regressions"]["primary"], 0);
}

TEST(Compare, RusageFiguresAreSecondaryLowerIsBetter) {
  const Json a = results_with("quick", {{"sync", {1, 1, 1}}});
  Json b = a;
  for (auto& x : b["results"][0]["cpu_s"]) x = x.get<double>() * 1.4;
  std::string text;
  EXPECT_EQ(compare_docs(a, b, &text), 0);
  EXPECT_NE(text.find("REGRESSION (secondary)"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu_s"), std::string::npos);
  EXPECT_NE(text.find("fails only with --strict"), std::string::npos) << text;
  EXPECT_EQ(compare_docs(a, b, nullptr, 5, "text", true), 1);
  // The primary metric worse: exit 1 without --strict.
  Json c = a;
  for (auto& x : c["results"][0]["elapsed_s"]) x = x.get<double>() * 1.4;
  EXPECT_EQ(compare_docs(a, c), 1);
}

TEST(Compare, DeterministicMetricsNeedOneValueAndNoTest) {
  const Json a = results_with("quick", {{"sync", {1}, {{"instructions", {1000}}}}});
  const Json b = results_with("quick", {{"sync", {1}, {{"instructions", {1030}}}}});
  const Json c = results_with("quick", {{"sync", {1}, {{"instructions", {1010}}}}});
  // +3 %: beyond the 2 % of deterministic metrics (a secondary metric here: --strict)
  EXPECT_EQ(compare_docs(a, b, nullptr, 5, "text", true), 1);
  EXPECT_EQ(compare_docs(a, c, nullptr, 5, "text", true), 0);  // +1 %
}

TEST(Compare, WhatCannotBeReadIsAOneLineErrorNamingTheCell) {
  const Json good = results_with("quick", {{"sync", {1, 1, 1}}, {"aio-epoll", {1, 1, 1}}});
  for (const Json& bad_value : {Json("1.0"), Json(nullptr), Json::array(), Json::object()}) {
    Json bad = good;
    bad["results"][1]["elapsed_s"] = bad_value.is_array() ? bad_value : Json::array({1, bad_value, 1});
    const std::string e = compare_error(good, bad);
    EXPECT_NE(e.find("demo/aio-epoll"), std::string::npos) << bad_value << ": " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  Json dup = good;
  dup["results"].push_back(dup["results"][0]);
  EXPECT_NE(compare_error(good, dup).find("appears twice"), std::string::npos);
  Json undeclared = good;
  undeclared["results"][0]["metrics"]["mystery"] = Json::array({1, 2, 3});
  EXPECT_NE(compare_error(good, undeclared).find("mystery is not declared"), std::string::npos);
  Json model = good;
  model["results"][0]["model"] = "fortran";
  EXPECT_NE(compare_error(good, model).find("fortran"), std::string::npos);
  const Json a = results_with("quick", {{"sync", {1, 1, 1}}});
  EXPECT_THROW(compare_docs(a, a, nullptr, std::nan("")), std::invalid_argument);
  EXPECT_THROW(compare_docs(a, a, nullptr, -1), std::invalid_argument);
}

TEST(Compare, FilesFromAnotherMachineOrProfileAreSaidInOneLine) {
  const Json a = results_with("quick", {{"sync", {1, 1, 1}}});
  const Json b = results_with("quick", {{"sync", {1, 1, 1}}}, false, "another CPU");
  std::string text;
  EXPECT_EQ(compare_docs(a, b, &text), 0);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = text.find("warning:", at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, 1u) << text;
  EXPECT_NE(text.find("cpu_model test vs another CPU"), std::string::npos) << text;
  EXPECT_NE(text.find("cells: 1 matched, 0 only in a.json, 0 only in b.json"), std::string::npos);
  std::string same;
  compare_docs(a, a, &same);
  EXPECT_EQ(same.find("warning:"), std::string::npos) << same;
}

TEST(Compare, PairsCompareTwoModelsRoundByRound) {
  // aio-epoll takes 0.9 of sync's time in every round, although the rounds drift by 30 %.
  const Json doc = results_with("quick", {{"sync", {1.0, 1.3, 1.1, 1.2, 1.0}},
                                          {"aio-epoll", {0.9, 1.17, 0.99, 1.08, 0.9}}});
  TempDir d;
  save_atomic(doc, d.path / "r.json");
  CompareOptions o;
  o.files = {d.path / "r.json"};
  o.pairs = {{"aio-epoll", "sync"}};
  o.format = "json";
  o.root = test_suite().root;
  std::ostringstream out;
  EXPECT_EQ(compare_files(o, out), 0);
  const Json j = Json::parse(out.str());
  bool seen = false;
  for (const Json& r : j["rows"])
    if (r["metric"] == "elapsed_s") {
      seen = true;
      EXPECT_NEAR(r["paired"]["median_ratio"].get<double>(), 0.9, 1e-9);
      EXPECT_EQ(r["paired"]["a_won"], 5);
      EXPECT_EQ(r["verdict"], "A better");
      // Unpaired, the drift hides it: the runs overlap.
      EXPECT_LT(r["p_a_better"].get<double>(), 0.9);
    }
  EXPECT_TRUE(seen);
  o.pairs = {{"aio-epoll", "libuv"}};
  EXPECT_THROW(compare_files(o, out), std::invalid_argument);  // no cell has both
}
