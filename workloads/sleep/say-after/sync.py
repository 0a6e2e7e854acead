"""say-after, sequential Python (py-sync): say_after(1, 'hello') then say_after(2, 'world'), with
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


def say_after(events, delay, what):
    t = wl.Track(f"say_after {what}")  # the call's track in a trace
    t.waiting("timer")
    time.sleep(delay)
    t.running()
    events.append(what)
    t.mark(what)
    t.finish()


def body(w):
    w.parse()
    events = []
    s = wl.Stopwatch()
    say_after(events, w.scaled(1), "hello")
    say_after(events, w.scaled(2), "world")
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=w.scaled(3), ideal_sequential_s=w.scaled(3),
                     ideal_concurrent_s=w.scaled(2), order=" ".join(events))
    w.check(events == ["hello", "world"], f"order was {' '.join(events)!r}")
    w.check(elapsed >= w.scaled(3) * 0.99, "finished before the sleeps could")


wl.main("say-after", ("py-sync",), body)
