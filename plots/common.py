"""What every plot script shares: reading a results file (SPEC §6) through the asyncbench
package (python/asyncbench), picking its cells, the median and min-max of a cell's runs, one
colour, marker and line style per model (the registry's, workloads/models.json: the same in
every figure), the footer that names the source file, and saving a figure as PNG + SVG.

A figure whose data the file does not hold raises `Missing` (make_plots.py prints one line and
goes on); a file that is not a results file raises `BadResults` (one line, exit 2).
"""
import os
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
from matplotlib.ticker import FuncFormatter  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
# Re-exported: the plot scripts read files, cells and numbers as common.<name>.
from asyncbench import BadResults, Results, Spread, param, planned, runs, spread  # noqa: E402,F401
from asyncbench.fmt import (bytes_label, count_label, describe_variant, duration,  # noqa: E402,F401
                            number, short)

REGISTRY = asyncbench.registry()
# The registry's order (SPEC §2's, with the lectures' sequential Python beside the sequential
# C++) and each model's colour, marker and line style: greys for sequential code, browns and
# purple for threads and processes, blues for aio, green libuv, red Asio, orange and pink for
# Python; the second of each pair dashed, so that two lines lying on each other both stay visible.
MODELS = REGISTRY.ids
STYLE = {m: REGISTRY.style(m) for m in MODELS}
PNG_DPI = 150


class Missing(Exception):
    """The results file does not hold what a figure needs: the figure is skipped."""


def color(model):
    return REGISTRY.style(model)[0]


def marker(model):
    return REGISTRY.style(model)[1]


def linestyle(model):
    return REGISTRY.style(model)[2]


def models_of_kind(kind):
    """The registry's models of a kind: sequential, concurrent or limit."""
    return REGISTRY.of_kind(kind)


def model_order(models):
    """The models given, in registry order; unknown ids after them, sorted."""
    return REGISTRY.order(models)


# ---------------------------------------------------------------------------- reading a file

def _number_list(x):
    return isinstance(x, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in x)


def _check_histogram(h, where):
    if not isinstance(h, dict):
        raise BadResults(f"{where}: a histogram is not an object")
    for k in ("lowest", "growth", "total", "min", "max"):
        if not isinstance(h.get(k), (int, float)) or isinstance(h.get(k), bool):
            raise BadResults(f"{where}: histogram has no numeric '{k}'")
    counts = h.get("counts")
    if not isinstance(counts, list) or not all(
            isinstance(p, list) and len(p) == 2 and _number_list(p) for p in counts):
        raise BadResults(f"{where}: histogram 'counts' is not a list of [index, count] pairs")
    if h["lowest"] <= 0 or h["growth"] <= 1:
        raise BadResults(f"{where}: histogram lowest/growth out of range")
    if h.get("unit", "ns") != "ns":
        raise BadResults(f"{where}: histogram unit {h.get('unit')!r}, expected \"ns\"")
    extra = [h.get(k, 0) for k in ("underflow", "overflow")]
    if not _number_list(extra) or sum(n for _, n in counts) + sum(extra) != h["total"]:
        raise BadResults(f"{where}: histogram counts, underflow and overflow do not add up to "
                         "its total")


def read_json(path, error=BadResults, name=None):
    """The JSON document in `path`, or `error` raised with a one-line reason ("<name>: ...")."""
    return asyncbench.read_json(path, error, name)


def load(path):
    """Reads and checks a results file (the package's reader, then the latency histograms the
    figures merge). Raises BadResults with a one-line reason."""
    res = asyncbench.load(path)
    for c in res.cells:
        where = f"{path}: {c['id']}"
        hists = c.get("histograms", {})
        if not isinstance(hists, dict):
            raise BadResults(f"{where}: histograms is not an object")
        for name, per_run in hists.items():
            if not isinstance(per_run, list):
                raise BadResults(f"{where}: histograms.{name} is not a list (one per run)")
            for h in per_run:
                _check_histogram(h, f"{where}: histograms.{name}")
            if len({(h["lowest"], h["growth"]) for h in per_run}) > 1:
                raise BadResults(f"{where}: histograms.{name}: the runs' bucket layouts differ")
    return res


# ---------------------------------------------------------------------------- cells and runs

def variant_key(cell, ignore=()):
    return tuple(sorted((k, v) for k, v in planned(cell).items() if k not in ignore))


def main_variant(cells, ignore=()):
    """Groups cells by planned parameters (keys in `ignore` aside) and returns (the group with
    the most ok cells, the keys of the groups left out)."""
    groups = {}
    for c in cells:
        groups.setdefault(variant_key(c, ignore), []).append(c)
    if not groups:
        return [], []
    best = max(groups, key=lambda k: (sum(c["status"] == "ok" for c in groups[k]), len(groups[k])))
    return groups[best], [k for k in groups if k != best]


# ---------------------------------------------------------------------------- formatting

def log_formatter(fn):
    """A tick formatter for a log axis that labels decades (and the ticks matplotlib chose)."""
    return FuncFormatter(lambda x, _pos: fn(x) if x > 0 else "")


# ---------------------------------------------------------------------------- figures

FOOTER_IN = 0.2    # height of the footer band, inches, per line
FONT = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
        "xtick.labelsize": 8, "ytick.labelsize": 8, "svg.fonttype": "none"}


def figure(width, height, nrows=1, ncols=1, footer=(), **kw):
    """A figure with constrained layout, and the footer lines (wrapped to its width) written in
    a band kept for them at the bottom. `footer` comes from source_lines()."""
    plt.rcParams.update(FONT)
    lines = []
    for text in footer:
        lines += textwrap.wrap(text, width=int(width * 17.5), subsequent_indent="    ")
    height += FOOTER_IN * len(lines)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                             layout="constrained", **kw)
    band = (0.12 + FOOTER_IN * len(lines)) / height
    fig.get_layout_engine().set(rect=(0, band, 1, 1 - band), h_pad=0.06, w_pad=0.06)
    for i, text in enumerate(reversed(lines)):
        fig.text(0.01, (0.08 + FOOTER_IN * i) / height, text, fontsize=7.5, color="#333333",
                 ha="left", va="bottom")
    return fig, axes


def source_lines(res, notes=()):
    """Notes on the data (what is missing, what was left out), then the source line."""
    return [*notes, "source: " + res.footer()]


def label_log_axis(axis, fmt):
    """Labels a log axis with fmt; when it spans less than two decades, labels the 2 and 5
    between decades too, so that it never shows a single label. Call after the data is drawn."""
    from matplotlib.ticker import LogLocator, NullFormatter
    lo, hi = axis.get_view_interval()
    axis.set_major_formatter(log_formatter(fmt))
    if lo > 0 and hi / lo < 100:
        axis.set_minor_locator(LogLocator(subs=(2, 5)))
        axis.set_minor_formatter(log_formatter(fmt))
    else:
        axis.set_minor_formatter(NullFormatter())


# What save() writes: the report draws its figures as SVG only.
FORMATS = ("png", "svg")


def save(fig, out_dir, name):
    """Writes <out_dir>/<name>.<format> for each of FORMATS (PNG and SVG) and closes the
    figure; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in FORMATS:
        p = os.path.join(out_dir, f"{name}.{ext}")
        tmp = p + ".tmp"
        fig.savefig(tmp, format=ext, dpi=PNG_DPI, metadata={"Date": None} if ext == "svg" else None)
        os.replace(tmp, p)
        paths.append(p)
    plt.close(fig)
    return paths


def model_legend_handles(models, markers=True):
    """Legend entries for models: their colour, line style and (unless markers=False) marker."""
    from matplotlib.lines import Line2D
    return [Line2D([], [], color=color(m), marker=marker(m) if markers else None,
                   linestyle=linestyle(m), markersize=6, label=m) for m in models]


def unsupported_note(cells, what):
    """One line naming the models that cannot run (some of) these cells, with where."""
    by_model = {}
    for c in cells:
        if c["status"] != "ok":
            by_model.setdefault(c["model"], []).append(c)
    if not by_model:
        return None
    parts = []
    for m in model_order(by_model):
        bad = by_model[m]
        statuses = sorted({c["status"] for c in bad})
        where = list(dict.fromkeys(w for w in map(what, bad) if w))
        st = "/".join("n/a" if s == "unsupported" else s for s in statuses)
        parts.append(f"{m} {st}" + (f" at {', '.join(where)}" if where else ""))
    return "not measured: " + "; ".join(parts) + " (the file gives each reason)"


# ---------------------------------------------------------------------------- script entry

def script_main(draw, description, argv=None):
    """The command line of one plot script: --results FILE (--input), --out DIR (--output)."""
    import argparse
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--results", "--input", dest="results", default="results/latest.json",
                    help="results file (default results/latest.json)")
    ap.add_argument("--out", "--output", dest="out", default="results/figures",
                    help="directory for the PNG and SVG (default results/figures)")
    args = ap.parse_args(argv)
    name = os.path.basename(sys.argv[0]).removeprefix("plot_").removesuffix(".py")
    try:
        for p in draw(load(args.results), args.out):
            print(f"{name}: wrote {p}")
    except Missing as e:
        print(f"{name}: skipped: {e}")
        return 0
    except BadResults as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 2
    return 0
