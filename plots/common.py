"""What every plot script shares: reading a results file (SPEC §6), picking its cells, the
median and min-max of a cell's runs, one colour and marker per model id (the same in every
figure), the footer that names the source file, and saving a figure as PNG + SVG.

A figure whose data the file does not hold raises `Missing` (make_plots.py prints one line and
goes on); a file that is not a results file raises `BadResults` (one line, exit 2).
"""
import json
import math
import os
import statistics
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
from matplotlib.ticker import FuncFormatter  # noqa: E402

# SPEC §2's order, with the lectures' sequential Python beside the sequential C++ (as the
# README's tables and the schema's enum have it).
MODELS = ["sync", "py-sync", "threads", "threadpool", "processes", "aio-epoll", "aio-uring",
          "libuv", "asio", "py-asyncio", "py-uvloop"]

# One colour per model, fixed across figures: greys for sequential code, browns and purple for
# threads and processes, blues for aio's two backends, green libuv, red Asio, orange and pink
# for Python's two loops. Markers tell the lines apart where colours alone would not, and the
# second of each pair (py-sync, threadpool, aio-uring, py-uvloop) is dashed, so that two lines
# lying on each other both stay visible.
STYLE = {
    "sync":       ("#4d4d4d", "s", "-"),
    "py-sync":    ("#a3a3a3", "D", "--"),
    "threads":    ("#8c564b", "^", "-"),
    "threadpool": ("#c8a27c", "v", "--"),
    "processes":  ("#9467bd", "P", "-"),
    "aio-epoll":  ("#1f5fb4", "o", "-"),
    "aio-uring":  ("#17becf", "d", "--"),
    "libuv":      ("#2ca02c", "X", "-"),
    "asio":       ("#d62728", "*", "-"),
    "py-asyncio": ("#ff7f0e", "h", "-"),
    "py-uvloop":  ("#e377c2", "p", "--"),
}
_OTHER = ("#7f7f7f", "o", ":")

RUN_ARRAYS = ("elapsed_s", "wall_s", "cpu_s", "max_rss_kb", "ctx_switches", "steal_s")
PNG_DPI = 150


class BadResults(Exception):
    """The file is not a readable asyncbench results file."""


class Missing(Exception):
    """The results file does not hold what a figure needs: the figure is skipped."""


def color(model):
    return STYLE.get(model, _OTHER)[0]


def marker(model):
    return STYLE.get(model, _OTHER)[1]


def linestyle(model):
    return STYLE.get(model, _OTHER)[2]


def model_order(models):
    """The models given, in SPEC order; unknown ids after them, sorted."""
    models = set(models)
    return [m for m in MODELS if m in models] + sorted(models - set(MODELS))


# ---------------------------------------------------------------------------- reading a file

class Results:
    """A results file: its cells, its machine and when it was made."""

    def __init__(self, path, doc):
        self.path = path
        self.doc = doc
        self.cells = doc["results"]
        self.created = doc.get("created", "?")
        self.profile = doc.get("profile", "?")
        self.machine = doc.get("machine") or {}

    def of(self, workload, ok=False):
        return [c for c in self.cells
                if c["workload"] == workload and (not ok or c["status"] == "ok")]

    def display_path(self):
        """The path as a reader of the repository would type it (relative to the checkout)."""
        p = os.path.abspath(self.path)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        return os.path.relpath(p, root) if p.startswith(root + os.sep) else self.path

    def footer(self):
        m = self.machine
        cores = m.get("cores", "?")
        return (f"{self.display_path()} · created {self.created} · {self.profile} profile · "
                f"{m.get('cpu_model', '?')}, {cores} cores, {m.get('kernel', '?')}")


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
    name = path if name is None else name
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise error(f"{name}: {e.strerror or e}") from None
    except ValueError as e:
        raise error(f"{name}: not JSON ({e})") from None


def load(path):
    """Reads and checks a results file. Raises BadResults with a one-line reason."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("suite") != "asyncbench":
        raise BadResults(f"{path}: not an asyncbench results file (no \"suite\": \"asyncbench\")")
    if doc.get("schema_version") != 1:
        raise BadResults(f"{path}: schema_version {doc.get('schema_version')!r}, expected 1")
    cells = doc.get("results")
    if not isinstance(cells, list):
        raise BadResults(f"{path}: \"results\" is not a list")
    for i, c in enumerate(cells):
        where = f"{path}: results[{i}]"
        if not isinstance(c, dict):
            raise BadResults(f"{where} is not an object")
        for k in ("id", "workload", "model", "status"):
            if not isinstance(c.get(k), str):
                raise BadResults(f"{where} has no string '{k}'")
        where = f"{path}: {c['id']}"
        if not isinstance(c.get("params", {}), dict):
            raise BadResults(f"{where}: params is not an object")
        for k in RUN_ARRAYS:
            if k in c and not _number_list(c[k]):
                raise BadResults(f"{where}: {k} is not a list of numbers")
        metrics = c.get("metrics", {})
        if not isinstance(metrics, dict) or not all(_number_list(v) for v in metrics.values()):
            raise BadResults(f"{where}: metrics is not an object of number lists")
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
        c.setdefault("params", {})
        c.setdefault("metrics", {})
    return Results(path, doc)


# ---------------------------------------------------------------------------- cells and runs

def _value(text):
    try:
        x = float(text)
    except ValueError:
        return text
    return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() else x


def planned(cell):
    """The cell's planned parameters, read from its id (<workload>/<model>/<key>:<value>...):
    the same keys for every model of a row, unlike `params`, which also carries what a workload
    reported (workers, ...) and is shorter for an unsupported cell."""
    out = {}
    for part in cell["id"].split("/")[2:]:
        key, sep, value = part.partition(":")
        if sep:
            out[key] = _value(value)
    return out


def param(cell, key, default=None):
    p = cell.get("params", {})
    return p[key] if key in p else planned(cell).get(key, default)


def runs(cell, metric):
    """The per-run values of a metric: a top-level run array (elapsed_s, wall_s, ...) or one
    under `metrics`; non-finite values dropped."""
    v = cell.get(metric) if metric in RUN_ARRAYS else cell.get("metrics", {}).get(metric)
    return [float(x) for x in (v or []) if math.isfinite(float(x))]


class Spread:
    """Median, min and max of a cell's runs for one metric."""

    def __init__(self, values):
        self.values = sorted(values)
        self.n = len(values)
        self.median = statistics.median(values)
        self.min = self.values[0]
        self.max = self.values[-1]

    def scaled(self, k):
        return Spread([v * k for v in self.values])

    def err(self):
        """(below, above) for matplotlib's yerr/xerr: the min-max range around the median."""
        return self.median - self.min, self.max - self.median


def spread(cell, metric):
    """Spread of a metric over an ok cell's runs, or None when there are none."""
    if cell.get("status") != "ok":
        return None
    v = runs(cell, metric)
    return Spread(v) if v else None


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


def describe_variant(key):
    """("time_scale", 0.05) ... as the README's tables print them: "scale 0.05"."""
    parts = []
    for k, v in key:
        if k == "time_scale":
            x = float(v)
            parts.append(f"scale 1/{1 / x:,.0f}" if 0 < x < 0.001 else f"scale {v:g}")
        else:
            parts.append(f"{k} {v}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------- formatting

def number(x):
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def short(x):
    """Three significant digits, thousands with separators: 50, 3.6, 305, 12,000."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def duration(seconds):
    """A duration in the unit a reader expects: 50 ms, 3.6 s, 12 h."""
    s = abs(seconds)
    if s >= 7200:
        return f"{short(seconds / 3600)} h"
    if s >= 1:
        return f"{short(seconds)} s"
    if s >= 1e-3:
        return f"{short(seconds * 1e3)} ms"
    return f"{short(seconds * 1e6)} µs"


def bytes_label(b):
    for unit, k in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(b) >= k:
            return f"{b / k:g} {unit}"
    return f"{b:g} B"


def count_label(n):
    n = float(n)
    if n >= 1e6 and n % 1e6 == 0:
        return f"{n / 1e6:g}M"
    if n >= 1e3 and n % 1e3 == 0:
        return f"{n / 1e3:g}k"
    return f"{n:g}"


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


def save(fig, out_dir, name):
    """Writes <out_dir>/<name>.png and .svg and closes the figure; returns the two paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
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
    ap.add_argument("--out", "--output", dest="out", default="plots/figures",
                    help="directory for the PNG and SVG (default plots/figures)")
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
