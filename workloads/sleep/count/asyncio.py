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


async def count(events, delay):
    events.append("One")
    await asyncio.sleep(delay)
    events.append("Two")


async def main(tasks, events, delay):
    await asyncio.gather(*(count(events, delay) for _ in range(tasks)))


def body(w):
    w.add("--tasks", type=wl.positive_int, default=3)
    w.add("--sleep-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    w.params.update(tasks=args.tasks, sleep_s=args.sleep_s)
    events = []
    unit = w.scaled(args.sleep_s)
    s = wl.Stopwatch()
    wl.run_loop(main(args.tasks, events, unit), w.model)
    w.elapsed(s.seconds())
    expected = ["One"] * args.tasks + ["Two"] * args.tasks
    w.metrics.update(order=" ".join(events), ideal_s=unit, ideal_sequential_s=unit * args.tasks,
                     ideal_concurrent_s=unit)
    w.check(events == expected, f"order was {' '.join(events)!r}, expected {' '.join(expected)!r}")
    w.check_not_early(w._elapsed, unit)


wl.main("count", ("py-asyncio", "py-uvloop"), body)
