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
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench.cli import ArgumentParser, fail  # noqa: E402
from asyncbench.fmt import in_display_unit, number, time_scale  # noqa: E402

PROG = "results_table"
# A workload may declare its two ideals (both role ideal) beside the per-model one.
IDEAL_PAIR = ("ideal_sequential_s", "ideal_concurrent_s")


def variant(cell):
    """The cell's planned parameters (its id without workload and model): the row it belongs to.
    cpu-offload's work per chunk differs between C++ and Python (its README says why), so its
    iterations do not split rows."""
    parts = []
    for p in cell["id"].split("/")[2:]:
        key, _, value = p.partition(":")
        if key in ("iterations", "duration_s", "warmup_s"):
            continue
        if key == "time_scale":
            key, value = "scale", time_scale(value)
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def median(cell, metric):
    s = asyncbench.spread(cell, metric)
    return s.median if s else None


def ideal_text(res, workload, metric, by_model, factor):
    """The row's ideal of `metric`, in the shown unit: sequential / concurrent where the workload
    declares both, else the declared ideal's value (each distinct one, largest first)."""
    ideal = res.ideal_for(workload, metric)
    if not ideal:
        return ""
    cells = list(by_model.values())
    if set(IDEAL_PAIR) <= set(res.of_role(workload, "ideal")):
        for c in cells:
            seq, conc = median(c, IDEAL_PAIR[0]), median(c, IDEAL_PAIR[1])
            if seq is not None and conc is not None:
                return f"{number(seq * factor)} / {number(conc * factor)}"
    values = sorted({v for v in (median(c, ideal) for c in cells) if v is not None}, reverse=True)
    return " / ".join(number(v * factor) for v in values)


def entry(cell, metric, factor, with_range):
    status = cell.get("status")
    if status == "unsupported":
        return "n/a"
    if status in ("failed", "timeout"):
        return status.upper()
    s = asyncbench.spread(cell, metric)
    if not s:
        return ""
    text = number(s.median * factor)
    if with_range:
        text += f" [{number(s.min * factor)}–{number(s.max * factor)}]"
    return text


def natural(item):
    (workload, params), _ = item
    return (workload, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", params)])


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

    # By default a workload whose elapsed_s is declared info (a load client's fixed window) is
    # left out of the elapsed table: its numbers are its other metrics.
    skipped = set()
    if not wanted and args.metric == "elapsed_s":
        skipped = {c["workload"] for c in res.cells
                   if res.direction(c["workload"], "elapsed_s") == "info"}
    rows = {}  # (workload, variant) -> {model: cell}
    for c in res.cells:
        if (wanted and c["workload"] not in wanted) or c["workload"] in skipped:
            continue
        rows.setdefault((c["workload"], variant(c)), {})[c["model"]] = c
    if not rows:
        fail(PROG, "no cells to show" + (f" for {args.workloads}" if wanted else ""))
    models = asyncbench.registry().order({m for r in rows.values() for m in r})

    units = {in_display_unit(res.unit(w, args.metric))
             for w in {w for w, _ in rows} if res.declaration(w, args.metric)}
    unit = next(iter(units))[0] if len(units) == 1 else "each workload's declared unit"
    show_ideal = any(res.ideal_for(w, args.metric) for w, _ in rows)
    print("| workload | parameters | " + (f"ideal {unit} | " if show_ideal else "") +
          " | ".join(models) + " |")
    print("|---|---|" + ("---:|" if show_ideal else "") + "---:|" * len(models))
    for (workload, params), by_model in sorted(rows.items(), key=natural):
        _, factor = in_display_unit(res.unit(workload, args.metric))
        ideal = (f"{ideal_text(res, workload, args.metric, by_model, factor)} | "
                 if show_ideal else "")
        print(f"| {workload} | {params} | {ideal}" +
              " | ".join(entry(by_model[m], args.metric, factor, args.range) if m in by_model
                         else "" for m in models) + " |")
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
