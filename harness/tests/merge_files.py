"""asyncbench merge: runs of the same cells from one machine and commit joined into one file.

    /usr/bin/python3 harness/tests/merge_files.py BIN_DIR PROJECT_SOURCE_DIR

- the quick reference merged with a copy of itself whose rounds start at 0 again: every ok cell
  has both files' runs (twice as many), its later rounds renumbered after the first file's (so
  pairing by round still pairs runs of one pass), its histograms one per run, its summary the
  median of all the runs; an unsupported cell stays unsupported with its reason; a cell failed
  in the second file is failed in the merged one; the merged file validates
  (scripts/validate_results.py) and compare reads it;
- refused in one line, exit 2, nothing written: another commit, another kernel, another profile,
  one file only, a file that is not a results file.

Output ends with "N passed, N failed".
"""
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile

from checks import Checks


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def one_line_error(p):
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    return p.returncode == 2 and len(lines) == 1 and "Traceback" not in p.stderr


def main(bin_dir, root):
    check = Checks()
    exe = os.path.join(bin_dir, "asyncbench")
    quick = os.path.join(root, "results", "reference", "quick-2026-11-22.json")
    doc = json.load(open(quick))
    # The reference predates rounds: give its runs the rounds a run records (0, 1, 2, ...).
    for c in doc["results"]:
        if c.get("elapsed_s"):
            c["round"] = list(range(len(c["elapsed_s"])))
    with tempfile.TemporaryDirectory(prefix="asyncbench-merge-test-") as tmp:
        quick = os.path.join(tmp, "a.json")
        json.dump(doc, open(quick, "w"))
        b = copy.deepcopy(doc)
        failed_id = next(c["id"] for c in b["results"] if c["status"] == "ok")
        for c in b["results"]:
            if c["id"] == failed_id:
                c["status"], c["error"] = "failed", "planted: exit status 1"
        bpath = os.path.join(tmp, "b.json")
        json.dump(b, open(bpath, "w"))
        out = os.path.join(tmp, "merged.json")
        p = run([exe, "merge", quick, bpath, "--out", out])
        check(p.returncode == 0 and os.path.isfile(out), "merge writes the file", p.stderr[-400:])
        if not os.path.isfile(out):
            return check.summary()
        m = json.load(open(out))
        cells = {c["id"]: c for c in m["results"]}
        check(len(cells) == len(doc["results"]), "one cell per id", len(cells))
        first_round = max(r for c in doc["results"] for r in c.get("round", [])) + 1
        ok = bad = 0
        for c0 in doc["results"]:
            c = cells[c0["id"]]
            if c0["status"] == "unsupported":
                bad += not (c["status"] == "unsupported" and c.get("error") == c0.get("error"))
                continue
            if c0["status"] != "ok":
                continue
            n = len(c0["elapsed_s"])
            good = (len(c["elapsed_s"]) == 2 * n and c["repeats"] == 2 * n
                    and c["elapsed_s"] == c0["elapsed_s"] * 2
                    and all(len(v) == 2 * n for v in c["metrics"].values())
                    and c["summary"]["elapsed_s"]["median"] ==
                    statistics.median(c0["elapsed_s"] * 2))
            if "round" in c0:
                good = good and c["round"] == c0["round"] + [r + first_round for r in c0["round"]]
            for k, v in (c0.get("histograms") or {}).items():
                good = good and len(c["histograms"][k]) == 2 * len(v)
            if c0["id"] == failed_id:
                good = good and c["status"] == "failed" and "planted" in c.get("error", "")
            else:
                good = good and c["status"] == "ok"
            ok += good
            bad += not good
        check(bad == 0 and ok > 100, f"every cell joined: {ok} ok cells with both files' runs, "
              "rounds renumbered, histograms per run, summaries recomputed", f"{bad} wrong")
        check([x["file"] for x in m["run"]["merged"]] == [quick, bpath], "the run says what it joined")
        p = run(["/usr/bin/python3", os.path.join(root, "scripts", "validate_results.py"), out])
        check(p.returncode == 0, "the merged file validates", (p.stdout + p.stderr)[-300:])
        p = run([exe, "compare", quick, out, "-w", "echo"])
        check(p.returncode in (0, 1) and "regression" in p.stdout, "compare reads the merged file",
              p.stderr[-300:])

        # Refusals.
        def variant(name, change):
            d = copy.deepcopy(doc)
            change(d)
            path = os.path.join(tmp, name + ".json")
            json.dump(d, open(path, "w"))
            return path
        cases = [
            ("another commit", [quick, variant("commit", lambda d: d["machine"].update(
                git_commit="0" * 40))], "git_commit"),
            ("another kernel", [quick, variant("kernel", lambda d: d["machine"].update(
                kernel="Linux 1.0"))], "kernel"),
            ("another profile", [quick, variant("profile", lambda d: d.update(profile="full"))],
             "profile"),
            ("one file", [quick], "two or more"),
            ("not a results file", [quick, variant("not", lambda d: d.pop("suite"))],
             "not an asyncbench results file"),
        ]
        for what, files, says in cases:
            target = os.path.join(tmp, "refused.json")
            p = run([exe, "merge", *files, "--out", target])
            check(one_line_error(p) and says in p.stderr and not os.path.exists(target),
                  f"{what}: refused in one line, nothing written", p.stderr.strip())
    return check.summary()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
