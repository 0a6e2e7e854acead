#!/usr/bin/python3
"""Figure 4, sleep_fanout: N tasks each sleeping d, against N (log-log), one line per model.

Left: the overhead, elapsed - d (the cells' `overhead_s` metric; where a cell lacks it,
elapsed_s minus the metric declared its ideal, `ideal_s`). Right: the memory per task (`rss_per_task_b`: the process's peak RSS growth over
N, read inside the workload; for processes, each child's private memory). Points are medians of
the runs, whiskers min-max.

  /usr/bin/python3 plots/plot_sleep_fanout.py --results results/latest.json --out results/figures
"""
import math
import sys

import common


def overhead_runs(cell, ideal_metric):
    v = common.runs(cell, "overhead_s")
    if v or not ideal_metric:
        return v
    e, ideal = common.runs(cell, "elapsed_s"), common.runs(cell, ideal_metric)
    return [a - b for a, b in zip(e, ideal)]


def memory_runs(cell):
    v = common.runs(cell, "rss_per_task_b")
    if v:
        return v
    peak, base = common.runs(cell, "peak_rss_kb"), common.runs(cell, "baseline_rss_kb")
    n = common.param(cell, "tasks")
    return [(p - b) * 1024 / n for p, b in zip(peak, base)] if n else []


def series(cells, values):
    """{model: [(N, Spread)]} over the ok cells, in N order, and [(model, N, Spread)] for the
    cells whose median is <= 0, which a log axis cannot show (None in the first list)."""
    out, dropped = {}, []
    for c in cells:
        if c["status"] != "ok":
            continue
        v = values(c)
        if not v:
            continue
        s = common.Spread(v)
        if s.median <= 0:
            dropped.append((c["model"], common.param(c, "tasks"), s))
            s = None  # a gap in the model's line
        out.setdefault(c["model"], []).append((common.param(c, "tasks"), s))
    for m in out:
        out[m].sort(key=lambda p: p[0])
    return out, dropped


def lines(ax, data, scale, below=()):
    positive = []
    for m in common.model_order(data):
        pts = [(n, s) for n, s in data[m] if s]
        xs = [n for n, _ in data[m]]
        ys = [s.median * scale if s else math.nan for _, s in data[m]]
        # A run at or below zero has no place on a log axis: its whisker runs off the bottom.
        lo = [y - max(s.min * scale, y * 1e-6) if s else math.nan
              for (_, s), y in zip(data[m], ys)]
        hi = [(s.max - s.median) * scale if s else math.nan for _, s in data[m]]
        positive += [v * scale for _, s in pts for v in (s.median, s.min) if v > 0]
        ax.errorbar(xs, ys, yerr=[lo, hi], color=common.color(m), marker=common.marker(m),
                    linestyle=common.linestyle(m), markersize=6, linewidth=1.5, capsize=3,
                    elinewidth=1, label=m)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if positive:
        ax.set_ylim(min(positive) / 2, None)
    if below:
        # A median at or below zero: a marker on the bottom edge, pointing down.
        bottom = ax.get_ylim()[0]
        for m, n, _ in below:
            ax.plot([n], [bottom], marker="v", markersize=9, color=common.color(m), clip_on=False,
                    linestyle="", zorder=4)
            ax.annotate("≤ 0", (n, bottom), xytext=(0, 8), textcoords="offset points",
                        ha="center", fontsize=7, color=common.color(m))
    ax.xaxis.set_major_formatter(common.log_formatter(common.count_label))
    ax.grid(which="major", color="#dddddd", linewidth=0.6)
    ax.grid(which="minor", color="#f0f0f0", linewidth=0.4)
    ax.set_axisbelow(True)


def draw(res, out_dir):
    cells, others = common.main_variant(res.of("sleep-fanout"), ignore=("tasks",))
    if not any(c["status"] == "ok" and common.param(c, "tasks") for c in cells):
        raise common.Missing(f"no sleep-fanout cell with status ok in {res.display_path()}")
    d = common.param(next(c for c in cells if c["status"] == "ok"), "sleep_s")
    ideal = res.ideal_for("sleep-fanout", "elapsed_s")
    overhead, dropped = series(cells, lambda c: overhead_runs(c, ideal))
    memory, _ = series(cells, memory_runs)

    notes = []
    na = common.unsupported_note(
        cells, lambda c: f"N={common.count_label(common.param(c, 'tasks'))}")
    if na:
        notes.append(na)
    if others:
        notes.append("also in the file, not shown: " +
                     "; ".join(common.describe_variant(o) for o in others))
    if dropped:
        notes.append("▼ on the bottom edge: a median overhead ≤ 0 (the run ended before d had "
                     "passed), which a log axis cannot show: " +
                     ", ".join(f"{m} at N={common.count_label(n)}: {s.median * 1e3:+.2f} ms"
                               for m, n, s in dropped))

    fig, axes = common.figure(12, 5.2, 1, 2, footer=common.source_lines(res, notes))
    ax1, ax2 = axes[0]
    lines(ax1, overhead, 1e3, dropped)
    common.label_log_axis(ax1.yaxis, lambda y: common.duration(y / 1e3))
    ax1.set_xlabel("N, tasks sleeping at once")
    ax1.set_ylabel("overhead: elapsed − d")
    ax1.set_title(f"Time beyond the sleep (d = {common.duration(d)})" if d else
                  "Time beyond the sleep")
    lines(ax2, memory, 1.0)
    common.label_log_axis(ax2.yaxis, common.bytes_label)
    ax2.set_xlabel("N, tasks sleeping at once")
    ax2.set_ylabel("memory per task (peak RSS growth / N)")
    ax2.set_title("Memory per sleeping task")
    models = common.model_order(set(overhead) | set(memory))
    ax2.legend(handles=common.model_legend_handles(models), loc="center left",
               bbox_to_anchor=(1.02, 0.5), frameon=False, title="model")
    fig.suptitle(f"sleep-fanout: N concurrent tasks each sleeping {common.duration(d)} "
                 "(median, whiskers min–max)" if d else "sleep-fanout", fontsize=11)
    return common.save(fig, out_dir, "sleep_fanout")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
