#!/usr/bin/python3
"""Figure 8, compare: `asyncbench compare`'s verdict of two results files, drawn. One bar per
cell, for its workload's primary metric (the one its manifest declares primary: elapsed_s,
echo's requests/s, loop-lag's worst tick lateness): the change of the median, new against base,
coloured by compare's own verdict (regression red, improved green, noise grey hatched, same
pale). Nothing is judged here: the figure draws `asyncbench compare BASE NEW --format json`
(harness/src/compare.cpp), so it agrees with the command by construction. Cells are sorted from
the most worsened down; the shaded band is ± the threshold.

  /usr/bin/python3 plots/plot_compare.py BASE.json NEW.json --out results/figures [--threshold 5]
  /usr/bin/python3 plots/plot_compare.py --verdict VERDICT.json --out results/figures
      (a verdict saved from asyncbench compare BASE NEW --format json)

The binary is --asyncbench PATH, else $ASYNCBENCH, else build/bin/asyncbench. Exit 2 with one
line when compare cannot give a verdict (a file that is not a results file, no binary).
"""
import os
import sys
from collections import Counter

import numpy as np
from matplotlib.patches import Patch

import common
import asyncbench  # on the path common.py sets
from asyncbench.cli import ArgumentParser

MAX_BARS = 60
VERDICT_STYLE = {  # compare's verdict -> facecolor, hatch, legend label
    "regression": ("#d62728", None,
                   "regression: worse beyond threshold and noise, 95 % CI and p ≤ 0.05 agree"),
    "improved": ("#2ca02c", None,
                 "improved: better beyond threshold and noise, 95 % CI and p ≤ 0.05 agree"),
    "noise": ("#bdbdbd", "////", "noise: beyond the threshold, but not significant"),
    "same": ("#e0e0e0", None, "same: within the threshold"),
}
SIGNIFICANT = ("regression", "improved")


def arrow(direction):
    return "↑" if direction == "higher" else "↓"


def bars_of(verdict):
    """The verdict's primary rows that can be drawn as a bar, with how much worse each is (the
    change, negated where higher is better), and the primary rows that cannot: (bars, left out)."""
    bars, left_out = [], []
    for r in verdict["rows"]:
        if not r.get("primary"):
            continue
        if r["verdict"] not in VERDICT_STYLE or r.get("change") is None:
            left_out.append(r)  # not comparable, or a change from 0 (no finite ratio)
            continue
        worse = r["change"] if r["direction"] != "higher" else -r["change"]
        bars.append(dict(r, worse=worse, n=min(r["base"]["n"], r["new"]["n"])))
    return bars, left_out


def side_footer(side):
    return asyncbench.machine_footer(asyncbench.display_path(side["path"]), side.get("created", "?"),
                                     side.get("profile", "?"), side.get("machine"))


def draw(verdict, out_dir):
    """Draws compare.png/.svg from a verdict (asyncbench.compare's dict); returns the paths."""
    threshold_pct = verdict["threshold_pct"]
    base, new = verdict["base"], verdict["new"]
    rows, left_out = bars_of(verdict)
    if not rows:
        raise common.Missing(f"no cell is ok in both {asyncbench.display_path(base['path'])} and "
                             f"{asyncbench.display_path(new['path'])} with a comparable primary "
                             "metric (cells are matched by id)")
    rows.sort(key=lambda r: r["worse"], reverse=True)
    counts = Counter(r["verdict"] for r in rows)
    cells = verdict["cells"]
    notes = [f"{len(rows)} cells ok in both files, each on its workload's primary metric: "
             f"{counts['regression']} regression(s), {counts['improved']} improved, "
             f"{counts['noise']} noise, {counts['same']} within ±{threshold_pct:g} %; cells only "
             f"in base: {len(cells['only_base'])}, only in new: {len(cells['only_new'])} (cells "
             "match by id, so cells with other parameters never match)"]
    gm = verdict.get("geometric_mean") or {}
    if gm.get("ratio") is not None:
        notes.append(f"geometric mean of the primary metrics' ratios over {gm['cells']} cells "
                     f"(new/base, inverted where higher is better: below 1 is better): "
                     f"{gm['ratio']:.3f}")
    if left_out:
        notes.append("no bar: " + "; ".join(
            f"{r['cell']} ({r['verdict']}" + (f", {r['note']}" if r.get("note") else "") + ")"
            for r in left_out[:4]) + (f" and {len(left_out) - 4} more" if len(left_out) > 4 else ""))
    if len(rows) > MAX_BARS:
        keep = sorted(rows, key=lambda r: (r["verdict"] in SIGNIFICANT, abs(r["change"])),
                      reverse=True)[:MAX_BARS]
        kept = {r["cell"] for r in keep}
        left = [r for r in rows if r["cell"] not in kept]
        strong = sum(r["verdict"] in SIGNIFICANT for r in left)
        notes.append(f"not shown: the {len(left)} cells with the smallest changes (at most "
                     f"{max(abs(r['change']) for r in left) * 100:.1f} %), " +
                     (f"{strong} of them significant" if strong else
                      "none of them a regression or an improvement"))
        rows = [r for r in rows if r["cell"] in kept]

    # Most bars share one primary metric; the others say theirs in their label.
    usual = Counter(r["metric"] for r in rows).most_common(1)[0][0]
    usual_dir = next(r["direction"] for r in rows if r["metric"] == usual)
    others = sorted({(r["metric"], r["direction"], r["workload"]) for r in rows
                     if r["metric"] != usual})
    higher = any(r["direction"] == "higher" for r in rows)
    notes.append(f"each bar: the primary metric declared by the cell's workload, {usual} "
                 f"{arrow(usual_dir)} unless its label names another" +
                 ("; " + ", ".join(f"{w}: {m} {arrow(d)}" for m, d, w in others) if others else "") +
                 (" (↑: higher is better, so there a fall is the worse change)" if higher else ""))

    changes = verdict.get("status_changes") or []
    if changes:
        bad = sum(bool(s.get("regression")) for s in changes)
        notes.append(f"status changed in {len(changes)} cell(s), {bad} counted as a regression: " +
                     "; ".join(f"{s['cell']}: {s['base']} → {s['new']}" for s in changes[:6]) +
                     (f" and {len(changes) - 6} more" if len(changes) > 6 else ""))
    reg = verdict["regressions"]
    secondary = [r for r in verdict["rows"] if not r.get("primary") and r["verdict"] == "regression"]
    if reg.get("secondary"):
        notes.append(f"{reg['secondary']} regression(s) of secondary metrics, not drawn: " +
                     "; ".join(f"{r['cell']} {r['metric']}" for r in secondary[:4]) +
                     (f" and {len(secondary) - 4} more" if len(secondary) > 4 else "") +
                     " (asyncbench compare lists them)")
    notes.append(f"asyncbench compare counts {reg['total']} regression(s): {reg['primary']} "
                 f"primary, {reg['secondary']} secondary (exit {verdict.get('exit', '?')})")
    few = min(r["n"] for r in rows)
    if few < 9:
        notes.append(f"some cells have only {few} run{'s' if few != 1 else ''} a side: p ≤ 0.05 then needs every new run "
                     "on one side of every old one (the full profile's 9 runs see smaller changes)")
    if any(r["disturbed"] for r in rows):
        notes.append("†: a side's runs were disturbed (CPU steal, other load): compare doubles "
                     "the bar for a verdict there")
    notes += [f"warning: {w}" for w in verdict.get("warnings") or []]
    footer = notes + ["base: " + side_footer(base), "new:  " + side_footer(new)]

    labels = [r["cell"] + (f" ({r['metric']} {arrow(r['direction'])})" if r["metric"] != usual
                           else "") + (" †" if r["disturbed"] else "") for r in rows]
    longest = max(len(t) for t in labels)
    fig, axes = common.figure(max(9.0, 5.5 + longest * 0.075), 1.6 + 0.24 * len(rows),
                              footer=footer)
    ax = axes[0][0]
    ys = np.arange(len(rows))
    changes_pct = np.array([r["change"] * 100 for r in rows])
    for y, r, x in zip(ys, rows, changes_pct):
        face, hatch, _ = VERDICT_STYLE[r["verdict"]]
        ax.barh(y, x, height=0.7, color=face, hatch=hatch, edgecolor="#555555", linewidth=0.6)
    span = max(np.max(np.abs(changes_pct)), threshold_pct * 1.5)
    ax.set_xlim(-span * 1.5, span * 1.5)
    for y, r, x in zip(ys, rows, changes_pct):
        ax.text(x + (1 if x >= 0 else -1) * span * 0.02, y, f"{x:+.1f} %  p={r['p']:.3f}",
                va="center", ha="left" if x >= 0 else "right", fontsize=6.5,
                fontweight="bold" if r["verdict"] in SIGNIFICANT else "normal")
    ax.axvspan(-threshold_pct, threshold_pct, color="#f2f2f2", zorder=0)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("change of the median, new vs base (%)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(handles=[Patch(facecolor=f, hatch=h, edgecolor="#555555", label=lab)
                       for f, h, lab in VERDICT_STYLE.values()],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7, frameon=False)
    fig.suptitle(f"compare: {os.path.basename(base['path'])} → {os.path.basename(new['path'])} "
                 f"(threshold {threshold_pct:g} %; the verdicts are asyncbench compare's)",
                 fontsize=10)
    return common.save(fig, out_dir, "compare")


def main(argv=None):
    ap = ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", metavar="BASE NEW", help="the two results files")
    ap.add_argument("--verdict", metavar="FILE",
                    help="draw a saved verdict (asyncbench compare BASE NEW --format json)")
    ap.add_argument("--out", "--output", dest="out", default="results/figures")
    ap.add_argument("--threshold", type=float,
                    help="smallest change, in %%, that can count (compare's default: 5)")
    ap.add_argument("--asyncbench", metavar="PATH", help="the asyncbench binary")
    args = ap.parse_args(argv)
    if bool(args.verdict) == bool(args.files):
        ap.error("give BASE NEW, or --verdict FILE")
    if args.files and len(args.files) != 2:
        ap.error(f"give two results files, BASE NEW, not {len(args.files)}")
    if args.verdict and args.threshold is not None:
        ap.error("--threshold is compare's: a saved verdict has its own")
    try:
        verdict = (asyncbench.load_verdict(args.verdict) if args.verdict else
                   asyncbench.compare(*args.files, threshold=args.threshold,
                                      binary=args.asyncbench))
        for p in draw(verdict, args.out):
            print(f"compare: wrote {p}")
    except common.Missing as e:
        print(f"compare: skipped: {e}")
    except asyncbench.Error as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
