"""`asyncbench compare`, the one verdict engine (harness/src/compare.cpp), run from Python: the
figures and reports draw its JSON and never judge a change themselves.

  compare(BASE, NEW, threshold=5)      -> the verdict of two files (rows, status_changes, ...)
  compare_pairs(FILES, [("a", "b")])   -> model A against model B within the files, by round
  load_verdict(PATH)                   -> a verdict saved from `compare ... --format json`

The binary is the explicit path given, else $ASYNCBENCH, else <checkout>/build/bin/asyncbench.
It runs with --root <checkout>, so a schema_version 1 file is read with the same declarations
as this package reads it. Failures raise CompareError with one line.
"""
import json
import os
import subprocess

from .registry import ROOT, Error
from .results import read_json


class CompareError(Error):
    """asyncbench compare could not give a verdict (no binary, bad input, unreadable output)."""


def find_binary(path=None):
    """The asyncbench binary: `path`, else $ASYNCBENCH, else <checkout>/build/bin/asyncbench.
    Raises CompareError when it is not an executable file."""
    if path:
        exe, how = path, "given"
    elif os.environ.get("ASYNCBENCH"):
        exe, how = os.environ["ASYNCBENCH"], "from $ASYNCBENCH"
    else:
        exe, how = os.path.join(ROOT, "build", "bin", "asyncbench"), "the default"
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        raise CompareError(f"no asyncbench binary at {exe} ({how}; `make build` makes it, or "
                           "give its path with --asyncbench or $ASYNCBENCH)")
    return exe


def _refuse(text):
    raise ValueError(f"{text} in it")


def _run(args, binary):
    cmd = [find_binary(binary), "--root", ROOT, "compare", *args, "--format", "json"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except OSError as e:
        raise CompareError(f"{cmd[0]}: {e.strerror or e}") from None
    except subprocess.TimeoutExpired:
        raise CompareError("asyncbench compare did not finish within 600 s") from None
    # 0: no regression, 1: a regression (both a verdict); 2: bad input, said on stderr.
    if p.returncode not in (0, 1):
        lines = [x for x in p.stderr.splitlines() if x.strip()]
        why = lines[-1] if lines else f"exit status {p.returncode}"
        raise CompareError(why if why.startswith("asyncbench") else f"asyncbench compare: {why}")
    try:
        doc = json.loads(p.stdout, parse_constant=_refuse)
    except ValueError as e:
        raise CompareError(f"asyncbench compare --format json: unreadable output ({e})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rows"), list):
        raise CompareError("asyncbench compare --format json: no \"rows\" in its output")
    return doc


def compare(base, new, threshold=None, deterministic_threshold=None, workloads=(), where=(),
            binary=None):
    """The verdict of NEW against BASE: {base, new, threshold_pct, warnings, cells, rows,
    status_changes, geometric_mean, regressions, exit} (exit 1: a regression)."""
    args = [base, new]
    if threshold is not None:
        args += ["--threshold", f"{threshold:g}"]
    if deterministic_threshold is not None:
        args += ["--deterministic-threshold", f"{deterministic_threshold:g}"]
    if workloads:
        args += ["-w", ",".join(workloads)]
    for w in where:
        args += ["--where", w]
    return check_verdict(_run(args, binary), "asyncbench compare")


def compare_pairs(files, pairs, workloads=(), where=(), metrics=(), binary=None):
    """Model A against model B within the files, pooled and paired by round: {files, rows}, a
    row per (row of cells, pair, metric) with a_summary, b_summary, ratio_of_medians, p_a_better,
    paired {rounds, median_ratio, a_won} (when the runs carry rounds), ci95 and verdict."""
    args = list(files)
    for a, b in pairs:
        args += ["--pair", f"{a}:{b}"]
    if workloads:
        args += ["-w", ",".join(workloads)]
    for w in where:
        args += ["--where", w]
    for m in metrics:
        args += ["--metric", m]
    return _run(args, binary)


def check_verdict(doc, name):
    """`doc` if it is a verdict of two files; CompareError otherwise."""
    for k in ("base", "new", "threshold_pct", "rows", "cells", "status_changes", "regressions"):
        if k not in doc:
            raise CompareError(f"{name}: not a verdict of asyncbench compare BASE NEW "
                               f"--format json (no \"{k}\")")
    return doc


def load_verdict(path):
    """A verdict saved from `asyncbench compare BASE NEW --format json > PATH`."""
    doc = read_json(path, CompareError)
    if not isinstance(doc, dict):
        raise CompareError(f"{path}: not a verdict of asyncbench compare (not an object)")
    return check_verdict(doc, path)
