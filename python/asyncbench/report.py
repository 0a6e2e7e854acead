"""`asyncbench report`: one self-contained HTML page of a results file, the page a person opens
after `make bench`.

  asyncbench report RESULTS.json [--compare BASE.json] [--counts COUNTED.json]
                    [--traces DIR] [--history [DIR]] --out FILE.html

In this order: what was run and on what (machine facts, build type, the share of disturbed runs,
CPU steal), the lecture scenarios against their ideals and ratios, each figure with two lines on
how to read it (inlined as SVG: the page fetches nothing), the echo verdict (counts and CPU where
the files hold them), the tables of medians with ranges, the cells that did not run with their
reasons, with --compare the verdict of RESULTS against BASE, regressions first, and with
--history the headline metrics through the results files of DIR (results/runs/ by default),
compare's significant changes between consecutive runs marked (history.py).

Nothing is judged here: the figures are plots/'s, the verdicts `asyncbench compare`'s (the one
verdict engine), the tables python/asyncbench/tables.py's, the ratios lectures.py's. The page is
rendered by Jinja2 (templates/report.html.j2) with autoescaping, and written atomically. A file
that is not a results file is one line on stderr and exit 2, before anything is written; a part
the files do not hold (no echo cells, no traces) is a line in its section saying so.
"""
import argparse
import math
import multiprocessing
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from . import echo, history, lectures
from .cli import ArgumentParser, fail
from .compare import compare
from .fmt import number
from .registry import ROOT, Error, registry
from .results import display_path, load
from .tables import Table

PROG = "asyncbench report"
PLOTS = os.path.join(ROOT, "plots")
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
ECHO_SIZE, ECHO_CONNECTIONS = 64, [16, 256]


# ---------------------------------------------------------------------------- the run and machine

def run_facts(res):
    """What was run, when, how, and how much of it the machine disturbed."""
    run = res.doc.get("run") or {}
    statuses = {}
    for c in res.cells:
        statuses[c.get("status", "?")] = statuses.get(c.get("status", "?"), 0) + 1
    runs = disturbed = 0
    steal, steal_runs = 0.0, 0
    for c in res.cells:
        n = len(c.get("elapsed_s") or c.get("wall_s") or [])
        runs += n
        disturbed += int(c.get("disturbed_runs") or 0)
        for s in c.get("steal_s") or []:
            if isinstance(s, (int, float)) and math.isfinite(s):
                steal += s
                steal_runs += 1
    wall = sum(sum(x for x in (c.get("wall_s") or []) if isinstance(x, (int, float)))
               for c in res.cells)
    return {
        "path": res.display_path(), "created": res.created, "profile": res.profile,
        "schema_version": res.doc.get("schema_version"),
        "state": run.get("state", "?"), "started": run.get("started", ""),
        "finished": run.get("finished", ""), "command": run.get("command", ""),
        "resumed": run.get("resumed") or [],
        "cells": len(res.cells), "statuses": sorted(statuses.items()),
        "runs": runs, "disturbed": disturbed,
        "disturbed_pct": 100.0 * disturbed / runs if runs else 0.0,
        "steal_s": steal, "steal_runs": steal_runs,
        "steal_pct": 100.0 * steal / wall if wall > 0 else 0.0,
        "upgraded": res.upgraded,
    }


def machine_rows(machine):
    """The machine facts as (name, value) rows, versions flattened."""
    rows = []
    for k, v in machine.items():
        if isinstance(v, dict):
            rows += [(f"{k}: {kk}", str(vv)) for kk, vv in v.items()]
        else:
            rows.append((k, str(v)))
    return rows


# ---------------------------------------------------------------------------- figures

def _import_plots():
    if PLOTS not in sys.path:
        sys.path.insert(0, PLOTS)
    import common  # noqa: E402  (plots/common.py, on the path just set)
    import make_plots  # noqa: E402
    return common, make_plots


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(text, prefix):
    """An SVG file's text as an element of the page: the XML prolog and doctype dropped, and
    every id (and each reference to one) prefixed, so that two figures' ids never collide."""
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text, flags=re.S).strip()
    ids = set(_ID.findall(text))
    if ids:
        def ref(m):
            return m.group(1) + prefix + m.group(2) + m.group(3) if m.group(2) in ids else m.group(0)
        text = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
        text = re.sub(r'(url\(#)([^)]+)(\))', ref, text)
        text = re.sub(r'((?:xlink:)?href="#)([^"]+)(")', ref, text)
    return text


_JOBS = []  # the figures to draw, for the worker processes (forked: they inherit it)


def _draw_one(i, missing_type):
    name, job = _JOBS[i]
    try:
        return name, job(), None
    except missing_type as e:
        return name, None, str(e)


def _draw_all(jobs, missing_type):
    """[(name, paths, why missing)] of every job, in order: drawn by one process per core
    (matplotlib draws on one core; the figures are independent), or here on a single core.
    A worker that dies is an error, never a page without its figure."""
    _JOBS[:] = jobs
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return [_draw_one(i, missing_type) for i in range(len(jobs))]
    ctx = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            return list(pool.map(_draw_one, range(len(jobs)), [missing_type] * len(jobs)))
    except BrokenProcessPool as e:
        raise Error(f"a figure's drawing process died ({e})") from None
    finally:
        _JOBS.clear()


def figures(res, counted, verdict, traces_dir, hist=None):
    """[{name, title, how: [line, line], svg}] and [(name, why skipped)]: every figure the files
    hold, drawn as SVG into a temporary directory and inlined."""
    common, make_plots = _import_plots()
    import matplotlib
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: smaller, selectable
    common.FORMATS = ("svg",)
    drawn, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="asyncbench-report-") as tmp:
        jobs = []
        traces = sorted(
            os.path.join(traces_dir, f) for f in os.listdir(traces_dir) if f.endswith(".json")
        ) if traces_dir and os.path.isdir(traces_dir) else []
        if traces:
            import importlib
            timeline = importlib.import_module("plot_timeline")
            for name, _ in timeline.FIGURES:  # one job each: they are drawn side by side
                jobs.append((name, lambda name=name: timeline.draw_traces(traces, tmp, only=name)))
        else:
            skipped.append(("timelines", f"no trace files in {display_path(traces_dir or '-')} "
                                         "(make plots writes them)"))
        for name, draw in make_plots.FIGURES:
            jobs.append((name, lambda draw=draw: draw(res, tmp)))
        if counted is not None:
            import plot_counts
            jobs.append(("counts", lambda: plot_counts.draw(counted, tmp)))
        else:
            skipped.append(("counts", "no counted file (--counts; make bench and make counts "
                                      "write results/counted.json)"))
        if verdict is not None:
            import plot_compare
            jobs.append(("compare", lambda: plot_compare.draw(verdict, tmp)))
        if hist is not None:
            import plot_history
            jobs.append(("history", lambda: plot_history.draw(hist, tmp)))
        for name, paths, missing in _draw_all(jobs, common.Missing):
            if missing is not None:
                skipped.append((name, missing))
                continue
            for p in paths:
                if not p.endswith(".svg"):
                    continue
                fig = os.path.splitext(os.path.basename(p))[0]
                title, *how = make_plots.HOW_TO_READ.get(fig, (fig, "", ""))
                with open(p, encoding="utf-8") as f:
                    drawn.append({"name": fig, "title": title, "how": how,
                                  "svg": inline_svg(f.read(), f"{fig}-")})
    return drawn, skipped


# ---------------------------------------------------------------------------- echo verdict

def echo_verdict(results_path, counted, binary):
    """The two halves of the echo verdict, each {data} or {missing: why}."""
    out = {"size": ECHO_SIZE}
    if counted is None:
        out["counted"] = {"missing": "no counted file given (--counts)"}
    else:
        try:
            out["counted"] = {"tables": echo.counted(counted, ECHO_SIZE, ECHO_CONNECTIONS),
                              "path": counted.display_path()}
        except Error as e:
            out["counted"] = {"missing": str(e)}
    try:
        summary, rows = echo.timed([results_path], ECHO_SIZE, ECHO_CONNECTIONS, binary)
    except Error as e:
        out["timed"] = {"missing": str(e)}
        return out
    tables = []
    for n in ECHO_CONNECTIONS:
        models = [{"model": m, "n": summary[(n, m, echo.CPU)]["n"],
                   "cpu": summary[(n, m, echo.CPU)], "rps": summary[(n, m, echo.RPS)]}
                  for m in echo.AIO + echo.OTHERS]
        pairs = []
        for a, b in echo.PAIRS:
            cells = []
            for metric in (echo.CPU, echo.RPS):
                r = rows.get((n, a, b, metric))
                cells.append(None if r is None else {
                    "ratio": echo.ratio_text(r), "won": echo.won_text(r),
                    "p": r["p_a_better"], "verdict": r["verdict"]})
            pairs.append({"a": a, "b": b, "cpu": cells[0], "rps": cells[1]})
        tables.append({"connections": n, "models": models, "pairs": pairs})
    out["timed"] = {"tables": tables}
    return out


# ---------------------------------------------------------------------------- tables and cells

def workload_tables(res):
    """One table per workload: its primary metric's medians with ranges, per row and model."""
    out = []
    seen = []
    for c in res.cells:
        if c["workload"] not in seen:
            seen.append(c["workload"])
    order = [w for w in registry().workloads() if w in seen] + \
        [w for w in seen if w not in registry().workloads()]
    for w in order:
        metric = res.primary(w) or "elapsed_s"
        t = Table(res, metric, [w], with_range=True)
        if not t.rows:
            continue
        d = res.declaration(w, metric) or {}
        out.append({"workload": w, "metric": metric, "title": d.get("title", metric),
                    "direction": d.get("direction", ""), "table": t})
    return out


def not_run(res):
    """The cells that did not run: (status, id, reason), failed and timed out first."""
    rank = {"failed": 0, "timeout": 1, "unsupported": 2}
    cells = [(c["status"], c["id"], c.get("error", "(no reason recorded)"))
             for c in res.cells if c.get("status") != "ok"]
    return sorted(cells, key=lambda x: (rank.get(x[0], 3), x[1]))


def verdict_view(v):
    """compare's verdict ordered for a reader: regressions (primary first), then improvements,
    then how many were noise or the same."""
    regressions = [r for r in v["rows"] if r["verdict"] == "regression"]
    regressions.sort(key=lambda r: (not r.get("primary"), r["cell"], r["metric"]))
    improved = [r for r in v["rows"] if r["verdict"] == "improved"]
    improved.sort(key=lambda r: (not r.get("primary"), r["cell"], r["metric"]))
    tally = {}
    for r in v["rows"]:
        tally[r["verdict"]] = tally.get(r["verdict"], 0) + 1
    return {"regressions": regressions, "improved": improved, "tally": sorted(tally.items()),
            "status_changes": v.get("status_changes") or [], "warnings": v.get("warnings") or [],
            "geometric_mean": v.get("geometric_mean") or {}, "exit": v.get("exit"),
            "threshold": v.get("threshold_pct"), "cells": v.get("cells") or {},
            "base": v["base"], "new": v["new"]}


# ---------------------------------------------------------------------------- the page

def _fmt(x, digits=None):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    return f"{x:,.{digits}f}" if digits is not None else number(x)


def render(context):
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["num"] = _fmt
    env.filters["pct"] = lambda x: "–" if x is None else f"{x:+.1f} %"
    return env.get_template("report.html.j2").render(**context)


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def check_out(path):
    """The page's path: a file in an existing, writable directory (not a directory)."""
    if not path:
        fail(PROG, "--out: an empty path")
    if os.path.isdir(path):
        fail(PROG, f"--out {path}: is a directory")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        fail(PROG, f"--out {path}: no directory {d}")
    if not os.access(d, os.W_OK):
        fail(PROG, f"--out {path}: {d} is not writable")


def history_view(hist, figure):
    """The history section: its figure, and each step's significant primary changes."""
    steps = []
    for s in hist["steps"]:
        steps.append(dict(s, shown=s["rows"][:HISTORY_ROWS],
                          more=max(0, len(s["rows"]) - HISTORY_ROWS)))
    return {"directory": display_path(hist["directory"]), "profile": hist["profile"],
            "files": hist["files"], "figure": figure, "steps": steps,
            "skipped": hist["skipped"], "other_profiles": hist["other_profiles"],
            "left_out": hist["left_out"]}


HISTORY_ROWS = 12  # significant changes listed per step; the rest counted


def build(args):
    """Everything the page shows, read and computed before anything is written."""
    res = load(args.results)
    counted_path = args.counts
    if counted_path is None and os.path.isfile(os.path.join(ROOT, "results", "counted.json")):
        counted_path = os.path.join(ROOT, "results", "counted.json")
    counted = load(counted_path) if counted_path else None
    verdict = compare(args.compare, args.results, threshold=args.threshold,
                      binary=args.asyncbench) if args.compare else None
    hist = None
    if args.history:
        hist = history.collect(args.history, res.profile, args.asyncbench,
                               progress=lambda line: print(f"{PROG}: history: {line}",
                                                           file=sys.stderr))
    print(f"{PROG}: drawing the figures of {res.display_path()}", file=sys.stderr)
    figs, skipped = figures(res, counted, verdict, args.traces, hist)
    history_figure = next((f for f in figs if f["name"] == "history"), None)
    figs = [f for f in figs if f["name"] != "history"]
    reg = registry()
    models = [{"id": m, "label": reg.label(m), "kind": reg.kind(m),
               "description": reg.description(m)}
              for m in reg.order({c["model"] for c in res.cells})]
    return {
        "title": f"asyncbench: {res.profile} profile, {res.created}",
        "run": run_facts(res), "machine": machine_rows(res.machine), "models": models,
        "ratios": lectures.ratios(res), "ideals": lectures.ideals(res), "tolerance": 10,
        "figures": figs, "skipped": skipped,
        "echo": echo_verdict(args.results, counted, args.asyncbench),
        "tables": workload_tables(res), "not_run": not_run(res),
        "verdict": verdict_view(verdict) if verdict else None,
        "counted_path": counted.display_path() if counted else None,
        "history": history_view(hist, history_figure) if hist else None,
    }


def main(argv=None):
    ap = ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("results", help="the results file (make bench: results/latest.json)")
    ap.add_argument("--out", required=True, help="the HTML file to write")
    ap.add_argument("--compare", metavar="BASE", help="a base results file: the verdict of "
                                                      "RESULTS against it")
    ap.add_argument("--counts", metavar="FILE", help="a counted results file (default "
                                                     "results/counted.json when there is one)")
    ap.add_argument("--traces", default=os.path.join(ROOT, "results", "traces"),
                    help="the timelines' trace files (default results/traces)")
    ap.add_argument("--history", nargs="?", const=os.path.join(ROOT, "results", "runs"),
                    metavar="DIR", help="add the history of the results files in DIR (default "
                    "results/runs, where make bench keeps each run) of RESULTS's profile: the "
                    "headline metrics run after run, compare's significant changes marked")
    ap.add_argument("--threshold", type=float, help="compare's threshold in %% (default 5)")
    ap.add_argument("--asyncbench", metavar="PATH", help="the asyncbench binary for compare "
                                                         "(default $ASYNCBENCH)")
    args = ap.parse_args(argv)
    check_out(args.out)
    try:
        context = build(args)
    except Error as e:
        fail(PROG, str(e))
    html = render(context)
    write_atomic(args.out, html)
    print(f"{PROG}: wrote {args.out} ({len(html) / 1e6:.1f} MB, {len(context['figures'])} "
          f"figures; {len(context['skipped'])} skipped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
