"""blocking-offload, sequential Python (py-sync): the lecture's blocking_io() called in turn.
Inline only: sequential code has nowhere to offload to."""
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
from scenario import blocking_io  # noqa: E402


def body(w):
    args = scenario.add_params(w)
    if args.mode == "offload":
        w.unsupported("sequential code has nowhere to offload to")
    events = []
    s = wl.Stopwatch()
    for n in range(1, args.calls + 1):
        blocking_io(events, w.scaled(args.blocking_s), n)
    scenario.report(w, args, events, s.seconds())


wl.main("blocking-offload", body)
