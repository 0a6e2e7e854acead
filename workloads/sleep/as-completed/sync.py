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
    arrived = [factorial(n, second) for n in (4, 3, 5, 2)]
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=w.scaled(10), ideal_sequential_s=w.scaled(10),
                     ideal_concurrent_s=w.scaled(4), order=" ".join(str(n) for n, _ in arrived))
    expected = [(4, 24), (3, 6), (5, 120), (2, 2)]
    w.check(arrived == expected, f"results arrived as {arrived}, expected {expected}")
    w.check(elapsed >= w.scaled(10) * 0.99, "finished before the sleeps could")


wl.main("as-completed", ("py-sync",), body)
