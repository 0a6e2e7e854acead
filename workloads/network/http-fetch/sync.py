"""http-fetch, sequential Python (py-sync): the lecture's fetch_sync, requests.get of one page
after the other."""
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
    url = http_client.url(args)
    expected = http_client.expected_body(args.bytes)
    s = wl.Stopwatch()
    pages = [http_client.fetch_sync(url, expected) for _ in range(args.pages)]
    scenario.report(w, args, pages, s.seconds(), concurrent=False)


wl.main("http-fetch", body)
