#!/usr/bin/python3
"""Figure, history: the headline metric of every workload through the results files of a folder
(make bench keeps a dated copy of each run in results/runs/), one panel per workload, one line
per model. A point is the geometric mean, over the cells the run shares with the newest one, of
median(run) / median(newest): every line ends at 1. A filled triangle marks a run in which
`asyncbench compare` (the verdict engine) found a significant change against the run before it:
red pointing the way that is worse, green the way that is better. A dotted line marks a change of
machine. The data is python/asyncbench/history.py's.

  /usr/bin/python3 plots/plot_history.py results/runs --profile quick --out results/figures
"""
import sys

import common
from asyncbench.cli import ArgumentParser
from asyncbench.history import collect

NCOLS = 4
WORSE, BETTER = "#d62728", "#2ca02c"


def tick_labels(files, most=3):
    """'12-02 13:44\\n2d069a3' for every k-th run and the newest, so that the labels of a
    narrow panel do not overlap."""
    step = max(1, -(-len(files) // most))
    labels = []
    for i, f in enumerate(files):
        created = f["created"]
        when = f"{created[5:10]} {created[11:16]}" if len(created) >= 16 else created
        last = len(files) - 1
        shown = i == last or (i % step == 0 and last - i >= step)
        labels.append(f"{when}\n{f['commit']}" if shown else "")
    return labels


def draw(hist, out_dir):
    files, series, metrics, marks = hist["files"], hist["series"], hist["metrics"], hist["marks"]
    workloads = sorted(series)
    if not workloads:
        raise common.Missing(f"no ok cell in the newest file of {hist['directory']}")
    nrows = -(-len(workloads) // NCOLS)
    n_sig = sum(s["regressions"] + s["improved"] for s in hist["steps"])
    notes = [f"{len(files)} runs of the {hist['profile']} profile from {hist['directory']}, oldest "
             f"left; a point: geometric mean over the cells shared with the newest run of "
             f"median / newest median; triangles: compare's significant changes of the primary "
             f"metric against the run before ({n_sig} in all; red worse, green better)"]
    if hist["left_out"]:
        notes.append(f"{hist['left_out']} older files not read (the newest {len(files)} of the "
                     f"profile are drawn)")
    if any(f["machine_changed"] for f in files):
        notes.append("dotted vertical line: another machine from that run on (compare warns; "
                     "its changes are the machines' as much as the code's)")
    fig, axes = common.figure(11, 2.3 * nrows, nrows=nrows, ncols=NCOLS,
                              footer=[*notes, f"source: {hist['directory']}"])
    x = list(range(len(files)))
    labels = tick_labels(files)
    shown = set()
    for k, ax in enumerate(axes.flat):
        if k >= len(workloads):
            ax.set_visible(False)
            continue
        w = workloads[k]
        metric, direction, unit = metrics[w]
        for model in common.model_order(series[w]):
            ys = series[w][model]
            pts = [(i, y) for i, y in zip(x, ys) if y is not None]
            if not pts:
                continue
            shown.add(model)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], color=common.color(model),
                    linestyle=common.linestyle(model), marker=common.marker(model),
                    markersize=3, linewidth=1.1, label=model)
            for i, verdict, _cell, ratio in marks.get(w, {}).get(model, []):
                y = ys[i]
                if y is None or ratio is None:
                    continue
                up = ratio > 1
                ax.plot([i], [y], marker="^" if up else "v", markersize=8, linestyle="none",
                        color=WORSE if verdict == "regression" else BETTER,
                        markeredgecolor="black", markeredgewidth=0.4, zorder=5)
        for i, f in enumerate(files):
            if f["machine_changed"]:
                ax.axvline(i - 0.5, color="#555555", linestyle=":", linewidth=1)
        ax.axhline(1, color="#999999", linewidth=0.6)
        better = {"lower": ", lower is better", "higher": ", higher is better"}.get(direction, "")
        ax.set_title(f"{w}: {metric}{better}", fontsize=8.5)
        ax.set_xticks(x)
        ax.set_xticklabels(labels if k >= len(workloads) - NCOLS else [""] * len(x), fontsize=6.5)
        ax.set_xlim(-0.5, len(files) - 0.5)
        if k % NCOLS == 0:
            ax.set_ylabel("median / newest")
        ax.grid(axis="y", alpha=0.3)
    handles = common.model_legend_handles(common.model_order(shown))
    spare = list(axes.flat)[len(workloads):]
    if spare:  # the legend in the first empty panel, else over the first one
        spare[0].set_visible(True)
        spare[0].axis("off")
        spare[0].legend(handles=handles, loc="center", ncols=2, fontsize=7.5, frameon=False)
    else:
        axes.flat[0].legend(handles=handles, ncols=2, fontsize=6)
    return common.save(fig, out_dir, "history")


def main(argv=None):
    ap = ArgumentParser(prog="plot_history.py", description=__doc__.splitlines()[0])
    ap.add_argument("directory", help="a folder of results files (make bench: results/runs)")
    ap.add_argument("--profile", help="only the files of this profile (default: all alike)")
    ap.add_argument("--out", default="results/figures", help="the folder to write history.png/svg")
    ap.add_argument("--asyncbench", metavar="PATH", help="the asyncbench binary for compare")
    args = ap.parse_args(argv)
    try:
        hist = collect(args.directory, args.profile, args.asyncbench,
                       progress=lambda s: print(f"plot_history.py: {s}", file=sys.stderr))
        for p in draw(hist, args.out):
            print(p)
    except (asyncbench_error(), common.Missing) as e:
        print(f"plot_history.py: {e}", file=sys.stderr)
        return 2
    return 0


def asyncbench_error():
    from asyncbench.registry import Error
    return Error


if __name__ == "__main__":
    sys.exit(main())
