#!/usr/bin/python3
"""Figure 8, compare: the change of each cell between two results files, one bar per cell.

The change is that of the median: `elapsed_s` for every cell, `rps` (requests per second) for
echo cells. The verdict is `asyncbench compare`'s (harness/src/compare.cpp), recomputed here from
the runs, as the command prints no machine-readable output: a change is a regression (red) or an
improvement (green) when it is larger than the threshold (5 %) and than the runs' own noise (half
the larger relative min-max spread of the two sides), both doubled when a side was disturbed,
and a one-sided Mann-Whitney U test gives p <= 0.05 (exact without ties, as stats.cpp). Other
changes beyond the threshold are noise (grey, hatched). Cells are sorted from the most worsened
down; the shaded band is ± the threshold.

  /usr/bin/python3 plots/plot_compare.py BASE.json NEW.json --out plots/figures [--threshold 5]
"""
import argparse
import math
import os
import sys
from functools import lru_cache

import numpy as np
from matplotlib.patches import Patch

import common

MAX_BARS = 60
VERDICT_STYLE = {  # facecolor, hatch, label
    "REGRESSION": ("#d62728", None, "regression: worse beyond threshold and noise, p ≤ 0.05"),
    "improved": ("#2ca02c", None, "improved: better beyond threshold and noise, p ≤ 0.05"),
    "noise": ("#bdbdbd", "////", "beyond the threshold, but within noise or p > 0.05"),
    "same": ("#e0e0e0", None, "within the threshold"),
}


# ---------------------------------------------------------------- statistics, as stats.cpp

@lru_cache(maxsize=None)
def _u_counts(n1, n2):
    """Number of arrangements giving each U = 0 .. n1·n2, for sample sizes n1 and n2."""
    c = [[None] * (n2 + 1) for _ in range(n1 + 1)]
    for i in range(n1 + 1):
        for j in range(n2 + 1):
            if i == 0 or j == 0:
                c[i][j] = [1.0] + [0.0] * (i * j)
                continue
            row = []
            for k in range(i * j + 1):
                v = c[i][j - 1][k] if k < len(c[i][j - 1]) else 0.0
                if k >= j:
                    v += c[i - 1][j][k - j] if k - j < len(c[i - 1][j]) else 0.0
                row.append(v)
            c[i][j] = row
    return tuple(c[n1][n2])


def _exact_upper_tail(n1, n2, u):
    counts = _u_counts(n1, n2)
    return sum(n for k, n in enumerate(counts) if k >= u - 1e-9) / sum(counts)


def _normal_tail(a, b, u):
    n1, n2 = len(a), len(b)
    n = n1 + n2
    values, ties = np.unique(np.concatenate([a, b]), return_counts=True)
    tie_term = float(np.sum(ties.astype(float) ** 3 - ties))
    mu = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if var <= 0:
        return 0.5
    z = (u - mu - 0.5) / math.sqrt(var)
    return 0.5 * math.erfc(z / math.sqrt(2))


def mann_whitney_greater(a, b):
    """One-sided p-value that b tends to be larger than a (stats::mann_whitney_greater)."""
    if not a or not b:
        return 1.0
    u, ties = 0.0, False
    for y in b:
        for x in a:
            if y > x:
                u += 1
            elif y == x:
                u += 0.5
                ties = True
    if not ties and len(a) * len(b) <= 400:
        return _exact_upper_tail(len(b), len(a), u)
    return min(1.0, _normal_tail(a, b, u))


def higher_is_better(metric):
    return metric in ("rps", "speedup") or metric.endswith("_per_s")


def verdict(metric, a, b, disturbed, threshold):
    """(change, p, verdict) as compare.cpp's compare_metric()."""
    sa, sb = common.Spread(a), common.Spread(b)
    if sa.median == 0:
        return 0.0, 1.0, "same" if sb.median == 0 else "noise"
    change = (sb.median - sa.median) / abs(sa.median)
    up_is_bad = not higher_is_better(metric)
    worse = change if up_is_bad else -change
    p_worse = mann_whitney_greater(a, b) if up_is_bad else mann_whitney_greater(b, a)
    p_better = mann_whitney_greater(b, a) if up_is_bad else mann_whitney_greater(a, b)

    def spread(s):
        return (s.max - s.min) / abs(s.median) if s.median else 0.0
    noise = max(spread(sa), spread(sb)) / 2
    bar = (2 if disturbed else 1) * max(threshold, noise)
    if worse > bar and p_worse <= 0.05:
        return change, p_worse, "REGRESSION"
    if -worse > bar and p_better <= 0.05:
        return change, p_better, "improved"
    return change, min(p_worse, p_better), "noise" if abs(change) > threshold else "same"


# ---------------------------------------------------------------- the figure

def metric_of(cell):
    return "rps" if cell["workload"] == "echo" and common.runs(cell, "rps") else "elapsed_s"


def rows_of(base, new, threshold):
    a = {c["id"]: c for c in base.cells}
    b = {c["id"]: c for c in new.cells}
    rows, status_changes = [], []
    for cid, ca in a.items():
        cb = b.get(cid)
        if cb is None:
            continue
        if ca["status"] != "ok" or cb["status"] != "ok":
            if ca["status"] != cb["status"]:
                status_changes.append(f"{cid}: {ca['status']} → {cb['status']}")
            continue
        metric = metric_of(ca)
        ra, rb = common.runs(ca, metric), common.runs(cb, metric)
        if not ra or not rb:
            continue
        disturbed = bool(ca.get("disturbed") or cb.get("disturbed"))
        change, p, v = verdict(metric, ra, rb, disturbed, threshold)
        worse = change if not higher_is_better(metric) else -change
        rows.append(dict(id=cid, metric=metric, change=change, worse=worse, p=p, verdict=v,
                         disturbed=disturbed, n=min(len(ra), len(rb))))
    only_base = sum(1 for cid in a if cid not in b)
    only_new = sum(1 for cid in b if cid not in a)
    return rows, status_changes, only_base, only_new


def draw(base, new, out_dir, threshold_pct=5.0):
    threshold = threshold_pct / 100
    rows, status_changes, only_base, only_new = rows_of(base, new, threshold)
    if not rows:
        raise common.Missing(f"no cell is ok in both {base.display_path()} and "
                             f"{new.display_path()} (cells are matched by id)")
    rows.sort(key=lambda r: r["worse"], reverse=True)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICT_STYLE}
    notes = [f"{len(rows)} cells ok in both files: {counts['REGRESSION']} regression(s), "
             f"{counts['improved']} improved, {counts['noise']} noise, {counts['same']} within "
             f"±{threshold_pct:g} %; cells only in base: {only_base}, only in new: {only_new} "
             "(cells match by id, so cells with other parameters never match)"]
    if len(rows) > MAX_BARS:
        keep = sorted(rows, key=lambda r: (r["verdict"] in ("REGRESSION", "improved"),
                                           abs(r["change"])), reverse=True)[:MAX_BARS]
        kept = {r["id"] for r in keep}
        left = [r for r in rows if r["id"] not in kept]
        strong = sum(r["verdict"] in ("REGRESSION", "improved") for r in left)
        notes.append(f"not shown: the {len(left)} cells with the smallest changes (at most "
                     f"{max(abs(r['change']) for r in left) * 100:.1f} %), " +
                     (f"{strong} of them significant" if strong else
                      "none of them a regression or an improvement"))
        rows = [r for r in rows if r["id"] in kept]
    if any(r["metric"] == "rps" for r in rows):
        notes.append("(req/s): an echo cell, compared on requests per second, where higher is "
                     "better; every other cell on elapsed_s")
    if status_changes:
        notes.append("status changed: " + "; ".join(status_changes[:6]) +
                     (f" and {len(status_changes) - 6} more" if len(status_changes) > 6 else ""))
    few = min(r["n"] for r in rows)
    if few < 9:
        notes.append(f"some cells have only {few} runs a side: p ≤ 0.05 then needs every new run "
                     "on one side of every old one (the full profile's 9 runs see smaller changes)")
    if any(r["disturbed"] for r in rows):
        notes.append("†: a side's runs were disturbed (CPU steal, other load): the bar for a "
                     "verdict is doubled there")
    footer = notes + ["base: " + base.footer(), "new:  " + new.footer()]

    longest = max(len(r["id"]) for r in rows)
    fig, axes = common.figure(max(9.0, 5.5 + longest * 0.075), 1.6 + 0.24 * len(rows),
                              footer=footer)
    ax = axes[0][0]
    ys = np.arange(len(rows))
    changes = np.array([r["change"] * 100 for r in rows])
    for y, r, x in zip(ys, rows, changes):
        face, hatch, _ = VERDICT_STYLE[r["verdict"]]
        ax.barh(y, x, height=0.7, color=face, hatch=hatch, edgecolor="#555555", linewidth=0.6)
    span = max(np.max(np.abs(changes)), threshold_pct * 1.5)
    ax.set_xlim(-span * 1.5, span * 1.5)
    for y, r, x in zip(ys, rows, changes):
        strong = r["verdict"] in ("REGRESSION", "improved")
        ax.text(x + (1 if x >= 0 else -1) * span * 0.02, y, f"{x:+.1f} %  p={r['p']:.3f}",
                va="center", ha="left" if x >= 0 else "right", fontsize=6.5,
                fontweight="bold" if strong else "normal")
    ax.axvspan(-threshold_pct, threshold_pct, color="#f2f2f2", zorder=0)
    ax.axvline(0, color="black", linewidth=0.8)
    labels = [r["id"] + (" (req/s)" if r["metric"] == "rps" else "") +
              (" †" if r["disturbed"] else "") for r in rows]
    ax.set_yticks(ys, labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("change of the median, new vs base (%)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(handles=[Patch(facecolor=f, hatch=h, edgecolor="#555555", label=l)
                       for f, h, l in VERDICT_STYLE.values()],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7, frameon=False)
    fig.suptitle(f"compare: {os.path.basename(base.path)} → {os.path.basename(new.path)} "
                 f"(threshold {threshold_pct:g} %, one-sided Mann-Whitney U, as asyncbench "
                 "compare)", fontsize=10)
    return common.save(fig, out_dir, "compare")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", help="the results to compare against")
    ap.add_argument("new", help="the new results")
    ap.add_argument("--out", "--output", dest="out", default="plots/figures")
    ap.add_argument("--threshold", type=float, default=5.0,
                    help="smallest change, in %%, that can count (default 5, as "
                         "asyncbench compare)")
    args = ap.parse_args(argv)
    try:
        for p in draw(common.load(args.base), common.load(args.new), args.out, args.threshold):
            print(f"compare: wrote {p}")
    except common.Missing as e:
        print(f"compare: skipped: {e}")
    except common.BadResults as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
