#!/usr/bin/python3
"""Figure 3, elapsed: the lectures' workloads, elapsed time per model against the ideals.

One panel per workload (count, say-after, gather-factorial, as-completed, wait-for, chess,
blocking-offload). A bar is the median of a cell's runs of `elapsed_s`, its whisker the min-max
range, its label the median. The dashed line is the sequential ideal and the dotted one the
concurrent ideal, from the cells' metrics: the pair `ideal_sequential_s`, `ideal_concurrent_s`
where the workload declares both (role ideal), else the metric declared the ideal of elapsed_s
(`ideal_s`, ideal_for elapsed_s) of the models of kind sequential in the registry, or of the
`mode` inline, against the others'. blocking-offload has two bars per model, inline (hatched)
and offloaded.

  /usr/bin/python3 plots/plot_elapsed.py --results results/latest.json --out results/figures
"""
import sys

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import common

WORKLOADS = ["count", "say-after", "gather-factorial", "as-completed", "wait-for", "chess",
             "blocking-offload"]
MODE_ORDER = ["inline", "offload"]
SEQUENTIAL_MODELS = set(common.models_of_kind("sequential"))
# A workload may declare its two ideals (both role ideal) beside the per-model one.
IDEAL_PAIR = ("ideal_sequential_s", "ideal_concurrent_s")


def ideals(res, workload, cells):
    """(sequential, concurrent) ideal in seconds for a row of cells, None where there is none."""
    def med(metric, keep=lambda c: True):
        if not metric:
            return None
        v = [x for c in cells if c["status"] == "ok" and keep(c) for x in common.runs(c, metric)]
        return float(np.median(v)) if v else None

    def sequential(c):
        return common.param(c, "mode") == "inline" or c["model"] in SEQUENTIAL_MODELS

    seq = conc = None
    if set(IDEAL_PAIR) <= set(res.of_role(workload, "ideal")):
        seq, conc = med(IDEAL_PAIR[0]), med(IDEAL_PAIR[1])
    ideal = res.ideal_for(workload, "elapsed_s")
    if seq is None:
        seq = med(ideal, sequential)
    if conc is None:
        conc = med(ideal, lambda c: not sequential(c))
    return seq, conc


def panel(ax, res, workload, cells, models):
    modes = sorted({common.planned(c).get("mode") for c in cells},
                   key=lambda m: MODE_ORDER.index(m) if m in MODE_ORDER else 99)
    seq, conc = ideals(res, workload, cells)
    spreads = [common.spread(c, "elapsed_s") for c in cells]
    top = max([s.max for s in spreads if s] + [x for x in (seq, conc) if x] + [1e-9])
    unit, k = ("s", 1.0) if top >= 2 else ("ms", 1e3)
    xmax = top * k * 1.28

    height = 0.8 / len(modes)
    for c in cells:
        y = models.index(c["model"])
        i = modes.index(common.planned(c).get("mode"))
        yy = y - 0.4 + height * (i + 0.5)
        s = common.spread(c, "elapsed_s")
        if s is None:
            label = "n/a" if c["status"] == "unsupported" else c["status"]
            ax.text(xmax * 0.01, yy, label, va="center", ha="left", fontsize=7, color="#555555")
            continue
        s = s.scaled(k)
        inline = len(modes) > 1 and modes[i] == "inline"
        col = common.color(c["model"])
        ax.barh(yy, s.median, height=height * 0.9, color="white" if inline else col,
                edgecolor=col, hatch="////" if inline else None, linewidth=1)
        lo, hi = s.err()
        ax.errorbar(s.median, yy, xerr=[[lo], [hi]], fmt="none", ecolor="black", elinewidth=0.9,
                    capsize=2)
        ax.text(s.max + xmax * 0.015, yy, common.number(s.median), va="center", ha="left",
                fontsize=6.5)

    for value, style, name in ((seq, "--", "sequential"), (conc, ":", "concurrent")):
        if value:
            ax.axvline(value * k, color="black", linestyle=style, linewidth=1.1, zorder=3)
    ideal_text = " · ".join(f"{name} {common.duration(v)}" for v, name in
                            ((seq, "sequential"), (conc, "concurrent")) if v)
    variant = common.describe_variant(common.variant_key(cells[0], ignore=("mode",)))
    title = f"{workload}" + (f" ({variant})" if variant else "")
    ax.set_title(title + ("\nideal: " + ideal_text if ideal_text else "\nno ideal"), fontsize=9)
    ax.set_xlim(0, xmax)
    ax.set_xlabel(f"elapsed ({unit})")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return modes


def draw(res, out_dir):
    rows = {}
    left_out = []
    for w in WORKLOADS:
        cells, others = common.main_variant(res.of(w), ignore=("mode",))
        if any(c["status"] == "ok" for c in cells):
            rows[w] = (cells, others)
        else:
            left_out.append(w)
    if not rows:
        raise common.Missing(f"no lecture workload ({', '.join(WORKLOADS)}) has an ok cell in "
                             f"{res.display_path()}")

    models = common.model_order({c["model"] for cells, _ in rows.values() for c in cells})
    n = len(rows) + 1  # the last slot holds the key
    ncols = 4 if n > 6 else min(n, 3)
    nrows = -(-n // ncols)
    notes = []
    if left_out:
        notes.append("no ok cell in the file for: " + ", ".join(left_out))
    for w, (_, others) in rows.items():
        if others:
            notes.append(f"{w}: also in the file, not shown: " +
                         "; ".join(common.describe_variant(o) for o in others))
    fig, axes = common.figure(3.3 * ncols, 0.28 * len(models) * nrows + 1.3 * nrows,
                              nrows, ncols, footer=common.source_lines(res, notes),
                              sharey=True)
    flat = list(axes.flat)
    any_modes = False
    for ax, (w, (cells, _)) in zip(flat, rows.items()):
        any_modes |= len(panel(ax, res, w, cells, models)) > 1
    ax = flat[0]
    ax.set_yticks(range(len(models)), models)
    ax.set_ylim(len(models) - 0.5, -0.5)

    key = flat[len(rows)]
    for a in flat[len(rows) + 1:]:
        a.set_visible(False)
    key.axis("off")
    handles = [Patch(facecolor="#bbbbbb", edgecolor="black", label="median of the runs"),
               Line2D([], [], color="black", marker="|", markersize=8,
                      label="min–max of the runs"),
               Line2D([], [], color="black", linestyle="--", label="sequential ideal"),
               Line2D([], [], color="black", linestyle=":", label="concurrent ideal")]
    if any_modes:
        handles += [Patch(facecolor="white", edgecolor="#555555", hatch="////",
                          label="blocking-offload: inline"),
                    Patch(facecolor="#555555", label="blocking-offload: offloaded")]
    key.legend(handles=handles, loc="center", frameon=False, fontsize=8,
               title=f"elapsed_s, {res.profile} profile,\nn/a: the model cannot run the cell",
               title_fontsize=8)
    fig.suptitle("The lecture scenarios: elapsed time per model against the sequential and "
                 "concurrent ideal", fontsize=11)
    return common.save(fig, out_dir, "elapsed")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
