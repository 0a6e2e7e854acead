"""gather-factorial, sequential Python (py-sync): factorial A(2), then B(3), then C(4), with
time.sleep."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import time  # noqa: E402

import wl  # noqa: E402

EXPECTED = [
    "Task A: Compute factorial(2)...",
    "Task A: factorial(2) = 2",
    "Task B: Compute factorial(2)...",
    "Task B: Compute factorial(3)...",
    "Task B: factorial(3) = 6",
    "Task C: Compute factorial(2)...",
    "Task C: Compute factorial(3)...",
    "Task C: Compute factorial(4)...",
    "Task C: factorial(4) = 24",
]


def factorial(events, second, name, number):
    t = wl.Track(f"factorial {name}")  # the call's track in a trace
    f = 1
    for i in range(2, number + 1):
        events.append(f"Task {name}: Compute factorial({i})...")
        t.mark(events[-1])
        t.waiting("timer")
        time.sleep(second)
        t.running()
        f *= i
    events.append(f"Task {name}: factorial({number}) = {f}")
    t.mark(events[-1])
    t.finish()
    return f


def body(w):
    w.parse()
    events = []
    second = w.scaled(1)
    s = wl.Stopwatch()
    results = [factorial(events, second, "A", 2),
               factorial(events, second, "B", 3),
               factorial(events, second, "C", 4)]
    elapsed = s.seconds()
    w.elapsed(elapsed)
    shown = " ".join(map(str, results))
    w.metrics.update(ideal_s=w.scaled(6), ideal_sequential_s=w.scaled(6),
                     ideal_concurrent_s=w.scaled(3), results=shown)
    w.check(results == [2, 6, 24], f"results were {shown!r}, expected '2 6 24'")
    w.check(events == EXPECTED, f"order was {' | '.join(events)!r}")
    w.check(elapsed >= w.scaled(6) * 0.99, "finished before the sleeps could")


wl.main("gather-factorial", ("py-sync",), body)
