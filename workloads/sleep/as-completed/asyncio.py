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


async def factorial(number, second):
    result = 1
    for i in range(2, number + 1):
        await asyncio.sleep(second)
        result *= i
    return number, result


async def main(second):
    arrived = []
    for future in asyncio.as_completed([factorial(4, second), factorial(3, second),
                                        factorial(5, second), factorial(2, second)]):
        number, result = await future
        arrived.append((number, result))
    return arrived


def body(w):
    w.parse()
    s = wl.Stopwatch()
    arrived = wl.run_loop(main(w.scaled(1)), w.model)
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=w.scaled(4), ideal_sequential_s=w.scaled(10),
                     ideal_concurrent_s=w.scaled(4), order=" ".join(str(n) for n, _ in arrived))
    expected = [(2, 2), (3, 6), (4, 24), (5, 120)]
    w.check(arrived == expected, f"results arrived as {arrived}, expected {expected}")
    w.check_not_early(elapsed, w.scaled(4))


wl.main("as-completed", ("py-asyncio", "py-uvloop"), body)
