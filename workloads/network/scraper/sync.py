"""scraper, sequential Python (py-sync): requests.get of one URL after the other. One request is
ever in flight, so only --limit 1 is this model's to run."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import requests  # noqa: E402,F401  imported before the clock starts

import wl  # noqa: E402

sys.path.append(os.path.join(_here, "..", "common"))  # http_client.py
sys.path.append(_here)  # this workload's scenario.py, after the standard library
import http_client  # noqa: E402
import scenario  # noqa: E402


def body(w):
    args = scenario.add_params(w)
    scenario.require_one_in_flight(w, args)
    url = http_client.url(args)
    expected = http_client.expected_body(args.bytes)
    in_flight = http_client.InFlight()
    s = wl.Stopwatch()
    pages = []
    for _ in range(args.urls):
        with in_flight:
            pages.append(http_client.fetch_sync(url, expected))
    scenario.report(w, args, pages, in_flight.max, s.seconds(), sequential_model=True)


wl.main("scraper", body)
