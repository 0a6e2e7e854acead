#!/usr/bin/python3
"""Figure 7, loop_lag: how late a 10 ms ticker runs while a blocking call runs inline (on the
loop) or offloaded (to a thread pool), per model.

Two bars per model: the worst lateness of a tick in one run (`worst_lag_ms`), median of the runs
with min-max whiskers; a dot marks the median of the runs' mean lateness (`mean_lag_ms`). The
dashed line is the blocking call's length (the metric declared the ideal of elapsed_s,
`ideal_s`: block_s × time_scale): inline, a loop cannot tick before the call returns. The
dotted line is the tick period.

  /usr/bin/python3 plots/plot_loop_lag.py --results results/latest.json --out results/figures
"""
import sys

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import common

MODES = ["inline", "offload"]


def draw(res, out_dir):
    cells, others = common.main_variant(res.of("loop-lag"), ignore=("mode",))
    ok = [c for c in cells if common.spread(c, "worst_lag_ms")]
    if not ok:
        raise common.Missing(f"no loop-lag cell with status ok and worst_lag_ms in "
                             f"{res.display_path()}")
    models = common.model_order({c["model"] for c in cells})
    modes = [m for m in MODES if any(common.param(c, "mode") == m for c in cells)]
    modes += sorted({common.param(c, "mode") for c in cells} - set(modes) - {None})

    notes = ["n/a: the model cannot run the cell (no loop to block); the file gives each reason"]
    if others:
        notes.append("also in the file, not shown: " +
                     "; ".join(common.describe_variant(o) for o in others))
    fig, axes = common.figure(max(7.5, 0.85 * len(models) + 2.5), 5.4,
                              footer=common.source_lines(res, notes))
    ax = axes[0][0]
    width = 0.8 / len(modes)
    values = []
    for c in cells:
        x = models.index(c["model"])
        i = modes.index(common.param(c, "mode"))
        xx = x - 0.4 + width * (i + 0.5)
        s = common.spread(c, "worst_lag_ms")
        col = common.color(c["model"])
        if s is None:
            ax.text(xx, 0.02, "n/a" if c["status"] == "unsupported" else c["status"],
                    transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=6.5,
                    color="#666666", rotation=90)
            continue
        inline = modes[i] == "inline"
        ax.bar(xx, s.median, width=width * 0.9, color="white" if inline else col, edgecolor=col,
               hatch="////" if inline else None, linewidth=1.2)
        lo, hi = s.err()
        ax.errorbar(xx, s.median, yerr=[[min(lo, s.median * 0.999)], [hi]], fmt="none",
                    ecolor="black", elinewidth=0.9, capsize=2.5)
        mean = common.spread(c, "mean_lag_ms")
        if mean:
            ax.plot(xx, mean.median, marker="D", markersize=4, markerfacecolor="white",
                    markeredgecolor="black", zorder=4)
        ax.annotate(common.short(s.median), (xx, s.max), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=6.5)
        values += [s.min, s.max] + ([mean.median] if mean else [])

    ideal = res.ideal_for("loop-lag", "elapsed_s")
    block = [x for c in ok for x in common.runs(c, ideal)] if ideal else []
    tick = [common.param(c, "tick_ms") for c in ok if common.param(c, "tick_ms")]
    handles = [Patch(facecolor="white", edgecolor="#555555", hatch="////",
                     label="blocking call inline (on the loop)"),
               Patch(facecolor="#555555", label="blocking call offloaded (thread pool)"),
               Line2D([], [], color="black", marker="|", linestyle="", markersize=9,
                      label="worst tick lateness: median, min–max of the runs"),
               Line2D([], [], marker="D", linestyle="", markersize=4, markerfacecolor="white",
                      markeredgecolor="black", label="mean tick lateness (median of the runs)")]
    if block:
        b = float(np.median(block)) * 1e3
        ax.axhline(b, color="black", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="black", linestyle="--",
                              label=f"the blocking call: {common.short(b)} ms"))
        values.append(b)
    if tick:
        t = float(np.median(tick))
        ax.axhline(t, color="black", linestyle=":", linewidth=1)
        handles.append(Line2D([], [], color="black", linestyle=":",
                              label=f"tick period: {common.short(t)} ms"))
    ax.set_yscale("log")
    lowest = min(v for v in values if v > 0)
    ax.set_ylim(lowest / 3, max(values) * 12)
    common.label_log_axis(ax.yaxis, lambda y: f"{y:g} ms")
    ax.set_ylabel("tick lateness (ms, log scale)")
    ax.set_xticks(range(len(models)), models)
    ax.set_xlim(-0.6, len(models) - 0.4)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(handles=handles, loc="upper center", ncol=2, fontsize=7.5, frameon=True,
              framealpha=0.95)
    variant = common.describe_variant(common.variant_key(cells[0], ignore=("mode",)))
    ax.set_title(f"loop-lag ({variant}): a ticker due every "
                 f"{common.short(float(np.median(tick))) if tick else '?'} ms while a blocking "
                 "call runs", fontsize=10)
    return common.save(fig, out_dir, "loop_lag")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
