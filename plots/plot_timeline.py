#!/usr/bin/python3
"""Figures 1 and 2, the lectures' timelines, drawn from `asyncbench trace` files: one row per
task, when it ran and when it waited (and on what), and what it printed.

  timeline_count    count under sync above aio-epoll (threads and py-asyncio below them when
                    their traces exist): "One Two One Two One Two" against "One One One Two Two
                    Two", on one time axis
  timeline_chess    the chess exhibition, sync vs aio-epoll: the first rounds on a common window,
                    and beside it each whole run on a common axis
  timeline_offload  blocking-offload under aio-epoll, inline vs offloaded: the to_thread calls on
                    the pool threads' rows

Trace files are results/traces/<workload>[-<mode>]-<model>.json (`make traces` writes them); what a
file holds is read from its otherData (workload, model, params.mode), not from its name. A
figure whose files are missing is skipped with one line. Times are ms from the run's start (its
first event); each panel says the run's elapsed time as the workload measured it.

  /usr/bin/python3 plots/plot_timeline.py --traces results/traces --out results/figures
"""
import argparse
import glob
import os
import re
import sys

from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import ScaledTranslation

import common


# The panels of each figure, in order: (workload, mode, model). The first two of count and
# both of chess and offload are required; count's further panels are drawn when their traces
# exist.
COUNT_PANELS = [("count", None, "sync"), ("count", None, "aio-epoll"),
                ("count", None, "threads"), ("count", None, "py-asyncio")]
COUNT_REQUIRED = 2
CHESS_PANELS = [("chess", None, "sync"), ("chess", None, "aio-epoll")]
OFFLOAD_PANELS = [("blocking-offload", "inline", "aio-epoll"),
                  ("blocking-offload", "offload", "aio-epoll")]
CHESS_ROUNDS = 4  # rounds of the concurrent run shown in the chess window

READY = "#f0a202"  # runnable, waiting for its loop to get to it
MAIN_ALPHA = 0.35  # aio's main task (it only awaits gather) is drawn pale


def blend(hex_colour, white=0.72):
    """The colour mixed with white: a waiting span in its model's colour, paler."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c + (1 - c) * white for c in rgb)


# ---------------------------------------------------------------------------- reading traces

class BadTrace(Exception):
    """The file is not an asyncbench trace file."""


class Track:
    def __init__(self, key, name, sort, kind="task"):
        self.key = key          # (pid, tid)
        self.name = name
        self.sort = sort
        self.kind = kind        # what the track says it is (aio/trace_events.hpp): task or pool
        self.spans = []         # (cat, name, start_ms, dur_ms)
        self.marks = []         # (t_ms, text)

    @property
    def pool(self):
        return self.kind == "pool"

    @property
    def main(self):
        """A task that only awaits other tasks (aio's main task in gather): no marks, and every
        wait of it is on a task or tasks."""
        waits = [s for s in self.spans if s[0] == "waiting"]
        return (not self.marks and bool(waits)
                and all(s[1] in ("waiting: task", "waiting: tasks") for s in waits))

    def end(self):
        return max([s[2] + s[3] for s in self.spans] + [m[0] for m in self.marks] + [0])


class Trace:
    """One `asyncbench trace` file: its tracks (pid, tid), times in ms from its first event."""

    def __init__(self, path):
        self.path = path
        doc = common.read_json(path, BadTrace, shown(path))
        if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
            raise BadTrace(f"{shown(path)}: no traceEvents list")
        other = doc.get("otherData") or {}
        self.workload = other.get("workload")
        self.model = other.get("model")
        self.params = other.get("params") or {}
        self.mode = self.params.get("mode")
        self.elapsed_s = other.get("elapsed_s")
        self.metrics = other.get("metrics") or {}
        self.machine = other.get("machine") or {}
        if not self.workload or not self.model:
            raise BadTrace(f"{shown(path)}: otherData names no workload and model")

        names, sorts, kinds, timed = {}, {}, {}, []
        try:
            for e in doc["traceEvents"]:
                key = (e["pid"], e["tid"])
                if e["ph"] == "M" and e.get("name") == "thread_name":
                    names[key] = str(e["args"]["name"])
                    kinds[key] = str(e["args"].get("track", "task"))
                elif e["ph"] == "M" and e.get("name") == "thread_sort_index":
                    sorts[key] = e["args"]["sort_index"]
                elif e["ph"] in ("X", "i"):
                    timed.append((key, e))
        except (KeyError, TypeError) as ex:
            raise BadTrace(f"{shown(path)}: malformed event ({ex})") from None
        if not any(e["ph"] == "X" for _, e in timed):
            raise BadTrace(f"{shown(path)}: no spans")
        t0 = min(float(e["ts"]) for _, e in timed)
        self.tracks = {}
        for key, e in timed:
            t = self.tracks.get(key)
            if t is None:
                t = self.tracks[key] = Track(key, names.get(key, f"track {key[1]}"),
                                             sorts.get(key, key[1]), kinds.get(key, "task"))
            start = (float(e["ts"]) - t0) / 1e3
            if e["ph"] == "X":
                if float(e.get("dur", 0)) > 0:
                    t.spans.append((e.get("cat", ""), e.get("name", ""), start,
                                    float(e["dur"]) / 1e3))
            else:
                t.marks.append((start, str(e.get("name", ""))))
        # The main task first, then the tasks by name ("count 2" before "count 10"; the order
        # in which threads or processes created their tracks is a race), pool threads last.
        self.rows = sorted((t for t in self.tracks.values() if t.spans or t.marks),
                           key=lambda t: (t.pool, not (t.main or t.name == "main"),
                                          natural(t.name), t.key[0], t.sort, t.key[1]))

    def end(self):
        return max(t.end() for t in self.rows)

    def elapsed_ms(self):
        return self.elapsed_s * 1e3 if isinstance(self.elapsed_s, (int, float)) else self.end()

    def scale(self):
        return self.params.get("time_scale")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def natural(name):
    """A sort key that puts numbers in numeric order: "board 2" before "board 10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", name)]


def shown(path):
    """The path as a reader of the repository would type it (relative to the checkout)."""
    p = os.path.abspath(path)
    return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else path


def machine_text(traces):
    seen = []
    for t in traces:
        m = t.machine
        text = (f"{m.get('cpu_model', '?')}, {m.get('cores', '?')} cores, {m.get('kernel', '?')}"
                + (f", git {str(m['git_commit'])[:12]}" if m.get("git_commit") else ""))
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def footer(traces, notes=()):
    return [*notes,
            "source: " + ", ".join(shown(t.path) for t in traces) + " (asyncbench trace) · "
            + machine_text(traces)]


def label(t):
    # The registry's label, its short name for figures: its one-line description does not fit
    # a panel's title beside the elapsed time and the printed order.
    return common.REGISTRY.label(t.model)


# ---------------------------------------------------------------------------- drawing a panel

def draw_rows(ax, trace, x_max, texts=True, reasons=True, marks=True, max_mark_labels=40):
    """One row per track of `trace`: running solid in the model's colour, waiting pale (its
    reason written in it where there is room), ready as a thin amber bar, marks as ticks with
    what was printed. Returns the number of rows."""
    col = common.color(trace.model)
    pale = blend(col)
    rows = trace.rows
    visible_marks = sum(1 for t in rows for m in t.marks if m[0] <= x_max)
    label_marks = texts and visible_marks <= max_mark_labels
    for y, t in enumerate(rows):
        alpha = MAIN_ALPHA if t.main else 1.0
        by = {}
        for cat, name, start, dur in t.spans:
            if start > x_max:
                continue
            by.setdefault(cat, []).append((start, dur))
            if texts and reasons and cat == "waiting" and min(dur, x_max - start) > 0.09 * x_max:
                reason = name.removeprefix("waiting: ")
                ax.text(start + min(dur, x_max - start) / 2, y, f"waiting: {reason}",
                        ha="center", va="center", fontsize=6.5, color="#333333", alpha=alpha,
                        clip_on=True)
            if texts and cat == "thread pool" and min(dur, x_max - start) > 0.09 * x_max:
                ax.text(start + min(dur, x_max - start) / 2, y, name, ha="center",
                        va="center", fontsize=6.5, color="white", clip_on=True, zorder=3,
                        bbox=dict(facecolor=col, edgecolor="none", pad=0.8))
        for cat, spans in by.items():
            if cat == "waiting":
                ax.broken_barh(spans, (y - 0.28, 0.56), facecolor=pale, edgecolor=col,
                               linewidth=0.4, alpha=alpha)
            elif cat == "ready":
                ax.broken_barh(spans, (y - 0.1, 0.2), facecolor=READY, edgecolor=READY,
                               linewidth=0.3, alpha=alpha)
            elif cat == "thread pool":  # a blocking call running on a pool thread
                ax.broken_barh(spans, (y - 0.34, 0.68), facecolor=col, edgecolor=blend(col, 0.5),
                               linewidth=0, alpha=alpha, hatch="////")
            else:  # running (and anything else)
                # An edge of the same colour keeps a span of a few µs visible as a line.
                ax.broken_barh(spans, (y - 0.34, 0.68), facecolor=col, edgecolor=col,
                               linewidth=0.6, alpha=alpha)
        shown_marks = [m for m in t.marks if m[0] <= x_max] if marks else []
        for when, _ in shown_marks:
            ax.plot([when, when], [y - 0.42, y + 0.42], color="black", linewidth=0.9,
                    alpha=alpha, solid_capstyle="butt")
        if label_marks:
            for when, text in merge_close(shown_marks, 0.015 * x_max):
                ax.annotate(text, (when, y - 0.42), xytext=(0, 1), textcoords="offset points",
                            ha="center", va="bottom", fontsize=7, fontweight="bold",
                            alpha=alpha, annotation_clip=True)
    ax.set_yticks(range(len(rows)), [row_label(t) for t in rows])
    for tick, t in zip(ax.get_yticklabels(), rows):
        if t.main:
            tick.set_color("#999999")
    ax.set_ylim(len(rows) - 0.4, -0.85)  # first row on top; room for the marks' text
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    return len(rows)


def merge_close(marks, gap):
    """Marks closer than `gap` (ms) to the one before as one label ("finish / start"), so that
    their texts do not print over each other."""
    out = []
    for when, text in sorted(marks):
        if out and when - out[-1][2] < gap:
            out[-1][1].append(text)
            out[-1][2] = when
        else:
            out.append([when, [text], when])
    return [((first + last) / 2, " / ".join(texts)) for first, texts, last in out]


def row_label(t):
    if t.main:
        return "main (awaits)"
    return t.name


def elapsed_line(ax, trace, x_max):
    """A dotted line at the run's elapsed time (the workload's own clock) from its start."""
    e = trace.elapsed_ms()
    if e <= x_max:
        ax.axvline(e, color="black", linestyle=":", linewidth=0.9)


def legend_handles(pool=False, marks=True):
    grey = "#555555"
    h = [Patch(facecolor=grey, edgecolor=grey, label="running (the model's colour)"),
         Patch(facecolor=blend(grey), edgecolor=grey, linewidth=0.4,
               label="waiting (on a timer, the thread pool, other tasks)"),
         Patch(facecolor=READY, label="ready: runnable, its loop busy elsewhere")]
    if pool:
        h.append(Patch(facecolor=grey, edgecolor="white", hatch="////",
                       label="a blocking call on a pool thread"))
    if marks:
        h.append(Line2D([], [], color="black", marker="|", linestyle="", markersize=9,
                        label="what the task printed"))
    h.append(Line2D([], [], color="black", linestyle=":", linewidth=0.9,
                    label="elapsed (the workload's own clock)"))
    return h


def legend_below(fig, ax, handles, ncol):
    """The key under the bottom panel's x label (matplotlib 3.6 has no "outside" legends; an
    axes' legend is kept in the constrained layout)."""
    below = ax.transAxes + ScaledTranslation(0, -0.42, fig.dpi_scale_trans)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=below,
              ncol=ncol, fontsize=7.5, frameon=False, handlelength=1.6, columnspacing=1.4)


def order_text(trace):
    order = trace.metrics.get("order")
    return f" · printed: {order}" if isinstance(order, str) and len(order) < 60 else ""


def pick(traces, wanted):
    return [traces.get(w) for w in wanted]


def missing_names(traces, wanted):
    folder = traces.get("dir", "")
    return ", ".join(shown(os.path.join(folder, f"{w}{'-' + m if m else ''}-{model}.json"))
                     for w, m, model in wanted)


# ---------------------------------------------------------------------------- the figures

def draw_count(traces, out_dir):
    found = pick(traces, COUNT_PANELS)
    if not all(found[:COUNT_REQUIRED]):
        lack = [w for w, t in zip(COUNT_PANELS[:COUNT_REQUIRED], found) if t is None]
        raise common.Missing(f"no trace {missing_names(traces, lack)}")
    panels = [t for t in found if t is not None]
    x_max = max(t.end() for t in panels) * 1.04
    heights = [len(t.rows) + 1.3 for t in panels]
    notes = ["one row per task; aio's main task, which only awaits gather(), is drawn pale. "
             "Times from each run's first event."]
    fig, axes = common.figure(8.5, 0.9 + 0.36 * sum(heights), nrows=len(panels),
                              footer=footer(panels, notes), sharex=True,
                              gridspec_kw={"height_ratios": heights})
    for ax, t in zip(axes[:, 0], panels):
        draw_rows(ax, t, x_max)
        elapsed_line(ax, t, x_max)
        ax.set_title(f"{label(t)} · elapsed {common.short(t.elapsed_ms())} ms{order_text(t)}",
                     loc="left", fontsize=9, color=common.color(t.model))
    ax = axes[-1, 0]
    ax.set_xlim(0, x_max)
    ax.set_xlabel("time since the run's start (ms)")
    scale = panels[0].scale()
    sleep = panels[0].params.get("sleep_s", 1.0)
    sub = (f" (time scale {scale:g}: the lecture's {sleep:g} s sleep is "
           f"{common.short(sleep * scale * 1e3)} ms)" if scale else "")
    fig.suptitle(f"count: 3 tasks print One, sleep, print Two{sub}", fontsize=10)
    legend_below(fig, ax, legend_handles(), ncol=2)
    return common.save(fig, out_dir, "timeline_count")


def chess_round_ms(t):
    """One round of the concurrent exhibition in ms: Judit goes round every board, or a board
    waits for its opponent, whichever is longer."""
    p = t.params
    scale = p.get("time_scale") or 1.0
    judit, opponent, boards = p.get("judit_s", 5.0), p.get("opponent_s", 55.0), p.get(
        "opponents", 24)
    return max(boards * judit, judit + opponent) * scale * 1e3


def moves_in(t, until_ms):
    """Judit's moves finished by `until_ms`: the marks if the trace has them, else the running
    spans of the boards' rows (each of Judit's moves is one running span)."""
    marks = [m for r in t.rows if not r.main for m in r.marks]
    if marks:
        return sum(1 for m in marks if m[0] <= until_ms)
    return sum(1 for r in t.rows if not r.main and not r.pool for s in r.spans
               if s[0] == "running" and s[2] + s[3] <= until_ms
               and s[3] > 0.5 * (t.params.get("judit_s", 5.0) * (t.scale() or 1.0) * 1e3))


def draw_chess(traces, out_dir):
    panels = pick(traces, CHESS_PANELS)
    if not all(panels):
        lack = [w for w, t in zip(CHESS_PANELS, panels) if t is None]
        raise common.Missing(f"no trace {missing_names(traces, lack)}")
    window = CHESS_ROUNDS * chess_round_ms(panels[-1]) * 1.05
    whole = max(t.end() for t in panels) * 1.03
    heights = [len(t.rows) + 1.5 for t in panels]
    p = panels[0].params
    notes = [f"left: the first {window:.0f} ms of each run (≈ {CHESS_ROUNDS} rounds of the "
             "concurrent exhibition); right: each whole run on one axis, the window shaded. "
             "One row per board; aio's main task (awaits gather) drawn pale."]
    fig, axes = common.figure(10, 0.8 + 0.16 * sum(heights), nrows=len(panels), ncols=2,
                              footer=footer(panels, notes), sharex="col",
                              gridspec_kw={"height_ratios": heights, "width_ratios": [3, 1.3]})
    for (ax, ax_all), t in zip(axes, panels):
        draw_rows(ax, t, window, reasons=False, max_mark_labels=0)
        n = moves_in(t, window)
        ax.set_title(f"{label(t)}: {n} of Judit's moves in the first {window:.0f} ms",
                     loc="left", fontsize=9, color=common.color(t.model))
        draw_rows(ax_all, t, whole, texts=False, marks=False)
        ax_all.set_yticks([])
        ax_all.axvspan(0, window, color="#000000", alpha=0.15, linewidth=0)
        elapsed_line(ax_all, t, whole)
        ax_all.set_title(f"whole run: {common.duration(t.elapsed_ms() / 1e3)}", loc="left",
                         fontsize=9, color=common.color(t.model))
        for a in (ax, ax_all):
            a.tick_params(axis="y", labelsize=6 if len(t.rows) > 12 else 8)
    axes[-1, 0].set_xlim(0, window)
    axes[-1, 0].set_xlabel("time since the run's start (ms)")
    axes[-1, 1].set_xlim(0, whole)
    axes[-1, 1].xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1e3:g}"))
    axes[-1, 1].set_xlabel("time since the run's start (s)")
    scale = panels[0].scale() or 1.0
    seq, conc = panels[0], panels[-1]
    fig.suptitle(
        f"chess: Judit Polgár against {p.get('opponents', 24)} boards, {p.get('moves', 30)} "
        f"pair-moves each (her move {p.get('judit_s', 5):g} s busy, theirs "
        f"{p.get('opponent_s', 55):g} s of waiting; time scale {scale:.3g}).\n"
        f"Whole exhibition: {seq.model} {common.duration(seq.elapsed_ms() / 1e3)}, "
        f"{conc.model} {common.duration(conc.elapsed_ms() / 1e3)}", fontsize=9.5)
    legend_below(fig, axes[-1, 0], legend_handles(), ncol=2)
    return common.save(fig, out_dir, "timeline_chess")


def draw_offload(traces, out_dir):
    panels = pick(traces, OFFLOAD_PANELS)
    if not all(panels):
        lack = [w for w, t in zip(OFFLOAD_PANELS, panels) if t is None]
        raise common.Missing(f"no trace {missing_names(traces, lack)}")
    x_max = max(t.end() for t in panels) * 1.04
    heights = [len(t.rows) + 1.3 for t in panels]
    notes = ["one row per task, then one per pool thread (the to_thread calls, hatched); the "
             "main task, which only awaits gather(), is drawn pale. Times from each run's "
             "first event."]
    fig, axes = common.figure(8.5, 0.9 + 0.34 * sum(heights), nrows=len(panels),
                              footer=footer(panels, notes), sharex=True,
                              gridspec_kw={"height_ratios": heights})
    titles = {"inline": "inline: the main task calls blocking_io() in turn, on the loop",
              "offload": "offload: gather(to_thread(blocking_io) × {calls})"}
    for ax, t in zip(axes[:, 0], panels):
        draw_rows(ax, t, x_max)
        elapsed_line(ax, t, x_max)
        what = titles.get(t.mode, str(t.mode)).format(calls=t.params.get("calls", 3))
        ax.set_title(f"{t.model}, {what} · elapsed {common.short(t.elapsed_ms())} ms",
                     loc="left", fontsize=9, color=common.color(t.model))
    ax = axes[-1, 0]
    ax.set_xlim(0, x_max)
    ax.set_xlabel("time since the run's start (ms)")
    p = panels[0].params
    scale = p.get("time_scale")
    call = p.get("blocking_s", 1.0)
    sub = (f" (time scale {scale:g}: each call blocks {common.short(call * scale * 1e3)} ms)"
           if scale else "")
    fig.suptitle(f"blocking-offload: {p.get('calls', 3)} blocking calls, inline vs "
                 f"to_thread{sub}", fontsize=10)
    legend_below(fig, ax, legend_handles(pool=True), ncol=2)
    return common.save(fig, out_dir, "timeline_offload")


FIGURES = [("timeline_count", draw_count), ("timeline_chess", draw_chess),
           ("timeline_offload", draw_offload)]


def draw_traces(trace_paths, out_dir, only=None):
    """Draws every timeline (or the one named `only`) whose trace files are among
    `trace_paths`; prints one line for each figure skipped and each file that is not a trace.
    Returns the paths written; raises common.Missing when no figure could be drawn."""
    # (workload, mode, model) -> Trace; "dir": where the files are, for the skip lines.
    traces = {"dir": os.path.dirname(trace_paths[0]) if trace_paths else ""}
    for path in trace_paths:
        try:
            t = Trace(path)
        except BadTrace as e:
            print(f"timelines: ignored {e}")
            continue
        traces[(t.workload, t.mode if t.workload == "blocking-offload" else None, t.model)] = t
    written, skipped = [], []
    for name, draw in FIGURES:
        if only is not None and name != only:
            continue
        try:
            written += draw(traces, out_dir)
        except common.Missing as e:
            print(f"{name}: skipped: {e}")
            skipped.append(name)
    if not written:
        raise common.Missing(f"none of {', '.join(skipped)} could be drawn from "
                             f"{len(trace_paths)} trace file(s)")
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--traces", "--input", dest="traces", default=os.path.join(os.path.dirname(here), "results", "traces"),
                    help="directory of trace files (default results/traces)")
    ap.add_argument("--out", "--output", dest="out", default=os.path.join(os.path.dirname(here), "results", "figures"),
                    help="directory for the PNG and SVG files (default results/figures)")
    args = ap.parse_args(argv)
    paths = sorted(glob.glob(os.path.join(args.traces, "*.json")))
    if not paths:
        print(f"timelines: skipped: no trace files ({shown(args.traces)}/*.json)")
        return 0
    try:
        for p in draw_traces(paths, args.out):
            print(f"timelines: wrote {shown(p)}")
    except common.Missing as e:
        print(f"timelines: skipped: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
