"""scraper on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's Semaphore-limited
scraper, a task per URL on one aiohttp.ClientSession, each fetching under `async with sem:`,
all gathered."""
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


async def scrape(session, sem, in_flight, url, expected):
    async with sem:
        with in_flight:
            return await http_client.fetch_async(session, url, expected)


async def main(url, expected, urls, limit, in_flight):
    sem = asyncio.Semaphore(limit)
    async with http_client.client_session() as session:
        return await asyncio.gather(
            *(scrape(session, sem, in_flight, url, expected) for _ in range(urls)))


def body(w):
    args = scenario.add_params(w)
    url = http_client.url(args)
    expected = http_client.expected_body(args.bytes)
    in_flight = http_client.InFlight()
    s = wl.Stopwatch()
    pages = wl.run_loop(main(url, expected, args.urls, args.limit, in_flight), w.model)
    scenario.report(w, args, pages, in_flight.max, s.seconds(), sequential_model=False)


wl.main("scraper", body)
