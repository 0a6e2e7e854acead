"""blocking-offload on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's main(), inline
("WITHOUT asyncio.to_thread() - Sequential": the calls block the loop) or offloaded
(asyncio.gather of asyncio.to_thread(blocking_io))."""
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
from scenario import blocking_io  # noqa: E402


async def main(mode, calls, events, delay):
    if mode == "offload":
        t = wl.Track("main")  # in a trace: the loop waits for the pool
        t.waiting("thread pool")
        await asyncio.gather(*(asyncio.to_thread(blocking_io, events, delay, n)
                               for n in range(1, calls + 1)))
        t.finish()
    else:
        for n in range(1, calls + 1):
            blocking_io(events, delay, n)


def body(w):
    args = scenario.add_params(w)
    scenario.require_workers(w, args)
    events = []
    s = wl.Stopwatch()
    wl.run_loop(main(args.mode, args.calls, events, w.scaled(args.blocking_s)), w.model)
    scenario.report(w, args, events, s.seconds())


wl.main("blocking-offload", body)
