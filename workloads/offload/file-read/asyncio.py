"""file-read on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's read_all_async, every
file opened and read with aiofiles at once under asyncio.gather (aiofiles runs each open, read and
close on the loop's default executor, a ThreadPoolExecutor of min(32, cores + 4) threads)."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import aiofiles  # noqa: E402

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


async def read_file_async(filepath):
    async with aiofiles.open(filepath, "rb") as file:
        return await file.read()


async def read_one(files, i):
    data = await read_file_async(files.paths[i])
    return files.matches(i, data)


async def read_all_async(files):
    return await asyncio.gather(*(read_one(files, i) for i in range(len(files.paths))))


def body(w):
    args = scenario.add_params(w)
    scenario.run(w, args, lambda files: wl.run_loop(read_all_async(files), w.model))


wl.main("file-read", body)
