"""Results over time: every results file of a folder (make bench keeps a dated copy of each run
in results/runs/), the headline metric of each workload through them, and the changes the
verdict engine calls significant between one run and the next.

  collect(DIR, profile="quick")  -> {files, series, marks, steps, ...} (see collect)

The headline metric of a workload is the one its manifest declares primary (elapsed_s, echo's
requests/s, ...). A point is, for one workload and model, the geometric mean over the cells that
file shares with the newest file of median(file) / median(newest): 1 at the newest run, 1.1 a
run whose medians were 10 % larger. Nothing is judged here: the marks are `asyncbench compare`'s
regressions and improvements of each run against the one before it (harness/src/compare.cpp).
"""
import hashlib
import json
import math
import os
import statistics

from .compare import compare, find_binary
from .registry import Error
from .results import load, runs

MAX_FILES = 12  # the newest this many files of the profile: each is read, and compared with the one before
CACHE = ".verdicts"  # in the folder: each step's verdict, kept while both files and the binary are


def _stamp(path):
    st = os.stat(path)
    return [os.path.basename(path), st.st_size, st.st_mtime_ns]


def _verdict(base, new, binary, directory):
    """compare(base, new), from the folder's cache when the two files and the asyncbench binary
    are the ones it was computed with (make bench adds one run at a time: one new compare)."""
    exe = find_binary(binary)
    key = hashlib.sha1(json.dumps([_stamp(base), _stamp(new), _stamp(exe)]).encode()).hexdigest()
    cache = os.path.join(directory, CACHE, key + ".json")
    try:
        with open(cache, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    v = compare(base, new, binary=exe)
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(cache + ".tmp", "w", encoding="utf-8") as f:
            json.dump(v, f)
        os.replace(cache + ".tmp", cache)
    except OSError:
        pass  # a folder we may not write: no cache, the same verdict
    return v


def _commit(res):
    c = (res.machine or {}).get("git_commit") or "?"
    return c[:7]


def _machine_key(res):
    m = res.machine or {}
    return (m.get("cpu_model"), m.get("cores"), m.get("memory_kb"), m.get("kernel"))


def _medians(res):
    """{workload: {cell id: (model, median of the primary metric)}} of the file's ok cells."""
    out = {}
    for c in res.cells:
        if c.get("status") != "ok":
            continue
        w = c.get("workload")
        metric = res.primary(w)
        v = runs(c, metric) if metric else []
        if v:
            out.setdefault(w, {})[c["id"]] = (c.get("model"), statistics.median(v))
    return out


def collect(directory, profile=None, binary=None, progress=None, max_files=MAX_FILES):
    """The history of the results files in `directory` (of `profile`, when given). Returns
    {files: [{path, created, commit, machine_changed}], series: {workload: {model: [point or
    None]}}, metrics: {workload: (metric, direction, unit)}, marks: {workload: {model: [(index,
    verdict, cell, ratio)]}}, steps: [{base, new, regressions, improved, warnings, rows}],
    skipped: [(file, why)], other_profiles, left_out (files not read: beyond the newest
    max_files of the profile)}. Raises Error with one line when the folder
    cannot be read or holds fewer than two files of the profile."""
    if not os.path.isdir(directory):
        raise Error(f"--history {directory}: not a folder (make bench keeps its runs in "
                    "results/runs/)")
    # Newest first by name (make bench names them by date), read until max_files of the
    # profile are found: a folder of a year of runs costs what a dozen do. The rest are counted.
    names = sorted((n for n in os.listdir(directory) if n.endswith(".json")), reverse=True)
    same, skipped, other, left_out = [], [], 0, 0
    for name in names:
        if len(same) == max_files:
            left_out += 1
            continue
        path = os.path.join(directory, name)
        try:
            r = load(path, check=False)  # the medians are read, compare checks what it judges
        except Error as e:
            skipped.append((name, str(e)))
            continue
        if profile is None or r.profile == profile:
            same.append(r)
        else:
            other += 1
    files = sorted(same, key=lambda r: (r.created, r.path))
    if len(files) < 2:
        raise Error(f"--history {directory}: {len(files)} results file(s) of the "
                    f"{profile or 'same'} profile there ({other} of other profiles, "
                    f"{len(skipped)} unreadable): a history needs two")
    newest = files[-1]
    medians = [_medians(r) for r in files]
    metrics = {}
    for w in medians[-1]:
        m = newest.primary(w)
        metrics[w] = (m, newest.direction(w, m), newest.unit(w, m))
    series = {}
    for w, last in medians[-1].items():
        models = {}
        for cell, (model, _) in last.items():
            models.setdefault(model, [])
        for model in models:
            points = []
            for i, med in enumerate(medians):
                if files[i].primary(w) != metrics[w][0]:
                    points.append(None)  # another primary metric then: not the same line
                    continue
                logs = [math.log(v / last[cell][1])
                        for cell, (mm, v) in med.get(w, {}).items()
                        if mm == model and cell in last and v > 0 and last[cell][1] > 0]
                points.append(math.exp(sum(logs) / len(logs)) if logs else None)
            models[model] = points
        series[w] = models
    marks, steps = {}, []
    for i in range(1, len(files)):
        if progress:
            progress(f"compare {i} of {len(files) - 1}: {files[i - 1].display_path()} -> "
                     f"{files[i].display_path()}")
        v = _verdict(files[i - 1].path, files[i].path, binary, directory)
        sig = [r for r in v["rows"] if r.get("primary")
               and r.get("verdict") in ("regression", "improved")]
        for r in sig:
            marks.setdefault(r["workload"], {}).setdefault(r["model"], []).append(
                (i, r["verdict"], r["cell"], r.get("ratio")))
        sig.sort(key=lambda r: (r["verdict"] != "regression", r["cell"]))
        steps.append({"base": files[i - 1].display_path(), "new": files[i].display_path(),
                      "base_commit": _commit(files[i - 1]), "new_commit": _commit(files[i]),
                      "regressions": sum(r["verdict"] == "regression" for r in sig),
                      "improved": sum(r["verdict"] == "improved" for r in sig),
                      "warnings": v.get("warnings") or [], "rows": sig})
    out_files = []
    for i, r in enumerate(files):
        out_files.append({"path": r.display_path(), "created": r.created, "commit": _commit(r),
                          "machine_changed": i > 0 and _machine_key(r) != _machine_key(files[i - 1])})
    return {"directory": directory, "profile": profile or newest.profile, "files": out_files,
            "series": series, "metrics": metrics, "marks": marks, "steps": steps,
            "skipped": skipped, "other_profiles": other, "left_out": left_out}
