#!/usr/bin/python3
"""Draws every figure (`make plots`): the timelines from trace files, the figures of a results
file, and optionally the comparison of two results files.

  /usr/bin/python3 plots/make_plots.py --results results/latest.json [--out results/figures]
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

# Each figure's title and how to read it, in two lines: the report (asyncbench report) prints
# them under the figure. Written here once, beside the list of figures.
HOW_TO_READ = {
    "timeline_count": ("The lectures' count, task by task",
                       "One row per task: a bar where it runs, a pale one where it waits. Sync "
                       "runs the three counts one after another; async interleaves them.",
                       "The async run ends after one sleep, the sync one after three: the "
                       "lecture's 3.01 s against 1.01 s."),
    "timeline_chess": ("The chess exhibition, sequential against concurrent",
                       "Rows are the boards; bars are the master's moves, gaps the opponents' "
                       "thinking.",
                       "Sequentially every board waits for the others; concurrently the master "
                       "moves on while opponents think, and the whole ends 12× sooner."),
    "timeline_offload": ("Blocking calls inline and offloaded with to_thread",
                         "The loop's row and the pool threads' rows: inline, the blocking calls "
                         "hold the loop one after another.",
                         "Offloaded, they run side by side on the pool's threads and the loop "
                         "stays free: one call's time instead of three."),
    "elapsed": ("Elapsed time of the lectures' scenarios against their ideals",
                "A bar is a model's median elapsed time, its whisker the min-max of the runs; "
                "dashed: the sequential ideal, dotted: the concurrent one.",
                "A concurrent model should sit on the dotted line, a sequential one on the "
                "dashed line; the height above them is the model's own overhead."),
    "sleep_fanout": ("N sleeping tasks: overhead and memory per task",
                     "Log-log against N: left, the time beyond the one sleep all tasks share; "
                     "right, the memory each task costs.",
                     "Flat lines scale; a line that climbs with N pays per task more than the "
                     "others (threads and processes stop where the machine does)."),
    "echo": ("Echo servers: requests per second and p99 latency",
             "Closed loop, the shared load client; one line per server against the number of "
             "connections, medians with min-max whiskers.",
             "Higher is better on the left, lower on the right; a red ring marks errors, "
             "'k of n stalled' a server that left connections unserved."),
    "echo_latency": ("Echo latency percentiles at 256 connections",
                     "Each line is a server's latency distribution from the merged histograms, "
                     "on HdrHistogram's axis (90 %, 99 %, 99.9 % equally spaced).",
                     "Lower is better; where the lines part to the right is the servers' tail."),
    "network_fetch": ("Fetching pages from a slow local HTTP server",
                      "Left: elapsed time against the number of pages; right: against the limit "
                      "of requests in flight. Dashed and dotted lines are the ideals.",
                      "A concurrent model follows the concurrent ideal; the sequential ones pay "
                      "one delay per page."),
    "loop_lag": ("How late a 10 ms ticker runs beside a blocking call",
                 "Two bars per model: the worst lateness of a tick with the call inline and "
                 "offloaded; the dot is the mean lateness.",
                 "Inline, no loop can tick before the call returns (the dashed line); "
                 "offloaded, the bar should be near zero."),
    "counts": ("Where each echo server's instructions go",
               "One bar per server: user-space instructions per 64-byte echo (callgrind), split "
               "into the program, its runtime and libc/libstdc++; system calls per request at "
               "the bar's end.",
               "Deterministic: a count moves by less than 2 % between runs, so small "
               "differences are real. The bare epoll and io_uring loops are the floor."),
    "history": ("The headline metrics, run after run",
                "One panel per workload, its primary metric; a point is a run's medians over the "
                "newest run's (geometric mean over the cells they share), oldest left.",
                "Every line ends at 1; triangles are compare's significant changes against the "
                "run before (red worse, green better), a dotted line a change of machine."),
    "compare": ("The verdict of this run against the base",
                "One bar per cell's primary metric: its change, coloured by asyncbench "
                "compare's verdict; the band is ± the threshold.",
                "Red bars are significant regressions, green ones improvements; grey hatched "
                "bars moved beyond the threshold without significance."),
}


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
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "results", "figures"),
                    help="directory for the PNG and SVG files (default results/figures)")
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
    ap.add_argument("--traces", default=os.path.join(os.path.dirname(HERE), "results", "traces"),
                    help="directory of trace files for the timelines (default results/traces)")
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
