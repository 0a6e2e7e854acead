"""http-fetch on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's fetch_async, a task
per page on one aiohttp.ClientSession, all gathered."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import aiohttp  # noqa: E402,F401  imported before the clock starts

import wl  # noqa: E402

sys.path.append(os.path.join(_here, "..", "common"))  # http_client.py
sys.path.append(_here)  # this workload's scenario.py, after the standard library
import http_client  # noqa: E402
import scenario  # noqa: E402


async def main(url, expected, pages):
    async with http_client.client_session() as session:
        tasks = [asyncio.create_task(http_client.fetch_async(session, url, expected))
                 for _ in range(pages)]
        return await asyncio.gather(*tasks)


def body(w):
    args = scenario.add_params(w)
    url = http_client.url(args)
    expected = http_client.expected_body(args.bytes)
    s = wl.Stopwatch()
    pages = wl.run_loop(main(url, expected, args.pages), w.model)
    scenario.report(w, args, pages, s.seconds(), concurrent=True)


wl.main("http-fetch", body)
