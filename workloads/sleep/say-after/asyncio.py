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

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


async def say_after(events, delay, what):
    t = wl.Track(f"say_after {what}")  # the call's track in a trace
    t.waiting("timer")
    await asyncio.sleep(delay)
    t.running()
    events.append(what)
    t.mark(what)
    t.finish()


async def main(w, events):
    task1 = asyncio.create_task(say_after(events, w.scaled(scenario.HELLO[0]), scenario.HELLO[1]))
    task2 = asyncio.create_task(say_after(events, w.scaled(scenario.WORLD[0]), scenario.WORLD[1]))
    await task1
    await task2


def body(w):
    w.parse()
    events = []
    s = wl.Stopwatch()
    wl.run_loop(main(w, events), w.model)
    scenario.report(w, events, s.seconds(), concurrent=True)


wl.main("say-after", body)
