#!/usr/bin/python3
"""Validates asyncbench results files against results/schema.json (schema_version 2; a version
1 file is first given the current tree's declarations, as the harness reads it), and what a
schema cannot say:

- the file is JSON without NaN or Infinity (Python's json would accept them);
- each cell id appears once;
- every array has one entry per counted run, and rounds increase;
- a cell that is ok has runs, all of them, and its summary's median is theirs;
- every metric a cell records is declared for its workload (the file's `workloads`), and its
  model is one of the file's `models`;
- a complete run has no pending cell.

  /usr/bin/python3 scripts/validate_results.py results/latest.json [more files...]

Exit 0 if every file is valid; 1 with one line per problem otherwise (at most 20 a file, then a
count of the rest); 2 when the schema itself cannot be read.
"""
import os
import statistics
import sys
from collections import Counter

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench.cli import ArgumentParser, fail  # noqa: E402

PROG = "validate_results"
MAX_LINES = 20
RUN_ARRAYS = ("wall_s", "cpu_s", "max_rss_kb", "ctx_switches", "steal_s", "others_cpu_s",
              "load_before", "load_after")


def check(doc):
    """The problems the schema cannot see, one line each."""
    problems = []
    for cid, k in Counter(c["id"] for c in doc["results"]).items():
        if k > 1:
            problems.append(f"{cid}: the cell id appears {k:,} times (ids are unique)")
    complete = doc["run"]["state"] == "complete"
    models, workloads = doc["models"], doc["workloads"]
    for c in doc["results"]:
        cid = c["id"]
        n = len(c["elapsed_s"])
        if c["model"] not in models:
            problems.append(f"{cid}: model {c['model']} is not one of the file's models")
        if c["workload"] not in workloads:
            problems.append(f"{cid}: workload {c['workload']} has no declarations in the file's "
                            "workloads")
        else:
            declared = workloads[c["workload"]]["metrics"]
            for where in ("metrics", "info"):
                for m in c.get(where, {}):
                    if m not in declared:
                        problems.append(f"{cid}: {where}.{m} is not declared for workload "
                                        f"{c['workload']}")
        if c["repeats"] != n:
            problems.append(f"{cid}: repeats is {c['repeats']} but there are {n} runs")
        for k in RUN_ARRAYS:
            if k in c and len(c[k]) != n:
                problems.append(f"{cid}: {k} has {len(c[k])} entries for {n} runs")
        if "round" in c:
            r = c["round"]
            if len(r) != n:
                problems.append(f"{cid}: round has {len(r)} entries for {n} runs")
            elif any(b <= a for a, b in zip(r, r[1:])):
                problems.append(f"{cid}: rounds {r} do not increase (a cell runs once per round)")
        for m, v in c["metrics"].items():
            if len(v) != n:
                problems.append(f"{cid}: metric {m} has {len(v)} entries for {n} runs")
        if c["status"] == "ok":
            if n == 0:
                problems.append(f"{cid}: ok with no runs")
            elif n != c["repeats_planned"]:
                problems.append(f"{cid}: ok with {n} of {c['repeats_planned']} runs")
            summary = c["summary"].get("elapsed_s")
            if n and not summary:
                problems.append(f"{cid}: ok with no summary of elapsed_s")
            elif n:
                med = summary["median"]
                if abs(med - statistics.median(c["elapsed_s"])) > 1e-9 * max(1.0, abs(med)):
                    problems.append(f"{cid}: summary median {med} is not the median of the runs")
        if complete and c["status"] == "pending":
            problems.append(f"{cid}: pending in a complete run")
    return problems


def main():
    ap = ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--schema", default=os.path.join(asyncbench.ROOT, "results", "schema.json"))
    a = ap.parse_args()
    try:
        schema = asyncbench.read_json(a.schema, asyncbench.Error)
        validator = jsonschema.Draft7Validator(schema)
    except (asyncbench.Error, jsonschema.SchemaError) as e:
        fail(PROG, f"the schema: {str(e).splitlines()[0]}")
    bad = 0
    for path in a.files:
        try:
            # Only what reading needs: the schema and check() below say what else is wrong.
            res = asyncbench.load(path, check=False)
        except asyncbench.Error as e:
            print(e)
            bad += 1
            continue
        doc = res.doc
        errors = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                  for e in validator.iter_errors(doc)]
        if not errors:
            errors = check(doc)
        for e in errors[:MAX_LINES]:
            print(f"{path}: {e}")
        if len(errors) > MAX_LINES:
            print(f"{path}: ... and {len(errors) - MAX_LINES:,} more problems")
        if errors:
            bad += 1
        else:
            upgraded = " (schema_version 1, read with the current declarations)" if res.upgraded else ""
            print(f"{path}: valid ({len(doc['results'])} cells, {doc['profile']} profile, "
                  f"run {doc['run']['state']}){upgraded}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
