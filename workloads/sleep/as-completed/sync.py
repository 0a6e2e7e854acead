"""as-completed, sequential Python (py-sync): factorial(4), factorial(3), factorial(5),
factorial(2) in turn with time.sleep; the results come in the order asked."""
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


def factorial(number, second):
    result = 1
    for i in range(2, number + 1):
        time.sleep(second)
        result *= i
    return number, result


def body(w):
    w.parse()
    second = w.scaled(1)
    s = wl.Stopwatch()
    arrived = [factorial(n, second) for n in scenario.INPUTS]
    scenario.report(w, arrived, s.seconds(), concurrent=False)


wl.main("as-completed", body)
