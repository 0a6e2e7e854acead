"""wait-for on asyncio (py-asyncio) and uvloop (py-uvloop): the lecture's eternity() under
asyncio.wait_for."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402

import wl  # noqa: E402


async def eternity(events, delay):
    try:
        await asyncio.sleep(delay)  # 1 hour sleep
        events.append("yay!")
    except asyncio.CancelledError:
        events.append("cancelled")
        raise


async def main(events, delay, timeout):
    try:
        await asyncio.wait_for(eternity(events, delay), timeout=timeout)  # wait for at most 1 second
    except TimeoutError:
        events.append("timeout!")


def body(w):
    w.add("--eternity-s", type=wl.positive_float, default=3600.0)
    w.add("--timeout-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    if not args.timeout_s < args.eternity_s:  # bad arguments: one line on stderr, exit 2
        print(f"{sys.argv[0]}: --timeout-s must be shorter than --eternity-s", file=sys.stderr)
        sys.exit(2)
    w.params.update(eternity_s=args.eternity_s, timeout_s=args.timeout_s)
    events = []
    timeout = w.scaled(args.timeout_s)
    s = wl.Stopwatch()
    wl.run_loop(main(events, w.scaled(args.eternity_s), timeout), w.model)
    elapsed = s.seconds()
    w.elapsed(elapsed)
    w.metrics.update(order=" ".join(events), ideal_s=timeout)
    w.check(events == ["cancelled", "timeout!"], f"order was {' '.join(events)!r}")
    w.check_not_early(elapsed, timeout, "finished before the timeout could fire")
    w.check(elapsed < timeout + 1.0, "the waiter did not stop at its timeout")


wl.main("wait-for", body)
