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

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402

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
    return await asyncio.gather(*(factorial(events, second, name, number)
                                  for name, number in scenario.JOBS))


def body(w):
    w.parse()
    events = []
    s = wl.Stopwatch()
    results = wl.run_loop(main(events, w.scaled(1)), w.model)
    scenario.report(w, events, results, s.seconds(), concurrent=True)


wl.main("gather-factorial", body)
