"""count, sequential Python (py-sync): the lectures' countsync.py with time.sleep."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import time  # noqa: E402

import wl  # noqa: E402


def count(events, delay):
    events.append("One")
    time.sleep(delay)
    events.append("Two")


def body(w):
    w.add("--tasks", type=wl.positive_int, default=3)
    w.add("--sleep-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    w.params.update(tasks=args.tasks, sleep_s=args.sleep_s)
    events = []
    unit = w.scaled(args.sleep_s)
    s = wl.Stopwatch()
    for _ in range(args.tasks):
        count(events, unit)
    w.elapsed(s.seconds())
    w.metrics.update(order=" ".join(events), ideal_s=unit * args.tasks,
                     ideal_sequential_s=unit * args.tasks, ideal_concurrent_s=unit)
    w.check(events == ["One", "Two"] * args.tasks, f"order was {' '.join(events)!r}")


wl.main("count", ("py-sync",), body)
