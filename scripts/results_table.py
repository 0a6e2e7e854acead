#!/usr/bin/python3
"""A results file as Markdown tables: one row per workload and parameters, one column per model
(in the registry's order, workloads/models.json).

Each entry is the median of a metric over the cell's runs, with its min-max range when asked.
A model that cannot run the cell shows "n/a" (unsupported: the file says why), a failed or timed
out cell shows FAILED or TIMEOUT, a cell the plan did not include is blank.

  /usr/bin/python3 scripts/results_table.py results/reference/quick.json
  /usr/bin/python3 scripts/results_table.py FILE --workloads loop-lag --metric worst_lag_ms
  /usr/bin/python3 scripts/results_table.py FILE --metric rss_per_task_b --range
  /usr/bin/python3 scripts/results_table.py FILE --workloads echo --metric server_cpu_us_per_req

--metric: elapsed_s (the default) or any metric a workload declares. A metric declared in
seconds is shown in ms, any other in its declared unit. The ideal column is the metric the
workload declares the ideal of the one shown (ideal_for), "sequential / concurrent" where it also
declares both of those ideals. By default, workloads whose elapsed_s is declared info (echo: the
load client's fixed window) are left out, with a line naming their primary metric.
Exit 2 with one line on stderr for a file that is not a results file.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench.cli import ArgumentParser, fail  # noqa: E402
from asyncbench.tables import Table  # noqa: E402

PROG = "results_table"


def main():
    ap = ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--metric", default="elapsed_s")
    ap.add_argument("--workloads", help="comma-separated (default: all in the file)")
    ap.add_argument("--range", action="store_true", help="add [min–max] to each median")
    args = ap.parse_args()
    try:
        res = asyncbench.load(args.file)
    except asyncbench.Error as e:
        fail(PROG, str(e))
    wanted = args.workloads.split(",") if args.workloads else None
    table = Table(res, args.metric, wanted, args.range)
    if not table.rows:
        fail(PROG, "no cells to show" + (f" for {args.workloads}" if wanted else ""))
    print(table.markdown())
    unit, skipped = table.unit, table.skipped
    m = res.machine
    print(f"\nMedians in {unit or 'the declared unit'} of {res.profile} profile runs, "
          f"{m.get('cpu_model', '?')} × {m.get('cores', '?')}, "
          f"{str(m.get('kernel', '?')).split(' #')[0]}, commit {str(m.get('git_commit', '?'))[:12]}.")
    for w in sorted(skipped):
        d = res.declaration(w, "elapsed_s") or {}
        print(f"({w}: its elapsed_s is declared info ({d.get('title', 'not compared')}); see "
              f"--workloads {w} --metric {res.primary(w) or '...'}, its primary metric)")


if __name__ == "__main__":
    main()
