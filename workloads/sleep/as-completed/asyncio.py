"""as-completed on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's
asyncio.as_completed([factorial(4), factorial(3), factorial(5), factorial(2)])."""
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


async def factorial(number, second):
    result = 1
    for i in range(2, number + 1):
        await asyncio.sleep(second)
        result *= i
    return number, result


async def main(second):
    arrived = []
    for future in asyncio.as_completed([factorial(n, second) for n in scenario.INPUTS]):
        number, result = await future
        arrived.append((number, result))
    return arrived


def body(w):
    w.parse()
    s = wl.Stopwatch()
    arrived = wl.run_loop(main(w.scaled(1)), w.model)
    scenario.report(w, arrived, s.seconds(), concurrent=True)


wl.main("as-completed", body)
