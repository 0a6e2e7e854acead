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

sys.path.append(_here)  # this workload's scenario.py
import scenario  # noqa: E402


def count(events, delay, n):
    t = wl.Track(f"count {n}")  # the task's track in a trace
    events.append("One")
    t.mark("One")
    t.waiting("timer")
    time.sleep(delay)
    t.running()
    events.append("Two")
    t.mark("Two")
    t.finish()


def body(w):
    args = scenario.add_params(w)
    events = []
    unit = w.scaled(args.sleep_s)
    s = wl.Stopwatch()
    for n in range(1, args.tasks + 1):
        count(events, unit, n)
    scenario.report(w, args, events, s.seconds(), concurrent=False)


wl.main("count", body)
