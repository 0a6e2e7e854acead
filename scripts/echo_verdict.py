#!/usr/bin/python3
"""The echo verdict (issue 5): aio against libuv and Asio on server CPU per request and requests
per second, from one or more results files of interleaved echo runs, pooled per cell, as
Markdown tables for the README.

  /usr/bin/python3 scripts/echo_verdict.py results/reference/echo-verdict-a.json \
      results/reference/echo-verdict-b.json [--size 64] [--connections 16,256] \
      [--counts results/counted.json]

The verdict is two-fold. With --counts, a counted results file (asyncbench run --count), it first
prints the deterministic half: per connection count, each server's user-space instructions per
request (callgrind) split into the program, its runtime and libc/libstdc++, its system calls
and context switches per request, and aio's instructions over the competitors' (a count does not
vary from run to run by more than 2 % here, so one run settles it). Then the timed half below.

Every figure and verdict is `asyncbench compare`'s (harness/src/compare.cpp, the one verdict
engine), which this script runs as

  asyncbench compare FILES --pair aio-epoll:libuv --pair aio-epoll:asio --pair aio-uring:libuv
      --pair aio-uring:asio -w echo --where size=SIZE --where connections=C1,C2
      --metric server_cpu_us_per_req --metric rps --format json

and prints: per connection count, each model's median [min–max] of server CPU µs per request and
of requests/s over the pooled runs; then per pairing compare's ratio of aio's figure to the
competitor's with its 95 % interval (paired by round where the runs carry rounds: the runs of
two cells with the same round were made in the same pass, so their ratio cancels the machine's
slow drift; else the ratio of the medians, "unpaired"), the rounds aio won, the probability of
superiority P(a random aio run beats a random competitor run) and compare's verdict. This
script keeps no statistics of its own: its earlier interquartile ranges, CPU-steal column and
--resample estimate are gone with them.

The binary is --asyncbench PATH, else $ASYNCBENCH, else build/bin/asyncbench. Exit 2 with one
line on stderr when compare cannot answer (a file that is not a results file, no echo cells of
these models) or a model has no runs at a connection count.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench import echo  # noqa: E402
from asyncbench.cli import ArgumentParser, fail  # noqa: E402
from asyncbench.echo import AIO, CPU, OTHERS, PAIRS, RPS  # noqa: E402

PROG = "echo_verdict"


def counts_tables(path, size, conns):
    """The deterministic half: a counted file's figures, as Markdown, per connection count."""
    try:
        tables = echo.counted(asyncbench.load(path), size, conns)
    except asyncbench.Error as e:
        fail(PROG, str(e))
    for n, t in tables.items():
        print(f"\n**{n} connections, {size}-byte messages: counted** (`{path}`)\n")
        print("| server | instructions/request | program / runtime / libc+libstdc++ "
              "| system calls/request (top three) | context switches/request |")
        print("|---|---:|---:|---|---:|")
        for r in t["rows"]:
            parts = " / ".join(f"{p:,.0f}" for p in r["parts"])
            calls, sw = r["syscalls"], r["switches"]
            print(f"| {r['model']} | {r['instructions']:,.0f} | {parts} | "
                  f"{'' if calls is None else f'{calls:.2f}'} ({r['syscalls_top']}) | "
                  f"{'' if sw is None else f'{sw:.3f}'} |")
        if t["ratios"]:
            print("\ninstructions per request, aio over the competitor: " +
                  "; ".join(f"{a}/{b} {x:.2f}" for a, b, x in t["ratios"]))


def verdict_cell(r):
    v = r["verdict"]
    return f"{r['a']} better" if v == "A better" else f"**{r['a']} worse**" if v == "A worse" else v


def spread_cell(s, digits):
    def f(x):
        return f"{x:,.{digits}f}"
    return f"{f(s['median'])} [{f(s['min'])}–{f(s['max'])}]"


def main():
    ap = ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--connections", default="16,256")
    ap.add_argument("--asyncbench", metavar="PATH", help="the asyncbench binary")
    ap.add_argument("--counts", metavar="FILE",
                    help="a counted results file: the deterministic half of the verdict first")
    args = ap.parse_args()
    try:
        conns = [int(x) for x in args.connections.split(",")]
    except ValueError:
        fail(PROG, f"--connections wants numbers separated by commas, not {args.connections!r}")
    try:
        summary, rows = echo.timed(args.files, args.size, conns, args.asyncbench)
    except asyncbench.Error as e:
        fail(PROG, str(e))

    if args.counts:
        counts_tables(args.counts, args.size, conns)
        print("\nTimed (server CPU and requests/s, paired by round):")
    counts = {}
    for n in conns:
        print(f"\n**{n} connections, {args.size}-byte messages**\n")
        print("| model | runs | server CPU µs/request, median [min–max] "
              "| requests/s, median [min–max] |")
        print("|---|---:|---:|---:|")
        for m in AIO + OTHERS:
            cpu, rps = summary[(n, m, CPU)], summary[(n, m, RPS)]
            print(f"| {m} | {cpu['n']} | {spread_cell(cpu, 2)} | {spread_cell(rps, 0)} |")
        print("\n| aio vs | CPU/request ratio [95 % CI] | rounds with less CPU | P(aio run uses "
              "less CPU) | verdict | requests/s ratio [95 % CI] | rounds with more requests/s "
              "| P(aio run serves more) | verdict |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---|")
        for a, b in PAIRS:
            cells = []
            for metric in (CPU, RPS):
                r = rows.get((n, a, b, metric))
                if r is None:
                    cells += ["–"] * 4
                    continue
                counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
                cells += [echo.ratio_text(r), echo.won_text(r), f"{r['p_a_better']:.2f}", verdict_cell(r)]
            print(f"| {a} vs {b} | " + " | ".join(cells) + " |")
    pooled = (f"the runs of {len(args.files)} files pooled" if len(args.files) > 1
              else "one file")
    others = "".join(f", {k} in {v}" for k, v in sorted(counts.items())
                     if k not in ("A better", "tie", "A worse"))
    print(f"\n{pooled}: asyncbench compare's verdicts in {sum(counts.values())} comparisons: "
          f"aio better in {counts.get('A better', 0)}, tie in {counts.get('tie', 0)}, aio worse "
          f"in {counts.get('A worse', 0)}{others} (the issue asks for one interleaved run in "
          "which aio is at or below on CPU and at or above on requests/s in every pairing)")

if __name__ == "__main__":
    main()
