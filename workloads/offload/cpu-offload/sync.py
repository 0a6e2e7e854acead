"""cpu-offload, sequential Python (py-sync): every chunk in turn (mode inline only)."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402
from scenario import run_chunk  # noqa: E402


def body(w):
    args = scenario.add_params(w)
    scenario.require_mode(w, args, "inline")
    s = wl.Stopwatch()
    results = [run_chunk(i, args.iterations) for i in range(args.chunks)]
    scenario.report(w, args, results, s.seconds())


wl.main("cpu-offload", body)
