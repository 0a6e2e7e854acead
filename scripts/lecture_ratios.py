#!/usr/bin/python3
"""The lectures' sync-vs-async ratios, read off a results file.

The lectures' headline figures are ratios: countsync.py takes 3.01 s and countasync.py 1.01 s;
the chess exhibition takes 12 h sequentially and 1 h concurrently; three blocking calls take 3 s
inline and 1 s with to_thread; gather's factorials take 6 s in turn and 3 s together. This prints
each ratio as measured (median elapsed of the sequential cell over the concurrent one) against
the lecture's, and whether it is within the tolerance; and whether Python's asyncio and aio agree
on the concurrent time.

  /usr/bin/python3 scripts/lecture_ratios.py results/latest.json [--tolerance 10] [--strict]

Exit 0, or with --strict 1 when a ratio is off by more than the tolerance; 2 (one line on
stderr) when the file cannot be read as a results file.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "python"))
import asyncbench  # noqa: E402  (found through the path set just above)
from asyncbench.cli import ArgumentParser, fail  # noqa: E402

PROG = "lecture_ratios"

# (label, workload, sequential model, sequential params, concurrent model, concurrent params, ratio)
RATIOS = [
    ("count: sync / aio", "count", "sync", {}, "aio-epoll", {}, 3.0),
    ("count: py-sync / py-asyncio", "count", "py-sync", {}, "py-asyncio", {}, 3.0),
    ("chess: sync / aio", "chess", "sync", {}, "aio-epoll", {}, 12.0),
    ("chess: py-sync / py-asyncio", "chess", "py-sync", {}, "py-asyncio", {}, 12.0),
    ("blocking-offload: inline / to_thread (aio)", "blocking-offload", "aio-epoll", {"mode": "inline"},
     "aio-epoll", {"mode": "offload"}, 3.0),
    ("blocking-offload: inline / to_thread (asyncio)", "blocking-offload", "py-asyncio",
     {"mode": "inline"}, "py-asyncio", {"mode": "offload"}, 3.0),
    ("gather-factorial: sync / aio", "gather-factorial", "sync", {}, "aio-epoll", {}, 2.0),
    ("say-after: sync / aio", "say-after", "sync", {}, "aio-epoll", {}, 1.5),
    ("as-completed: sync / aio", "as-completed", "sync", {}, "aio-epoll", {}, 2.5),
]
AGREE = ["count", "say-after", "gather-factorial", "as-completed", "wait-for", "chess"]


def find(res, workload, model, params, what="elapsed_s"):
    """The median of `what` over the runs of the ok cell of this workload, model and params."""
    for c in res.of(workload, ok=True):
        if c["model"] == model and all(asyncbench.param(c, k) == v for k, v in params.items()):
            s = asyncbench.spread(c, what) if what else None
            return s.median if s else None
    return None


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
    for label, w, m1, p1, m2, p2, want in RATIOS:
        s, c = find(res, w, m1, p1), find(res, w, m2, p2)
        if s is None or c is None:
            print(f"| {label} | {want:g} | (not in this file) | |")
            continue
        r = s / c
        ok = abs(r - want) / want * 100 <= a.tolerance
        off += not ok
        print(f"| {label} | {want:g} | {r:.2f} | {'yes' if ok else 'NO'} |")
    print("\nThe concurrent ideal, and how far aio and asyncio are above it:\n")
    print("| workload | ideal s | aio-epoll median s | py-asyncio median s | aio above ideal | asyncio above ideal |")
    print("|---|---|---|---|---|---|")
    for w in AGREE:
        x, y = find(res, w, "aio-epoll", {}), find(res, w, "py-asyncio", {})
        # The ideal the workload declares for elapsed_s (ideal_s: the model's own ideal).
        ideal = find(res, w, "aio-epoll", {}, res.ideal_for(w, "elapsed_s"))
        if x is None or y is None or not ideal:
            continue
        print(f"| {w} | {ideal:.4f} | {x:.4f} | {y:.4f} | {(x - ideal) / ideal * 100:+.1f} % | "
              f"{(y - ideal) / ideal * 100:+.1f} % |")
    sys.exit(1 if a.strict and off else 0)


if __name__ == "__main__":
    main()
