#!/usr/bin/python3
"""Figure 5, echo: the TCP echo servers under the shared load client (closed loop), requests per
second and p99 latency against the number of connections, one line per model and one pair of
panels per message size.

Points are medians of the runs (`rps`, `p99_us`), whiskers min-max. A red ring marks a cell
where some run counted errors (`errors` > 0); "k of n stalled" one where k connections had no
echo answered in the measured window (`stalled_connections`: the iterative sync server serves
one connection at a time), whose rate and latency describe only the connections served.

  /usr/bin/python3 plots/plot_echo.py --results results/latest.json --out results/figures
"""
import sys

from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

import common


def echo_cells(res):
    """The closed-loop echo cells and a note on any other mode left out. A cell that did not
    run (unsupported, failed) may carry no mode: it stays."""
    cells = res.of("echo")
    modes = {common.param(c, "mode") for c in cells}
    notes = []
    if "closed" in modes:
        cells = [c for c in cells if common.param(c, "mode") in ("closed", None)]
        rest = sorted(str(m) for m in modes - {"closed", None})
        if rest:
            notes.append(f"echo cells in mode {', '.join(rest)} are not shown (closed loop only)")
    return cells, notes


def stalled(cell):
    """Median number of connections that had no echo completed in the measured window (an
    iterative server answers one connection; the rest wait): the cell's rate and latencies
    describe only the connections that were served."""
    v = common.runs(cell, "stalled_connections")
    return common.Spread(v).median if v else 0


def size_label(size):
    return f"{size:,} B"


def series(cells, metric):
    out = {}
    for c in cells:
        s = common.spread(c, metric)
        if s and s.median > 0:
            out.setdefault(c["model"], []).append((common.param(c, "connections"), s, c))
    for m in out:
        out[m].sort(key=lambda p: p[0])
    return out


def lines(ax, data, scale=1.0):
    """Draws each model's line; returns the "k of n stalled" labels to place once the axes are
    styled: (x, y, text, color)."""
    labels = []
    for m in common.model_order(data):
        pts = data[m]
        xs = [x for x, _, _ in pts]
        ys = [s.median * scale for _, s, _ in pts]
        lo = [min(s.median - s.min, s.median * 0.999) * scale for _, s, _ in pts]
        hi = [(s.max - s.median) * scale for _, s, _ in pts]
        ax.errorbar(xs, ys, yerr=[lo, hi], color=common.color(m), marker=common.marker(m),
                    linestyle=common.linestyle(m), markersize=5.5, linewidth=1.4, capsize=3,
                    elinewidth=0.9, label=m)
        for (x, _, c), y in zip(pts, ys):
            if sum(common.runs(c, "errors")) > 0:
                ax.plot(x, y, marker="o", markersize=13, markerfacecolor="none",
                        markeredgecolor="red", markeredgewidth=1.3, zorder=5)
            if stalled(c) > 0:
                labels.append((x, y, f"{stalled(c):g} of {x:,} stalled", common.color(m)))
    return labels


def place_labels(ax, labels, font_pt=6.5, gap_pt=8.5):
    """Puts each label under its point, moved further down wherever it would overlap a label
    already placed (the highest points' labels are placed first). The axes' scales and the
    figure's layout must be final: positions are worked out in points. Widths are estimated
    from the text's length."""
    to_pt = 72.0 / ax.figure.dpi
    items = []
    for x, y, text, color in labels:
        x_pt, y_pt = (v * to_pt for v in ax.transData.transform((x, y)))
        items.append((y_pt, x_pt, x, y, text, color))
    placed = []  # (x centre, half width, top), in points
    for y_pt, x_pt, x, y, text, color in sorted(items, key=lambda t: -t[0]):
        half = len(text) * font_pt * 0.28
        at = y_pt - 11
        moved = True
        while moved:
            moved = False
            for px, ph, pat in placed:
                if abs(px - x_pt) < half + ph and abs(pat - at) < gap_pt:
                    at = pat - gap_pt
                    moved = True
        placed.append((x_pt, half, at))
        ax.annotate(text, (x, y), xytext=(0, at - y_pt), textcoords="offset points",
                    ha="center", va="top", fontsize=font_pt, color=color, zorder=6,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))


def style_axes(ax, conns):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(conns, [f"{c:,}" for c in conns])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(which="major", color="#dddddd", linewidth=0.6)
    ax.grid(which="minor", axis="y", color="#f0f0f0", linewidth=0.4)
    ax.set_axisbelow(True)
    ax.set_xlabel("connections")


def draw(res, out_dir):
    cells, notes = echo_cells(res)
    ok = [c for c in cells if common.spread(c, "rps")]
    if not ok:
        raise common.Missing(f"no echo cell with status ok and rps in {res.display_path()} "
                             "(the echo workload has not run)")
    sizes = sorted({common.param(c, "size") for c in ok})
    conns = sorted({common.param(c, "connections") for c in cells})
    # "16 conn" when a model cannot run 16 connections at any size, "16 conn × 64 B" otherwise.
    bad_sizes = {}
    for c in cells:
        if c["status"] != "ok":
            bad_sizes.setdefault((c["model"], common.param(c, "connections")), set()).add(
                common.param(c, "size"))
    all_sizes = {common.param(c, "size") for c in cells}

    def where(c):
        n = common.param(c, "connections")
        if bad_sizes[(c["model"], n)] == all_sizes:
            return f"{n:,} conn"
        return f"{n:,} conn × {common.param(c, 'size'):,} B"

    na = common.unsupported_note(cells, where)
    if na:
        notes.append(na)
    if any(stalled(c) > 0 for c in ok):
        notes.append("\"k of n stalled\": k connections had no echo answered in the measured "
                     "window; that point's rate and latency describe only the connections served")
    errored = [c for c in ok if sum(common.runs(c, "errors")) > 0]
    if errored:
        notes.append("red ring: runs with errors: " + ", ".join(
            f"{c['model']} {common.param(c, 'connections')} conn × {common.param(c, 'size')} B "
            f"({sum(common.runs(c, 'errors')):g})" for c in errored))

    fig, axes = common.figure(11.5, 3.6 * len(sizes) + 0.8, len(sizes), 2,
                              footer=common.source_lines(res, notes))
    models = set()
    pending = []  # (axes, stall labels), placed once the layout is final
    for row, size in enumerate(sizes):
        here = [c for c in cells if common.param(c, "size") == size]
        rps, p99 = series(here, "rps"), series(here, "p99_us")
        models |= set(rps) | set(p99)
        a, b = axes[row]
        pending.append((a, lines(a, rps)))
        style_axes(a, conns)
        common.label_log_axis(a.yaxis, common.count_label)
        a.set_ylabel("requests/s (log)")
        a.set_title(f"{size_label(size)} messages: throughput")
        pending.append((b, lines(b, p99, 1e-6)))
        style_axes(b, conns)
        common.label_log_axis(b.yaxis, lambda y: common.duration(y))
        b.set_ylabel("p99 latency (log)")
        b.set_title(f"{size_label(size)} messages: 99th percentile latency")
    handles = common.model_legend_handles(common.model_order(models))
    if errored:
        handles.append(Line2D([], [], marker="o", markersize=10, markerfacecolor="none",
                              markeredgecolor="red", linestyle="", label="a run had errors"))
    axes[0][1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                      frameon=False, title="model")
    fig.suptitle("echo: closed-loop load on each model's echo server over loopback "
                 "(median, whiskers min–max)", fontsize=11)
    fig.draw_without_rendering()  # the constrained layout sizes the axes; labels go in points
    for ax, labels in pending:
        place_labels(ax, labels)
    return common.save(fig, out_dir, "echo")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
