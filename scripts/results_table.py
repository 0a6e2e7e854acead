#!/usr/bin/python3
"""A results file as Markdown tables: one row per workload and parameters, one column per model.

Each entry is the median of a metric over the cell's runs, with its min-max range when asked.
A model that cannot run the cell shows "n/a" (unsupported: the file says why), a failed or timed
out cell shows FAILED or TIMEOUT, a cell the plan did not include is blank.

  /usr/bin/python3 scripts/results_table.py results/reference/quick.json
  /usr/bin/python3 scripts/results_table.py FILE --workloads loop-lag --metric worst_lag_ms
  /usr/bin/python3 scripts/results_table.py FILE --metric rss_per_task_b --range
  /usr/bin/python3 scripts/results_table.py FILE --workloads echo --metric server_cpu_us_per_req

--metric: elapsed_s (the default, shown in ms), or any name under a cell's metrics, shown as is.
"""
import argparse
import re
import sys

import results_file

MODELS = ["sync", "py-sync", "threads", "threadpool", "processes", "aio-epoll", "aio-uring", "libuv",
          "asio", "py-asyncio", "py-uvloop"]


def fail(msg):
    print(f"results_table: {msg}", file=sys.stderr)
    sys.exit(2)


def number(x):
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if a >= 1 else f"{x:.3f}"


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
            x = float(value)
            value = f"1/{1 / x:.0f}" if x < 0.001 else value
            key = "scale"
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def ideal_ms(by_model):
    """The row's ideal: sequential / concurrent where the workload reports both."""
    for c in by_model.values():
        m = c.get("summary", {}).get("metrics", {})
        if "ideal_sequential_s" in m and "ideal_concurrent_s" in m:
            return (f"{number(m['ideal_sequential_s']['median'] * 1000)} / "
                    f"{number(m['ideal_concurrent_s']['median'] * 1000)}")
    for c in by_model.values():
        m = c.get("summary", {}).get("metrics", {})
        if "ideal_s" in m:
            return number(m["ideal_s"]["median"] * 1000)
    return ""


def entry(cell, metric, with_range):
    status = cell.get("status")
    if status == "unsupported":
        return "n/a"
    if status in ("failed", "timeout"):
        return status.upper()
    if metric == "elapsed_s":
        s, scale = cell.get("summary", {}).get("elapsed_s"), 1000.0
    else:
        s, scale = cell.get("summary", {}).get("metrics", {}).get(metric), 1.0
    if not s:
        return ""
    text = number(s["median"] * scale)
    if with_range:
        text += f" [{number(s['min'] * scale)}–{number(s['max'] * scale)}]"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--metric", default="elapsed_s")
    ap.add_argument("--workloads", help="comma-separated (default: all in the file)")
    ap.add_argument("--range", action="store_true", help="add [min–max] to each median")
    args = ap.parse_args()
    doc = results_file.load(args.file, "results_table")
    cells = doc["results"]
    wanted = args.workloads.split(",") if args.workloads else None

    rows = {}  # (workload, variant) -> {model: cell}
    # A load client's cells (echo): elapsed is its fixed window; their numbers are rps, latency.
    skipped = {c["workload"] for c in cells if "rps" in c.get("metrics", {})}
    if wanted or args.metric != "elapsed_s":
        skipped = set()
    for c in cells:
        if wanted and c["workload"] not in wanted:
            continue
        if c["workload"] in skipped:
            continue
        rows.setdefault((c["workload"], variant(c)), {})[c["model"]] = c
    if not rows:
        fail("no cells to show" + (f" for {args.workloads}" if wanted else ""))
    models = [m for m in MODELS if any(m in r for r in rows.values())]
    unit = "ms" if args.metric == "elapsed_s" else args.metric
    show_ideal = args.metric == "elapsed_s"
    print("| workload | parameters | " + ("ideal ms | " if show_ideal else "") + " | ".join(models) + " |")
    print("|---|---|" + ("---:|" if show_ideal else "") + "---:|" * len(models))
    def natural(item):
        (workload, params), _ = item
        return (workload, [int(t) if t.isdigit() else t
                           for t in re.split(r"(\d+)", params)])

    for (workload, params), by_model in sorted(rows.items(), key=natural):
        ideal = f"{ideal_ms(by_model)} | " if show_ideal else ""
        print(f"| {workload} | {params} | {ideal}" +
              " | ".join(entry(by_model[m], args.metric, args.range) if m in by_model else ""
                         for m in models) + " |")
    m = doc.get("machine", {})
    print(f"\nMedians in {unit} of {doc.get('profile', '?')} profile runs, "
          f"{m.get('cpu_model', '?')} × {m.get('cores', '?')}, {m.get('kernel', '?').split(' #')[0]}, "
          f"commit {str(m.get('git_commit', '?'))[:12]}.")
    for w in sorted(skipped):
        print(f"({w}: its elapsed time is the load client's window; see --workloads {w} "
              f"--metric rps, p99_us or server_cpu_us_per_req)")


if __name__ == "__main__":
    main()
