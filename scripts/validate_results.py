#!/usr/bin/python3
"""Validates asyncbench results files against results/schema.json, and what a schema cannot
say: every array has one entry per counted run, rounds increase, a cell that is ok has all its
runs, the summary matches the runs, and a complete run has no pending cell.

  /usr/bin/python3 scripts/validate_results.py results/latest.json [more files...]

Exit 0 if every file is valid; 1 with one line per problem otherwise.
"""
import argparse
import json
import os
import statistics
import sys

import jsonschema


def check(doc):
    problems = []
    complete = doc["run"]["state"] == "complete"
    for c in doc["results"]:
        cid = c["id"]
        n = len(c["elapsed_s"])
        if c["repeats"] != n:
            problems.append(f"{cid}: repeats is {c['repeats']} but there are {n} runs")
        for k in ("wall_s", "cpu_s", "max_rss_kb", "ctx_switches", "steal_s", "others_cpu_s"):
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
            if n != c["repeats_planned"]:
                problems.append(f"{cid}: ok with {n} of {c['repeats_planned']} runs")
            med = c["summary"]["elapsed_s"]["median"]
            if abs(med - statistics.median(c["elapsed_s"])) > 1e-9 * max(1.0, abs(med)):
                problems.append(f"{cid}: summary median {med} is not the median of the runs")
        if complete and c["status"] == "pending":
            problems.append(f"{cid}: pending in a complete run")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--schema", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "results", "schema.json"))
    a = ap.parse_args()
    with open(a.schema) as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for path in a.files:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: {e}")
            bad += 1
            continue
        errors = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                  for e in validator.iter_errors(doc)]
        if not errors:
            errors = check(doc)
        for e in errors[:20]:
            print(f"{path}: {e}")
        if errors:
            bad += 1
        else:
            print(f"{path}: valid ({len(doc['results'])} cells, {doc['profile']} profile, run {doc['run']['state']})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
