#!/usr/bin/python3
"""Planted changes in copies of the committed reference results, and what `asyncbench compare`
says of each: the verdict can be trusted only if it finds what was planted and nothing else.

  compare_planted.py BIN_DIR ROOT

  (a) a file against an unchanged copy: exit 0, no regression;
  (b) rps and requests up 50 % on every echo cell: improved (higher is better, declared), exit 0;
  (c) elapsed_s up 30 % on three cells of the full profile (9 runs): exactly those three are
      flagged, exit 1;
  (d) cpu_s up 40 % on a cell: a secondary regression (exit 1 with --strict);
  (e) a string, null or [] in elapsed_s, NaN in the file, duplicate cells, --threshold nan: one
      line naming the problem (and the cell), exit 2;
  (f) another cpu_model: one warning line, no regression.
  (g) the counts gate (scripts/counts.sh's compare): the committed counts against themselves
      pass; an instruction count 10 % higher on one cell fails, naming it; 3 % higher passes.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402


def compare(bin_dir, base, new, *extra):
    r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "compare", base, new, *extra],
                       capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def verdict(bin_dir, base, new):
    rc, out, err = compare(bin_dir, base, new, "--format", "json")
    assert rc in (0, 1), f"compare exited {rc}: {err}"
    return rc, json.loads(out)


def save(doc, path):
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def load(path):
    with open(path) as f:
        return json.load(f)


def flagged(v):
    return sorted({(r["cell"], r["metric"]) for r in v["rows"] if r["verdict"] == "regression"})


def main():
    bin_dir, root = sys.argv[1], sys.argv[2]
    quick = os.path.join(root, "results", "reference", "quick-2026-11-22.json")
    full = os.path.join(root, "results", "reference", "full-2026-11-22.json")
    t = checks.Checks()
    with tempfile.TemporaryDirectory(prefix="asyncbench_planted_") as tmp:
        q = load(quick)

        # (a) nothing changed
        same = save(q, os.path.join(tmp, "same.json"))
        rc, v = verdict(bin_dir, quick, same)
        t(rc == 0 and v["regressions"]["total"] == 0 and not flagged(v),
                "(a) an unchanged copy: exit 0, no regression", f"exit {rc}, {flagged(v)[:3]}")

        # (b) more requests served: an improvement, whatever the counters that grow with it
        b = load(quick)
        echo = 0
        for c in b["results"]:
            if c["workload"] == "echo" and c["status"] == "ok":
                echo += 1
                for m in ("rps", "requests", "requests_total"):
                    c["metrics"][m] = [x * 1.5 for x in c["metrics"][m]]
        rc, v = verdict(bin_dir, quick, save(b, os.path.join(tmp, "rps.json")))
        rps = [r for r in v["rows"] if r["metric"] == "rps"]
        improved = [r for r in rps if r["verdict"] == "improved"]
        t(rc == 0 and not flagged(v), "(b) rps and requests +50 % on echo cells: exit 0, no "
                "regression", f"exit {rc}, flagged {flagged(v)[:4]}")
        # With 3 runs a side, a cell whose runs spread by 50 % or more (most quick echo cells on
        # this machine) cannot show a +50 % change as significant: it is noise, never worse.
        t(echo > 0 and len(rps) == echo and all(r["verdict"] in ("improved", "noise") for r in rps)
                and len(improved) >= echo / 3,
                "(b) ... rps is improved or noise on every echo cell, never a regression",
                f"{len(improved)} of {echo} improved, the rest noise")
        t(not any(r["metric"] in ("requests", "requests_total") for r in v["rows"]),
                "(b) ... and requests, a count declared info, is never compared")

        # (c) three cells 30 % slower, 9 runs a side
        f = load(full)
        quiet = [c for c in f["results"] if c["status"] == "ok" and c["workload"] != "echo" and
                 len(c["elapsed_s"]) == 9 and
                 (max(c["elapsed_s"]) - min(c["elapsed_s"])) / min(c["elapsed_s"]) < 0.1]
        planted = sorted(c["id"] for c in quiet[::max(1, len(quiet) // 3)][:3])
        for c in f["results"]:
            if c["id"] in planted:
                c["elapsed_s"] = [x * 1.3 for x in c["elapsed_s"]]
        rc, v = verdict(bin_dir, full, save(f, os.path.join(tmp, "slower.json")))
        t(rc == 1 and flagged(v) == [(p, "elapsed_s") for p in planted],
                f"(c) elapsed_s +30 % on {len(planted)} cells of 9 runs: exactly those flagged, exit 1",
                f"exit {rc}, flagged {flagged(v)}")
        primary = [r for r in v["rows"] if r["verdict"] == "regression"]
        t(all(r["primary"] for r in primary) and v["regressions"]["primary"] == 3,
                "(c) ... as primary regressions")

        # (d) the rusage figures are compared too, as secondary lower-is-better metrics
        d = load(quick)
        victim = next(c for c in d["results"] if c["status"] == "ok" and c["workload"] != "echo"
                      and not c.get("disturbed") and
                      (max(c["cpu_s"]) - min(c["cpu_s"])) / max(min(c["cpu_s"]), 1e-9) < 0.1)
        victim["cpu_s"] = [x * 1.4 for x in victim["cpu_s"]]
        cpu = save(d, os.path.join(tmp, "cpu.json"))
        rc, v = verdict(bin_dir, quick, cpu)
        t(rc == 0 and flagged(v) == [(victim["id"], "cpu_s")] and
                v["regressions"]["secondary"] == 1,
                "(d) cpu_s +40 % on one cell: a secondary regression (exit 0: only --strict fails "
                "on a secondary one)", f"exit {rc}, flagged {flagged(v)}, {v['regressions']}")
        rc, _, err = compare(bin_dir, quick, cpu, "--strict")
        t(rc == 1, "(d) ... and with --strict, exit 1", f"exit {rc} {err.strip()}")

        # (e) what cannot be read is refused in one line, exit 2, naming the cell
        cell = next(c for c in q["results"] if c["status"] == "ok" and c["workload"] == "chess")
        for label, value in (("a string", "slow"), ("null", None), ("[]", [])):
            e = load(quick)
            for c in e["results"]:
                if c["id"] == cell["id"]:
                    c["elapsed_s"] = value if isinstance(value, list) else [value] + c["elapsed_s"][1:]
            rc, out, err = compare(bin_dir, quick, save(e, os.path.join(tmp, "bad.json")))
            t(rc == 2 and cell["id"] in err and err.strip().count("\n") == 0 and not out,
                    f"(e) {label} in elapsed_s: one line naming the cell, exit 2",
                    f"exit {rc}: {err.strip()[:300]}")
        text = json.dumps(q).replace(json.dumps(cell["elapsed_s"][0]), "NaN", 1)
        with open(os.path.join(tmp, "nan.json"), "w") as fh:
            fh.write(text)
        rc, out, err = compare(bin_dir, quick, os.path.join(tmp, "nan.json"))
        t(rc == 2 and "NaN" in err and err.strip().count("\n") == 0,
                "(e) NaN in the file: one line, exit 2", f"exit {rc}: {err.strip()[:300]}")
        dup = load(quick)
        dup["results"] = dup["results"] + [dup["results"][0]] * 3
        rc, out, err = compare(bin_dir, quick, save(dup, os.path.join(tmp, "dup.json")))
        t(rc == 2 and "appears twice" in err and dup["results"][0]["id"] in err,
                "(e) duplicate cells: one line naming the cell, exit 2", f"exit {rc}: {err.strip()}")
        for bad in ("nan", "inf", "-5", "five"):
            rc, out, err = compare(bin_dir, quick, same, "--threshold", bad)
            t(rc == 2 and err.strip().count("\n") == 0,
                    f"(e) --threshold {bad}: one line, exit 2", f"exit {rc}: {err.strip()}")

        # (f) another machine: said once, in one line
        m = load(quick)
        m["machine"]["cpu_model"] = "A quite different CPU"
        rc, out, err = compare(bin_dir, quick, save(m, os.path.join(tmp, "machine.json")))
        warnings = [line for line in out.splitlines() if line.startswith("warning:") and
                    "different machines" in line]
        t(rc == 0 and len(warnings) == 1 and "A quite different CPU" in warnings[0],
                "(f) another cpu_model: one warning line, exit 0", f"exit {rc}: {warnings}")
        t("cells: " in out and " matched" in out, "(f) ... and the matched cells are counted")
        # (g) the counts gate, as scripts/counts.sh runs it
        counts = os.path.join(root, "results", "reference", "counts.json")
        gate = ("--role", "deterministic", "--deterministic-threshold", "5")
        rc, out, err = compare(bin_dir, counts, counts, *gate)
        t(rc == 0, "(g) the committed counts against themselves: the gate passes", f"exit {rc} {err}")
        for factor, want in ((1.10, 1), (1.03, 0)):
            g = load(counts)
            cell = next(c for c in g["results"] if c["status"] == "ok" and
                        "instructions_per_request" in c["metrics"])
            cell["metrics"]["instructions_per_request"] = [
                x * factor for x in cell["metrics"]["instructions_per_request"]]
            rc, out, err = compare(bin_dir, counts, save(g, os.path.join(tmp, "counts.json")), *gate)
            t(rc == want and (want == 0 or (cell["id"] in out and "REGRESSION" in out)),
              f"(g) instructions +{(factor - 1) * 100:.0f} % on {cell['id']}: the gate "
              f"{'fails' if want else 'passes'}", f"exit {rc} {err.strip()}")
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
