"""cpu-offload on asyncio (py-asyncio) and uvloop (py-uvloop): the lectures' CPU-bound vs I/O-bound
point. A coroutine per chunk, gathered: mode inline computes in the coroutine, on the loop;
mode threads hands each chunk to loop.run_in_executor with a ThreadPoolExecutor (the GIL lets one
thread compute at a time); mode processes, with a ProcessPoolExecutor (one process per core)."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor  # noqa: E402

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402
from scenario import run_chunk  # noqa: E402


async def chunk(pool, i, iterations):
    if pool is None:
        return run_chunk(i, iterations)  # on the loop: nothing else runs meanwhile
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, run_chunk, i, iterations)


async def main(mode, chunks, iterations):
    if mode == "inline":
        return await asyncio.gather(*(chunk(None, i, iterations) for i in range(chunks)))
    executor = ThreadPoolExecutor if mode == "threads" else ProcessPoolExecutor
    with executor() as pool:
        return await asyncio.gather(*(chunk(pool, i, iterations) for i in range(chunks)))


def body(w):
    args = scenario.add_params(w)
    s = wl.Stopwatch()
    results = wl.run_loop(main(args.mode, args.chunks, args.iterations), w.model)
    scenario.report(w, args, results, s.seconds())


if __name__ == "__main__":  # multiprocessing's rule: its workers may import this module
    wl.main("cpu-offload", body)
