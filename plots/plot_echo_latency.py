#!/usr/bin/python3
"""Figure 5b, echo_latency: latency percentile curves of the echo servers at 256 connections,
one line per model and one panel per message size, from the latency histograms stored in the
results file.

Each echo cell holds one histogram per run (`histograms.latency`: log buckets, bucket i covering
[lowest·growth^i, lowest·growth^(i+1)) ns). The runs' histograms are merged by adding their
counts, and the curve is read from the merged one as the harness reads quantiles (the bucket's
geometric middle, clamped to the recorded min and max). The x axis is HdrHistogram's: 1/(1 − q),
so 90 %, 99 %, 99.9 % ... are equally spaced.

  /usr/bin/python3 plots/plot_echo_latency.py --results results/latest.json --out results/figures
"""
import math
import sys

import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator

import common
from plot_echo import echo_cells, size_label, stalled

CONNECTIONS = 256


class Histogram:
    """The runs' latency histograms of one cell, merged."""

    def __init__(self, hists, where):
        layout = {(h.get("unit", "ns"), float(h["lowest"]), float(h["growth"])) for h in hists}
        if len(layout) != 1:
            raise common.BadResults(f"{where}: the runs' histograms have different bucket layouts")
        unit, self.lowest, self.growth = layout.pop()
        if unit != "ns":
            raise common.BadResults(f"{where}: histogram unit {unit!r}, expected ns")
        counts = {}
        for h in hists:
            for i, n in h["counts"]:
                counts[int(i)] = counts.get(int(i), 0) + int(n)
        nonempty = [h for h in hists if h["total"] > 0]
        self.underflow = sum(int(h.get("underflow", 0)) for h in hists)
        self.overflow = sum(int(h.get("overflow", 0)) for h in hists)
        self.total = sum(int(h["total"]) for h in hists)
        if sum(counts.values()) + self.underflow + self.overflow != self.total:
            raise common.BadResults(f"{where}: histogram counts do not add up to their totals")
        self.min = min((h["min"] for h in nonempty), default=0)
        self.max = max((h["max"] for h in nonempty), default=0)
        self.index = np.array(sorted(counts), dtype=float)
        self.cumulative = self.underflow + np.cumsum([counts[i] for i in sorted(counts)])

    def quantiles(self, q):
        """Latency in ns at each quantile in q (0 <= q < 1), as LogHistogram::quantile."""
        rank = np.ceil(np.asarray(q) * self.total)
        out = np.empty(len(rank))
        for j, r in enumerate(rank):
            if r <= self.underflow:
                out[j] = self.min
                continue
            k = int(np.searchsorted(self.cumulative, r))
            if k >= len(self.index):
                out[j] = self.max  # in the overflow
                continue
            middle = self.lowest * self.growth ** (self.index[k] + 0.5)
            out[j] = min(max(middle, self.min), self.max)
        return out


def curve(h, points=300):
    """x = 1/(1 - q) from 1 (the minimum) to the total count (one value from the top), and the
    latency in µs at each."""
    top = max(h.total, 2)
    x = np.logspace(0, math.log10(top), points)
    q = 1 - 1 / x
    return x, h.quantiles(q) / 1e3


def percentile_label(x):
    q = 100 * (1 - 1 / x)
    if x < 1.5:
        return "0 %"
    digits = max(0, round(math.log10(x)) - 2)
    return f"{q:.{digits}f} %"


def draw(res, out_dir):
    cells, notes = echo_cells(res)
    here = [c for c in cells
            if common.param(c, "connections") == CONNECTIONS and c["status"] == "ok"]
    if not here:
        raise common.Missing(f"no ok echo cell at {CONNECTIONS} connections in "
                             f"{res.display_path()}")
    with_hist = [c for c in here if c.get("histograms", {}).get("latency")]
    if not with_hist:
        raise common.Missing(f"the echo cells at {CONNECTIONS} connections in "
                             f"{res.display_path()} carry no histograms.latency")
    without = sorted({c["model"] for c in here} - {c["model"] for c in with_hist})
    if without:
        notes.append("no latency histograms for: " + ", ".join(without))
    sizes = sorted({common.param(c, "size") for c in with_hist})

    merged = {}  # (size, model) -> Histogram
    for c in with_hist:
        h = Histogram(c["histograms"]["latency"], c["id"])
        if h.total:
            merged[(common.param(c, "size"), c["model"])] = (h, len(c["histograms"]["latency"]))
    stalls = {}  # model -> [(size, connections left unanswered)]
    for c in with_hist:
        if stalled(c) > 0:
            stalls.setdefault(c["model"], []).append((common.param(c, "size"), stalled(c)))
    if stalls:
        notes.append("curves of the connections served only: " + ", ".join(
            f"{m} left " + " and ".join(f"{n:g} ({size_label(s)})" for s, n in sorted(stalls[m]))
            + f" of {CONNECTIONS} connections unanswered"
            for m in common.model_order(stalls)))
    if not merged:
        raise common.Missing(f"the latency histograms at {CONNECTIONS} connections in "
                             f"{res.display_path()} are all empty")
    totals = [h.total for h, _ in merged.values()]
    runs = sorted({n for _, n in merged.values()})
    notes.append(f"each curve merges the histograms of {'/'.join(map(str, runs))} runs: "
                 f"{min(totals):,}–{max(totals):,} requests a curve; the last point is the "
                 "largest value but one")

    fig, axes = common.figure(11.5, 4.8, 1, len(sizes), footer=common.source_lines(res, notes),
                              sharey=True)
    top_x = 1
    models = set()
    for ax, size in zip(axes[0], sizes):
        for m in common.model_order(m for s, m in merged if s == size):
            h, _ = merged[(size, m)]
            x, y = curve(h)
            top_x = max(top_x, x[-1])
            models.add(m)
            ax.plot(x, y, color=common.color(m), linestyle=common.linestyle(m), linewidth=1.6,
                    label=m)
        ax.set_xscale("log")
        ax.set_yscale("log")
        decades = [10 ** k for k in range(0, int(math.log10(top_x)) + 1)]
        ax.xaxis.set_major_locator(FixedLocator(decades))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(common.log_formatter(percentile_label))
        ax.set_xlim(1, top_x * 1.1)
        ax.grid(which="major", color="#dddddd", linewidth=0.6)
        ax.grid(which="minor", axis="y", color="#f0f0f0", linewidth=0.4)
        ax.set_axisbelow(True)
        ax.set_xlabel("percentile (log scale of 1/(1 − q))")
        ax.set_title(f"{size_label(size)} messages, {CONNECTIONS} connections")
    for ax in axes[0]:
        common.label_log_axis(ax.yaxis, lambda us: common.duration(us / 1e6))
    axes[0][0].set_ylabel("latency (log)")
    handles = common.model_legend_handles(common.model_order(models), markers=False)
    worst_stall = {m: max(n for _, n in per_size) for m, per_size in stalls.items()}
    for h in handles:
        if h.get_label() in worst_stall:
            served = CONNECTIONS - worst_stall[h.get_label()]
            h.set_label(f"{h.get_label()}\n(served {served:g} of {CONNECTIONS})")
    axes[0][-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       frameon=False, title="model")
    fig.suptitle(f"echo: latency by percentile at {CONNECTIONS} connections, all runs' "
                 "histograms merged per model", fontsize=11)
    return common.save(fig, out_dir, "echo_latency")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
