"""The report scripts (scripts/*.py), the Python package they and the plots share
(python/asyncbench) and the compare figure (plots/plot_compare.py), on the committed reference
results and on bad input.

    /usr/bin/python3 harness/tests/scripts.py PROJECT_SOURCE_DIR [ASYNCBENCH]

ASYNCBENCH is the binary that echo_verdict.py and the compare figure run `asyncbench compare`
with (default: $ASYNCBENCH, else PROJECT_SOURCE_DIR/build/bin/asyncbench).

- the package reads the registry in its order, upgrades a schema_version 1 file as the harness
  does (the declarations it gives agree with the ones compare judges by), and refuses NaN in one
  line naming the cell;
- validate_results.py passes every reference file and a version 2 file; each fault it is there
  to find, planted in a copy of a small reference file that validates as it is, is reported in
  one line with exit 1 and no traceback: a cell id 10,001 times, NaN, Infinity, an ok cell with
  no runs, an undeclared metric, a model not in the file's models, an array of the wrong length,
  rounds that do not increase, a wrong summary median, a pending cell in a complete run, an
  unreadable file, a file that is not JSON;
- results_table.py (registry order, echo left out because its elapsed_s is declared info, the
  declared ideals), lecture_ratios.py and echo_verdict.py (compare's --pair verdicts, and the
  same counts as compare's JSON) print their tables;
- the compare figure draws exactly compare's primary rows and verdicts, from two files or a
  saved verdict, a planted regression included;
- each script says what is wrong with an unreadable file, a JSON file that is not a results
  file, or a bad option in one line on stderr and exits 2.

Output ends with "N passed, N failed".
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

from checks import Checks

PYTHON = "/usr/bin/python3"


def main(root, binary=None):
    sys.path.insert(0, os.path.join(root, "python"))
    sys.path.insert(0, os.path.join(root, "plots"))
    import asyncbench
    check = Checks()
    ref = os.path.join(root, "results", "reference")
    env = dict(os.environ)
    if binary:
        env["ASYNCBENCH"] = binary

    def run(script, *args, where="scripts"):
        return subprocess.run([PYTHON, os.path.join(root, where, script), *args],
                              capture_output=True, text=True, timeout=300, env=env)

    def one_line_error(p, name, code=2):
        lines = p.stderr.strip().splitlines()
        return (p.returncode == code and len(lines) == 1 and lines[0].startswith(name + ": ")
                and "Traceback" not in p.stderr)

    quick = os.path.join(ref, "quick-2026-11-22.json")
    full = os.path.join(ref, "full-2026-11-22.json")
    small = os.path.join(ref, "scraper-full.json")
    verdict_files = [os.path.join(ref, "echo-verdict-a.json"),
                     os.path.join(ref, "echo-verdict-b.json")]

    # ------------------------------------------------------------------ the package
    reg = asyncbench.registry()
    with open(os.path.join(root, "workloads", "models.json")) as f:
        listed = [m["id"] for m in json.load(f)["models"]]
    check(reg.ids == listed and reg.order(reversed(listed)) == listed,
          "package: the registry's models, in its order", reg.ids)
    check(reg.of_kind("sequential") and all(reg.kind(m) == "sequential"
                                            for m in reg.of_kind("sequential")),
          "package: models of kind sequential", reg.of_kind("sequential"))
    res = asyncbench.load(quick)
    check(res.doc["schema_version"] == 2 and res.upgraded
          and res.doc["declarations_from"] == asyncbench.results.DECLARATIONS_FROM
          and set(res.models) == {c["model"] for c in res.cells}
          and all(res.workloads[w] == reg.declaration(w) for w in res.workloads),
          "package: quick.json (version 1) upgraded with the tree's registry and declarations")
    check(res.primary("echo") == "rps" and res.direction("echo", "elapsed_s") == "info"
          and res.ideal_for("count", "elapsed_s") == "ideal_s"
          and not res.compared("count", "ideal_s") and res.compared("count", "elapsed_s"),
          "package: primary, direction, ideal_for and compared come from the declarations")
    p = asyncbench.planned({"id": "echo/aio-uring/connections:16/size:64/duration_s:0.3"})
    check(p == {"connections": 16, "size": 64, "duration_s": 0.3}, "package: planned() from an id",
          p)
    cell = next(c for c in res.cells if c["status"] == "ok" and c["workload"] == "echo")
    s = asyncbench.spread(cell, "rps")
    check(s and s.n == len(cell["metrics"]["rps"]) and s.min <= s.median <= s.max
          and asyncbench.runs(cell, "elapsed_s") == cell["elapsed_s"],
          "package: runs() of a run array and of a metric, and their spread")
    try:
        v = asyncbench.compare(quick, quick, binary=binary)
        agree = all(r["unit"] == res.declaration(r["workload"], r["metric"])["unit"]
                    and r["direction"] == res.direction(r["workload"], r["metric"])
                    and r["primary"] == (r["metric"] == res.primary(r["workload"]))
                    for r in v["rows"])
        check(v["rows"] and agree, "package: compare's JSON judges by the declarations the "
              "package gives a version 1 file", f"{len(v['rows'])} rows")
    except asyncbench.Error as e:
        check(False, "package: compare's JSON judges by the package's declarations", e)
    try:
        asyncbench.compare(quick, quick, binary=os.path.join(root, "no", "such", "asyncbench"))
        check(False, "package: a missing binary is a CompareError")
    except asyncbench.CompareError as e:
        check("\n" not in str(e) and "no asyncbench binary" in str(e),
              "package: a missing binary is one line", e)

    with tempfile.TemporaryDirectory() as tmp:
        with open(small) as f:
            base_doc = json.load(f)
        n_faults = 0

        def plant(doc, text=None):
            nonlocal n_faults
            n_faults += 1
            path = os.path.join(tmp, f"fault-{n_faults}.json")
            with open(path, "w") as f:
                f.write(text if text is not None else json.dumps(doc))
            return path

        def ok_cell(doc, k=0):
            return [c for c in doc["results"] if c["status"] == "ok"][k]

        def nan_text(constant):
            """The small file with the first elapsed_s run of its first cell spelled `constant`."""
            doc = copy.deepcopy(base_doc)
            doc["results"][0]["elapsed_s"][0] = "@@"
            return plant(None, json.dumps(doc).replace('"@@"', constant)), doc["results"][0]["id"]

        path, cid = nan_text("NaN")
        try:
            asyncbench.load(path)
            check(False, "package: NaN is refused")
        except asyncbench.BadResults as e:
            check("\n" not in str(e) and cid in str(e) and "NaN" in str(e),
                  "package: NaN is refused in one line naming the cell", e)
        for doc, why in (({**base_doc, "schema_version": 3}, "schema_version 3"),
                         ({**base_doc, "suite": "other"}, "suite")):
            try:
                asyncbench.load(plant(doc))
                check(False, f"package: {why} is refused")
            except asyncbench.BadResults as e:
                check("\n" not in str(e), f"package: {why} is refused in one line", e)

        # -------------------------------------------------------------- validate_results.py
        files = sorted(glob.glob(os.path.join(ref, "*.json")))
        p = run("validate_results.py", *files)
        check(files and p.returncode == 0 and p.stdout.count(": valid (") == len(files),
              f"validate_results.py: the {len(files)} reference files",
              (p.stdout + p.stderr).strip()[-500:] if p.returncode else "")
        v2 = copy.deepcopy(base_doc)
        asyncbench.upgrade(v2)
        del v2["declarations_from"]  # as the harness writes a file of version 2
        v2_path = plant(v2)
        p = run("validate_results.py", v2_path)
        check(p.returncode == 0 and "valid (" in p.stdout and "schema_version 1" not in p.stdout,
              "validate_results.py: a schema_version 2 file", (p.stdout + p.stderr).strip())
        p = run("validate_results.py", plant(copy.deepcopy(base_doc)))
        check(p.returncode == 0, "validate_results.py: the unmodified copy the faults are "
              "planted in is valid", (p.stdout + p.stderr).strip())

        def fault(name, change, expect, doc=None):
            """Plants a fault in a copy of the small file (or `doc`); validate_results.py must
            report it (the `expect` text), in few lines, with exit 1 and no traceback."""
            d = copy.deepcopy(doc if doc is not None else base_doc)
            target = change(d)
            path = target if isinstance(target, str) else plant(d)
            p = run("validate_results.py", path)
            lines = p.stdout.strip().splitlines()
            check(p.returncode == 1 and any(expect in x for x in lines) and len(lines) <= 21
                  and "Traceback" not in p.stdout + p.stderr,
                  f"validate_results.py finds {name}", (p.stdout + p.stderr).strip()[:300])

        def duplicate(d):
            d["results"] += [copy.deepcopy(d["results"][0]) for _ in range(10_000)]
        fault("a cell id 10,001 times", duplicate,
              f"{base_doc['results'][0]['id']}: the cell id appears 10,001 times")
        fault("NaN", lambda d: nan_text("NaN")[0], f"{cid}: elapsed_s[0] is NaN")
        fault("Infinity", lambda d: nan_text("-Infinity")[0], f"{cid}: elapsed_s[0] is -Infinity")
        fault("a number too large for a double", lambda d: nan_text("1e999")[0],
              f"{cid}: elapsed_s[0] is 1e999")

        def no_runs(d):
            c = ok_cell(d)
            for k, v in list(c.items()):
                if isinstance(v, list):
                    c[k] = []
            c["metrics"] = {m: [] for m in c["metrics"]}
            c["repeats"] = 0
        fault("an ok cell with no runs", no_runs, f"{ok_cell(base_doc)['id']}: ok with no runs")

        def undeclared(d):
            c = ok_cell(d)
            c["metrics"]["bogus_per_s"] = [1.0] * len(c["elapsed_s"])
        fault("an undeclared metric", undeclared,
              f"{ok_cell(base_doc)['id']}: metrics.bogus_per_s is not declared for workload "
              "scraper")

        def unknown_model(d):
            d["results"][0]["model"] = "no-such-model"
        fault("a model the registry has not (version 1)", unknown_model,
              "model no-such-model is not one of the file's models")

        def dropped_model(d):
            del d["models"][d["results"][0]["model"]]
        fault("a model missing from the file's models (version 2)", dropped_model,
              f"model {base_doc['results'][0]['model']} is not one of the file's models", doc=v2)

        def short_array(d):
            ok_cell(d)["wall_s"].pop()
        fault("an array with an entry missing", short_array, "wall_s has")

        def rounds(d):
            c = ok_cell(d)
            c["round"] = [0] * len(c["elapsed_s"])
        fault("rounds that do not increase", rounds, "do not increase")

        def median(d):
            ok_cell(d)["summary"]["elapsed_s"]["median"] += 1
        fault("a wrong summary median", median, "is not the median of the runs")

        def pending(d):
            c = ok_cell(d)
            c["status"] = "pending"
        fault("a pending cell in a complete run", pending, "pending in a complete run")
        fault("a missing file", lambda d: os.path.join(tmp, "missing.json"),
              "missing.json: No such file or directory")
        fault("a file that is not JSON", lambda d: plant(None, '{"results": ['), "not JSON")
        fault("a directory", lambda d: tmp, "Is a directory")

        # -------------------------------------------------------------- results_table.py
        p = run("results_table.py", quick)
        header = next((x for x in p.stdout.splitlines() if x.startswith("| workload |")), "")
        columns = [x.strip() for x in header.strip("|").split("|")][3:]
        check(p.returncode == 0 and "| count |" in p.stdout and columns == reg.order(columns)
              and set(columns) == {c["model"] for c in asyncbench.load(quick).cells
                                   if c["workload"] != "echo"},
              "results_table.py: quick.json, its columns in registry order", columns)
        check("| count | scale 0.05 | 150 / 50.0 |" in p.stdout and "| echo |" not in p.stdout
              and "echo: its elapsed_s is declared info" in p.stdout
              and "--metric rps, its primary metric" in p.stdout,
              "results_table.py: the declared ideals; echo left out (elapsed_s declared info)",
              p.stderr.strip())
        p = run("results_table.py", full, "--workloads", "echo", "--metric", "server_cpu_us_per_req")
        check(p.returncode == 0 and "| echo |" in p.stdout and "Medians in µs" in p.stdout,
              "results_table.py: echo's CPU per request, in its declared unit", p.stderr.strip())

        # -------------------------------------------------------------- lecture_ratios.py
        p = run("lecture_ratios.py", full)
        check(p.returncode == 0 and "| count |" in p.stdout and "| count: sync / aio | 3 |"
              in p.stdout, "lecture_ratios.py: full.json", p.stderr.strip())

        # -------------------------------------------------------------- echo_verdict.py
        p = run("echo_verdict.py", *verdict_files)
        check(p.returncode == 0 and "| aio-epoll vs libuv |" in p.stdout and "pooled" in p.stdout
              and "| aio-uring vs asio |" in p.stdout and "| aio-epoll | 36 |" in p.stdout
              and "**256 connections, 64-byte messages**" in p.stdout,
              "echo_verdict.py: the two verdict runs pooled (36 runs a model)", p.stderr.strip())
        try:
            pairs = asyncbench.compare_pairs(
                verdict_files, [(a, b) for a in ("aio-epoll", "aio-uring")
                                for b in ("libuv", "asio")],
                workloads=["echo"], where=["size=64", "connections=16,256"],
                metrics=["server_cpu_us_per_req", "rps"], binary=binary)
            better = sum(r["verdict"] == "A better" for r in pairs["rows"])
            ties = sum(r["verdict"] == "tie" for r in pairs["rows"])
            check(f"in {len(pairs['rows'])} comparisons: aio better in {better}, tie in {ties},"
                  in p.stdout, "echo_verdict.py: the verdicts are compare --pair's",
                  f"compare: {better} better, {ties} ties of {len(pairs['rows'])}")
        except asyncbench.Error as e:
            check(False, "echo_verdict.py: the verdicts are compare --pair's", e)

        # -------------------------------------------------------------- the compare figure
        import plot_compare
        worse = copy.deepcopy(base_doc)
        slow = ok_cell(worse, 3)
        slow["elapsed_s"] = [x * 2 for x in slow["elapsed_s"]]
        broken = ok_cell(worse, 4)
        broken.update(status="failed", error="planted")
        worse_path = plant(worse)
        try:
            v = asyncbench.compare(small, worse_path, binary=binary)
            drawn, _ = plot_compare.bars_of(v)
            primary = [r for r in v["rows"] if r["primary"] and r["change"] is not None
                       and r["verdict"] != "not comparable"]
            check(v["exit"] == 1 and any(r["cell"] == slow["id"] and r["verdict"] == "regression"
                                         for r in drawn)
                  and {(r["cell"], r["verdict"], r["change"]) for r in drawn}
                  == {(r["cell"], r["verdict"], r["change"]) for r in primary}
                  and any(s["cell"] == broken["id"] for s in v["status_changes"]),
                  "plot_compare.py: one bar per primary row, with compare's verdict (a planted "
                  "regression and a status change)",
                  f"{len(drawn)} bars, {len(primary)} primary rows")
            saved = os.path.join(tmp, "verdict.json")
            with open(saved, "w") as f:
                json.dump(v, f)
            out = os.path.join(tmp, "figs")
            p = run("plot_compare.py", "--verdict", saved, "--out", out, where="plots")
            check(p.returncode == 0 and os.path.exists(os.path.join(out, "compare.png")),
                  "plot_compare.py --verdict: draws a saved verdict", p.stderr.strip())
        except asyncbench.Error as e:
            check(False, "plot_compare.py: draws compare's verdict", e)
        out = os.path.join(tmp, "figs2")
        p = run("make_plots.py", "--compare", small, worse_path, "--out", out, where="plots")
        check(p.returncode == 0 and "compare: wrote" in p.stdout
              and os.path.exists(os.path.join(out, "compare.svg")),
              "make_plots.py --compare BASE NEW", (p.stdout + p.stderr).strip()[-300:])

        # -------------------------------------------------------------- bad input
        not_results = plant({"hello": 1})
        broken_json = plant(None, '{"results": [')
        missing = os.path.join(tmp, "missing.json")
        nan_file, _ = nan_text("NaN")
        bad = [
            ("results_table.py", [missing]),
            ("results_table.py", [broken_json]),
            ("results_table.py", [not_results]),
            ("results_table.py", [nan_file]),
            ("results_table.py", [quick, "--bogus"]),
            ("lecture_ratios.py", [missing]),
            ("lecture_ratios.py", [broken_json]),
            ("lecture_ratios.py", [not_results]),
            ("lecture_ratios.py", [nan_file]),
            ("echo_verdict.py", [missing]),
            ("echo_verdict.py", [broken_json]),
            ("echo_verdict.py", [not_results]),
            ("echo_verdict.py", [small]),  # no echo cells
            ("echo_verdict.py", [*verdict_files, "--connections", "16,x"]),
            ("echo_verdict.py", [*verdict_files, "--connections", "3"]),  # no such cells
            ("echo_verdict.py", [*verdict_files, "--resample", "9"]),  # gone: compare judges
            ("echo_verdict.py", [*verdict_files, "--asyncbench", missing]),
        ]
        for script, args in bad:
            p = run(script, *args)
            shown = " ".join(os.path.basename(x) if os.sep in x else x for x in args)
            check(one_line_error(p, script[:-3]), f"{script} {shown}: one line, exit 2",
                  p.stderr.strip() or f"exit {p.returncode}")
        # What compare says is prefixed "compare: error:", as make_plots.py prints it; a bad
        # command line is the script's own.
        for args, prog in (([small, not_results], "compare"),
                           (["--verdict", not_results], "compare"),
                           ([small], "plot_compare"),
                           ([small, small, "--asyncbench", missing], "compare")):
            p = run("plot_compare.py", *args, "--out", os.path.join(tmp, "x"), where="plots")
            shown = " ".join(os.path.basename(x) if os.sep in x else x for x in args)
            check(one_line_error(p, prog), f"plot_compare.py {shown}: one line, exit 2",
                  p.stderr.strip() or f"exit {p.returncode}")

    return check.summary()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print("usage: scripts.py PROJECT_SOURCE_DIR [ASYNCBENCH]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1]), sys.argv[2] if len(sys.argv) == 3 else None))
