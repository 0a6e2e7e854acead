"""spawn on asyncio (py-asyncio) and uvloop (py-uvloop): asyncio.create_task of every task, then
await each in turn."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import wl  # noqa: E402


def value(i):
    return i * 3 + 1  # as scenario.hpp's spawn::value


async def task(i):
    return value(i)


async def main(tasks):
    handles = [asyncio.create_task(task(i)) for i in range(tasks)]
    total = completed = 0
    for h in handles:
        total += await h
        completed += 1
    return total, completed


def body(w):
    w.add("--tasks", type=wl.positive_int, default=10000)
    args = w.parse()
    w.params.update(tasks=args.tasks)
    s = wl.Stopwatch()
    total, completed = wl.run_loop(main(args.tasks), w.model)
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(ns_per_task=elapsed * 1e9 / args.tasks, tasks=args.tasks, completed=completed)
    w.check(completed == args.tasks, f"{completed} of {args.tasks} tasks completed")
    want = sum(value(i) for i in range(args.tasks))
    w.check(total == want, f"the tasks' results add up to {total}, not {want}")


wl.main("spawn", body)
