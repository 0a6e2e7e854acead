"""say-after on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's two-task version
(task1 = create_task(say_after(1, 'hello')), task2 = create_task(say_after(2, 'world')), then
await task1, await task2)."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import wl  # noqa: E402


async def say_after(events, delay, what):
    t = wl.Track(f"say_after {what}")  # the call's track in a trace
    t.waiting("timer")
    await asyncio.sleep(delay)
    t.running()
    events.append(what)
    t.mark(what)
    t.finish()


async def main(w, events):
    task1 = asyncio.create_task(say_after(events, w.scaled(1), "hello"))
    task2 = asyncio.create_task(say_after(events, w.scaled(2), "world"))
    await task1
    await task2


def body(w):
    w.parse()
    events = []
    s = wl.Stopwatch()
    wl.run_loop(main(w, events), w.model)
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=w.scaled(2), ideal_sequential_s=w.scaled(3),
                     ideal_concurrent_s=w.scaled(2), order=" ".join(events))
    w.check(events == ["hello", "world"], f"order was {' '.join(events)!r}")
    w.check_not_early(elapsed, w.scaled(2))


wl.main("say-after", ("py-asyncio", "py-uvloop"), body)
