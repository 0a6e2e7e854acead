"""gather-factorial on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's
asyncio.gather(factorial('A', 2), factorial('B', 3), factorial('C', 4))."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import wl  # noqa: E402

# After each sleep the tasks resume in the order they went to sleep.
EXPECTED = [
    "Task A: Compute factorial(2)...",
    "Task B: Compute factorial(2)...",
    "Task C: Compute factorial(2)...",
    "Task A: factorial(2) = 2",
    "Task B: Compute factorial(3)...",
    "Task C: Compute factorial(3)...",
    "Task B: factorial(3) = 6",
    "Task C: Compute factorial(4)...",
    "Task C: factorial(4) = 24",
]


async def factorial(events, second, name, number):
    t = wl.Track(f"factorial {name}")  # the call's track in a trace
    f = 1
    for i in range(2, number + 1):
        events.append(f"Task {name}: Compute factorial({i})...")
        t.mark(events[-1])
        t.waiting("timer")
        await asyncio.sleep(second)
        t.running()
        f *= i
    events.append(f"Task {name}: factorial({number}) = {f}")
    t.mark(events[-1])
    t.finish()
    return f


async def main(events, second):
    return await asyncio.gather(
        factorial(events, second, "A", 2),
        factorial(events, second, "B", 3),
        factorial(events, second, "C", 4),
    )


def body(w):
    w.parse()
    events = []
    s = wl.Stopwatch()
    results = wl.run_loop(main(events, w.scaled(1)), w.model)
    elapsed = s.seconds()
    w.elapsed(elapsed)
    shown = " ".join(map(str, results))
    w.metrics.update(ideal_s=w.scaled(3), ideal_sequential_s=w.scaled(6),
                     ideal_concurrent_s=w.scaled(3), results=shown)
    w.check(results == [2, 6, 24], f"results were {shown!r}, expected '2 6 24'")
    w.check(events == EXPECTED, f"order was {' | '.join(events)!r}")
    w.check_not_early(elapsed, w.scaled(3))


wl.main("gather-factorial", ("py-asyncio", "py-uvloop"), body)
