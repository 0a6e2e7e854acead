#!/usr/bin/python3
"""Draws every figure (`make plots`): the timelines from trace files, the figures of a results
file, and optionally the comparison of two results files.

  /usr/bin/python3 plots/make_plots.py --results results/latest.json [--out plots/figures]
  /usr/bin/python3 plots/make_plots.py --compare results/reference/full.json results/latest.json
  (both together draw both)

Each figure goes to <out>/<name>.png and .svg. A figure whose data the file does not hold is
skipped with one line saying what is missing; that is not an error (exit 0). A file that is not
a results file gives one line on stderr and exit 2, before anything is drawn. The compare figure
draws `asyncbench compare`'s verdict (--asyncbench PATH, else $ASYNCBENCH, else
build/bin/asyncbench), which is run before anything is drawn too.
"""
import argparse
import glob
import importlib.util
import os
import sys

import common
import asyncbench  # on the path common.py sets
import plot_compare
import plot_counts
import plot_echo
import plot_echo_latency
import plot_elapsed
import plot_loop_lag
import plot_network_fetch
import plot_sleep_fanout

HERE = os.path.dirname(os.path.abspath(__file__))

# The figures of one results file, in the order (3 to 7).
FIGURES = [
    ("elapsed", plot_elapsed.draw),
    ("sleep_fanout", plot_sleep_fanout.draw),
    ("echo", plot_echo.draw),
    ("echo_latency", plot_echo_latency.draw),
    ("network_fetch", plot_network_fetch.draw),
    ("loop_lag", plot_loop_lag.draw),
]


def shown(path):
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else path


def report(name, paths):
    stems = sorted({os.path.splitext(p)[0] for p in paths})
    exts = ", ".join(sorted({os.path.splitext(p)[1] for p in paths}))
    print(f"{name}: wrote {', '.join(shown(s) for s in stems)} ({exts})")


def timelines(traces_dir, out_dir):
    """Figures 1 and 2, the lectures' timelines, come from `asyncbench trace` files and a
    plot_timeline.py of their own: draw_traces(trace_paths, out_dir) -> written paths."""
    traces = sorted(glob.glob(os.path.join(traces_dir, "*.json")))
    if not traces:
        print(f"timelines: skipped: no trace files ({shown(traces_dir)}/*.json)")
        return
    script = os.path.join(HERE, "plot_timeline.py")
    if not os.path.exists(script):
        print(f"timelines: skipped: {len(traces)} trace file(s) but no plots/plot_timeline.py")
        return
    spec = importlib.util.spec_from_file_location("plot_timeline", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        report("timelines", module.draw_traces(traces, out_dir))
    except common.Missing as e:
        print(f"timelines: skipped: {e}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", help="results file to draw figures 3-7 from "
                                      "(make plots: results/latest.json)")
    ap.add_argument("--out", default=os.path.join(HERE, "figures"),
                    help="directory for the PNG and SVG files (default plots/figures)")
    ap.add_argument("--compare", nargs=2, metavar=("BASE", "NEW"),
                    help="also draw the compare figure of two results files")
    ap.add_argument("--threshold", type=float,
                    help="compare: smallest change in %% that can count (compare's default: 5)")
    ap.add_argument("--asyncbench", metavar="PATH",
                    help="compare: the asyncbench binary (default $ASYNCBENCH, else "
                         "build/bin/asyncbench)")
    ap.add_argument("--counts", metavar="FILE",
                    help="a counted results file (asyncbench run --count) to draw the counts "
                         "figure from (make plots: results/counted.json when there is one)")
    ap.add_argument("--traces", default=os.path.join(HERE, "traces"),
                    help="directory of trace files for the timelines (default plots/traces)")
    args = ap.parse_args(argv)
    if not args.results and not args.compare and not args.counts:
        ap.error("give --results FILE, --compare BASE NEW, --counts FILE, or several")

    # Read every file and get compare's verdict first: a bad file stops the run before any
    # figure is replaced.
    try:
        res = common.load(args.results) if args.results else None
        counted = common.load(args.counts) if args.counts else None
        verdict = (asyncbench.compare(*args.compare, threshold=args.threshold,
                                      binary=args.asyncbench) if args.compare else None)
    except asyncbench.Error as e:
        print(f"make_plots: error: {e}", file=sys.stderr)
        return 2

    try:
        if res is not None:
            timelines(args.traces, args.out)
            for name, draw in FIGURES:
                try:
                    report(name, draw(res, args.out))
                except common.Missing as e:
                    print(f"{name}: skipped: {e}")
        if counted is not None:
            try:
                report("counts", plot_counts.draw(counted, args.out))
            except common.Missing as e:
                print(f"counts: skipped: {e}")
        else:
            print("counts: skipped: no --counts FILE given")
        if verdict is not None:
            try:
                report("compare", plot_compare.draw(verdict, args.out))
            except common.Missing as e:
                print(f"compare: skipped: {e}")
        else:
            print("compare: skipped: no --compare BASE NEW given")
    except common.BadResults as e:  # a malformed part found while drawing (a histogram, ...)
        print(f"make_plots: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
