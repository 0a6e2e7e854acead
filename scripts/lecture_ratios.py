#!/usr/bin/python3
"""The lectures' sync-vs-async ratios, read off a results file.

The lectures' headline figures are ratios: countsync.py takes 3.01 s and countasync.py 1.01 s;
the chess exhibition takes 12 h sequentially and 1 h concurrently; three blocking calls take 3 s
inline and 1 s with to_thread; gather's factorials take 6 s in turn and 3 s together. This prints
each ratio as measured (median elapsed of the sequential cell over the concurrent one) against
the lecture's, and whether it is within the tolerance; and whether Python's asyncio and aio agree
on the concurrent time. The ratios are python/asyncbench/lectures.py's (`asyncbench report`
shows the same).

  /usr/bin/python3 scripts/lecture_ratios.py results/latest.json [--tolerance 10] [--strict]

Exit 0, or with --strict 1 when a ratio is off by more than the tolerance; 2 (one line on
stderr) when the file cannot be read as a results file.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench import lectures  # noqa: E402
from asyncbench.cli import ArgumentParser, fail  # noqa: E402

PROG = "lecture_ratios"


def main():
    ap = ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--tolerance", type=float, default=10, help="percent")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a ratio is off")
    a = ap.parse_args()
    try:
        res = asyncbench.load(a.results)
    except asyncbench.Error as e:
        fail(PROG, str(e))
    off = 0
    print(f"Lecture ratios in {a.results} ({res.profile} profile, {res.created}):\n")
    print("| ratio | lecture | measured | within ±%g %% |" % a.tolerance)
    print("|---|---|---|---|")
    for r in lectures.ratios(res, a.tolerance):
        if r["measured"] is None:
            print(f"| {r['label']} | {r['lecture']:g} | (not in this file) | |")
            continue
        off += not r["within"]
        print(f"| {r['label']} | {r['lecture']:g} | {r['measured']:.2f} | "
              f"{'yes' if r['within'] else 'NO'} |")
    print("\nThe concurrent ideal, and how far aio and asyncio are above it:\n")
    print("| workload | ideal s | aio-epoll median s | py-asyncio median s | aio above ideal | asyncio above ideal |")
    print("|---|---|---|---|---|---|")
    for r in lectures.ideals(res):
        print(f"| {r['workload']} | {r['ideal']:.4f} | {r['aio']:.4f} | {r['asyncio']:.4f} | "
              f"{r['aio_above_pct']:+.1f} % | {r['asyncio_above_pct']:+.1f} % |")
    sys.exit(1 if a.strict and off else 0)


if __name__ == "__main__":
    main()
