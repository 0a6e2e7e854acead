"""count on asyncio (py-asyncio) and uvloop (py-uvloop): the lectures' countasync.py."""
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


async def count(events, delay, n):
    t = wl.Track(f"count {n}")  # the task's track in a trace
    events.append("One")
    t.mark("One")
    t.waiting("timer")
    await asyncio.sleep(delay)
    t.running()
    events.append("Two")
    t.mark("Two")
    t.finish()


async def main(tasks, events, delay):
    await asyncio.gather(*(count(events, delay, n) for n in range(1, tasks + 1)))


def body(w):
    args = scenario.add_params(w)
    events = []
    s = wl.Stopwatch()
    wl.run_loop(main(args.tasks, events, w.scaled(args.sleep_s)), w.model)
    scenario.report(w, args, events, s.seconds(), concurrent=True)


wl.main("count", body)
