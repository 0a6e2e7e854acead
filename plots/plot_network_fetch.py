#!/usr/bin/python3
"""Figure 6, network_fetch: fetching pages from the local HTTP server that answers after a set
delay, one line per model.

Left, http-fetch: elapsed time against N pages (params `pages`, `delay_ms`), with the ideals:
sequential N × delay (dashed) and concurrent, one delay (dotted). Right, scraper: N URLs with at
most k in flight (params `urls`, `limit`, `delay_ms`), elapsed time against k, with the ideal
ceil(N/k) × delay (dashed). Points are medians of `elapsed_s`, whiskers min-max. A panel whose
workload is not in the file is left out; with neither, the figure is skipped.

  /usr/bin/python3 plots/plot_network_fetch.py --results results/latest.json --out results/figures
"""
import math
import sys

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

import common


def series(cells, x_key):
    out = {}
    for c in cells:
        s = common.spread(c, "elapsed_s")
        if s:
            out.setdefault(c["model"], []).append((common.param(c, x_key), s))
    for m in out:
        out[m].sort(key=lambda p: p[0])
    return out


def lines(ax, data):
    for m in common.model_order(data):
        xs = [x for x, _ in data[m]]
        ys = [s.median for _, s in data[m]]
        lo = [min(s.median - s.min, s.median * 0.999) for _, s in data[m]]
        hi = [s.max - s.median for _, s in data[m]]
        ax.errorbar(xs, ys, yerr=[lo, hi], color=common.color(m), marker=common.marker(m),
                    linestyle=common.linestyle(m), markersize=5.5, linewidth=1.4, capsize=3,
                    elinewidth=0.9, label=m)


def style(ax, xs, xlabel):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator(xs))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(common.log_formatter(lambda x: f"{x:,.0f}"))
    ax.set_xlim(min(xs) / 1.3, max(xs) * 1.3)
    common.label_log_axis(ax.yaxis, common.duration)
    ax.grid(which="major", color="#dddddd", linewidth=0.6)
    ax.grid(which="minor", axis="y", color="#f0f0f0", linewidth=0.4)
    ax.set_axisbelow(True)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("elapsed (log)")


def check_ideal(cells, formula, notes, name, ideal):
    """Notes a cell whose own ideal (`ideal`: the metric the workload declares the ideal of
    elapsed_s) differs from the one the figure draws."""
    if not ideal:
        return
    off = []
    for c in cells:
        for v in common.runs(c, ideal)[:1]:
            try:
                want = formula(c)
            except (TypeError, ZeroDivisionError):
                continue
            if want and abs(v - want) > 0.01 * want:
                off.append(f"{c['id']} ({v:g} s, not {want:g} s)")
    if off:
        notes.append(f"{name}: {ideal} in the file differs from the line drawn: " +
                     ", ".join(off[:3]) + (" ..." if len(off) > 3 else ""))


SEQUENTIAL = set(common.models_of_kind("sequential"))


def http_ideal(c):
    """N × delay for sequential code, waves of `workers` pages for a pool, one delay for the
    rest."""
    delay = common.param(c, "delay_ms") / 1e3
    pages = common.param(c, "pages")
    if c["model"] in SEQUENTIAL:
        return pages * delay
    workers = c.get("params", {}).get("workers")
    return math.ceil(pages / workers) * delay if workers else delay


def scraper_ideal(c):
    return (math.ceil(common.param(c, "urls") / common.param(c, "limit")) *
            common.param(c, "delay_ms") / 1e3)


def http_fetch(ax, cells):
    data = series(cells, "pages")
    pages = sorted({common.param(c, "pages") for c in cells if common.param(c, "pages")})
    delay = common.param(cells[0], "delay_ms") / 1e3
    lines(ax, data)
    grid = np.logspace(math.log10(min(pages)), math.log10(max(pages)), 50)
    ax.plot(grid, grid * delay, color="black", linestyle="--", linewidth=1, zorder=0.5)
    ax.axhline(delay, color="black", linestyle=":", linewidth=1, zorder=0.5)
    style(ax, pages, "N, pages fetched")
    ax.set_title(f"http-fetch: N pages, each answered after {common.duration(delay)}")
    return set(data), [
        Line2D([], [], color="black", linestyle="--", label="sequential ideal: N × delay"),
        Line2D([], [], color="black", linestyle=":", label="concurrent ideal: one delay")]


def scraper(ax, cells):
    data = series(cells, "limit")
    ks = sorted({common.param(c, "limit") for c in cells if common.param(c, "limit")})
    n = common.param(cells[0], "urls")
    delay = common.param(cells[0], "delay_ms") / 1e3
    lines(ax, data)
    grid = np.unique(np.concatenate([np.arange(min(ks), max(ks) + 1), ks]))
    ax.step(grid, [math.ceil(n / k) * delay for k in grid], where="post", color="black",
            linestyle="--", linewidth=1, zorder=0.5)
    style(ax, ks, "k, requests in flight at most (Semaphore)")
    ax.set_title(f"scraper: {n} URLs, each answered after {common.duration(delay)}")
    return set(data), [Line2D([], [], color="black", linestyle="--",
                              label="ideal: ceil(N/k) × delay")]


PANELS = [("http-fetch", ("pages",), http_fetch, http_ideal),
          ("scraper", ("limit",), scraper, scraper_ideal)]


def draw(res, out_dir):
    todo, notes = [], []
    for workload, axis_keys, fn, ideal in PANELS:
        cells, others = common.main_variant(res.of(workload), ignore=axis_keys)
        if not any(common.spread(c, "elapsed_s") for c in cells):
            notes.append(f"no {workload} cell with status ok in the file: its panel is left out")
            continue
        if others:
            notes.append(f"{workload}: also in the file, not shown: " +
                         "; ".join(common.describe_variant(o) for o in others))
        na = common.unsupported_note(cells, lambda c, k=axis_keys[0]: f"{k} {common.param(c, k)}")
        if na:
            notes.append(f"{workload}: {na}")
        check_ideal([c for c in cells if c["status"] == "ok"], ideal, notes, workload,
                    res.ideal_for(workload, "elapsed_s"))
        todo.append((cells, fn))
    if not todo:
        raise common.Missing(f"no http-fetch or scraper cell with status ok in "
                             f"{res.display_path()} (the network workloads have not run)")

    fig, axes = common.figure(6 * len(todo) + 1.6, 5, 1, len(todo),
                              footer=common.source_lines(res, notes))
    models = set()
    for ax, (cells, fn) in zip(axes[0], todo):
        got, handles = fn(ax, cells)
        models |= got
        ax.add_artist(ax.legend(handles=handles, loc="best", fontsize=7.5, framealpha=0.9))
    axes[0][-1].legend(handles=common.model_legend_handles(common.model_order(models)),
                       loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                       title="model")
    fig.suptitle("Fetching from a local HTTP server with a set delay (median, whiskers min–max)",
                 fontsize=11)
    return common.save(fig, out_dir, "network_fetch")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
