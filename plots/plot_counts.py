#!/usr/bin/python3
"""Figure 9, counts: where each echo server's instructions go. One bar per server, at each
connection count the counted file has: the user-space instructions it executes per 64-byte echo
(callgrind, the difference of two runs of different sizes over the difference of their
requests), split into the program's own code, the model's runtime (aio, libuv, Asio, liburing,
CPython: the registry's count_runtime) and libc/libstdc++ (count_system), by the source file of
each instruction from the debug information, or its shared object. The system calls per request
(perf trace) are written at each bar's end. The two limit servers (bare epoll, bare io_uring) are
the floor.

  /usr/bin/python3 plots/plot_counts.py --results results/counted.json --out results/figures
"""
import sys

from matplotlib.patches import Patch

import common

WORKLOAD = "echo"
PARTS = [("program", "the program's own code", 0.0),
         ("runtime", "the runtime (aio, libuv, Asio, liburing, CPython)", 0.45),
         ("system", "libc, libstdc++, the loader", 0.75)]


def blend(hex_colour, white):
    h = hex_colour.lstrip("#")
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c + (1 - c) * white for c in rgb)


def draw(res, out_dir):
    cells = [c for c in res.of(WORKLOAD, ok=True) if "instructions_per_request" in c["metrics"]]
    if not cells:
        raise common.Missing(f"no counted echo cell (instructions_per_request) in "
                             f"{res.display_path()}: make it with asyncbench run --count")
    by_conns = {}
    for c in cells:
        by_conns.setdefault(common.param(c, "connections"), []).append(c)
    groups = sorted(k for k in by_conns if k is not None)
    models = common.model_order({c["model"] for c in cells})
    # One panel per language, each with its own scale: CPython's ten thousand instructions a
    # request would flatten the C++ servers' differences.
    languages = []
    for m in models:
        lang = (common.REGISTRY.model(m) or {}).get("language", "?")
        if lang not in languages:
            languages.append(lang)
    panels = [[(n, m) for n in groups for m in models
               if (common.REGISTRY.model(m) or {}).get("language", "?") == lang
               and any(c["model"] == m for c in by_conns[n])] for lang in languages]
    heights = [max(1, len(p)) for p in panels]
    fig, axes = common.figure(9.5, 1.0 + 0.3 * sum(heights), nrows=len(panels),
                              footer=common.source_lines(res, [
        "instructions per request: (count at the larger size − at the smaller) / (their requests' "
        "difference); split by the source file of each instruction (debug information) or its "
        "shared object; inlined runtime code counts as the runtime's; a Python program's own code "
        "is interpreted, so it is CPython's",
        "calls/req: system calls per request (perf trace -s, the same difference); they vary by a "
        "few per cent with timing, the instructions by less than 2 %"]),
                              gridspec_kw={"height_ratios": heights})
    for ax, rows, lang in zip((a[0] for a in axes), panels, languages):
        labels, total_max = [], 0
        for y, (n, m) in enumerate(rows):
            c = next(c for c in by_conns[n] if c["model"] == m)
            left = 0
            for part, _, white in PARTS:
                v = common.runs(c, f"instructions_per_request_{part}")
                v = max(v[0], 0) if v else 0
                ax.barh(y, v, left=left, height=0.72, color=blend(common.color(m), white),
                        edgecolor="#444444", linewidth=0.5)
                left += v
            total = common.runs(c, "instructions_per_request")[0]
            calls = common.runs(c, "syscalls_per_request")
            ax.text(left, y, f"  {total:,.0f}" + (f"   ({calls[0]:.2f} calls/req)" if calls else ""),
                    va="center", ha="left", fontsize=7)
            total_max = max(total_max, total)
            labels.append(f"{common.REGISTRY.label(m)}, {n} conn.")
        ax.set_yticks(range(len(rows)), labels, fontsize=7.5)
        ax.set_ylim(len(rows) - 0.4, -0.6)
        ax.set_xlim(0, total_max * 1.4)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(f"{'C++' if lang == 'c++' else lang.capitalize()} servers", fontsize=9,
                     loc="left")
    axes[-1][0].set_xlabel("user-space instructions per 64-byte echo request (callgrind)")
    axes[0][0].legend(handles=[Patch(facecolor=blend("#555555", w), edgecolor="#444444", label=l)
                               for _, l, w in PARTS], loc="lower right", fontsize=7.5,
                      frameon=True)
    fig.suptitle("echo, 64-byte messages: where each server's user-space instructions go",
                 fontsize=10)
    return common.save(fig, out_dir, "counts")


if __name__ == "__main__":
    sys.exit(common.script_main(draw, __doc__.splitlines()[0]))
