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

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


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
    say_after(events, w.scaled(scenario.HELLO[0]), scenario.HELLO[1])
    say_after(events, w.scaled(scenario.WORLD[0]), scenario.WORLD[1])
    scenario.report(w, events, s.seconds(), concurrent=False)


wl.main("say-after", body)
