"""loop-lag on asyncio (py-asyncio) and uvloop (py-uvloop): a ticker task keeps a fixed schedule
while the lectures' blocking_io() runs inline (on the loop) or through asyncio.to_thread."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import wl  # noqa: E402


def blocking_io(seconds):
    time.sleep(seconds)


class Ticker:
    """Ticks every `period` seconds on a fixed schedule (tick k due at start + k × period),
    recording (due, actual) by time.monotonic (uvloop's loop.time() is a cached millisecond
    clock), until it has ticked at or after `end`, which is set once the blocking call is over."""

    def __init__(self, start, period):
        self.start, self.period, self.end, self.ticks = start, period, math.inf, []

    async def run(self):
        k = 1
        while True:
            due = self.start + k * self.period
            await asyncio.sleep(due - time.monotonic())
            self.ticks.append((due, time.monotonic()))
            if due >= self.end:
                return
            k += 1


async def main(offload, block, period, r):
    ticker = Ticker(time.monotonic(), period)
    tick_task = asyncio.create_task(ticker.run())
    await asyncio.sleep(0)  # the ticker starts and waits for its first tick
    r["t0"] = time.monotonic()
    if offload:
        await asyncio.to_thread(blocking_io, block)
    else:
        blocking_io(block)
    r["t1"] = ticker.end = time.monotonic()
    await tick_task
    return ticker


def body(w):
    w.add("--mode", choices=("inline", "offload"), default="offload")
    w.add("--block-s", type=wl.positive_float, default=1.0)
    w.add("--tick-ms", type=wl.positive_float, default=10.0)
    args = w.parse()
    w.params.update(mode=args.mode, block_s=args.block_s, tick_ms=args.tick_ms)
    block = w.scaled(args.block_s)
    period = args.tick_ms / 1e3
    r = {}
    ticker = wl.run_loop(main(args.mode == "offload", block, period, r), w.model)
    t0, t1 = r["t0"], r["t1"]

    on_schedule = all(due == ticker.start + (i + 1) * period for i, (due, _) in enumerate(ticker.ticks))
    lags = sorted((at - due) * 1e3 for due, at in ticker.ticks if t0 <= due < t1)
    n = len(lags)
    worst = lags[-1] if n else 0.0
    due_count = max(0, math.ceil((t1 - ticker.start) / period) - max(1, math.ceil((t0 - ticker.start) / period)))
    w.elapsed(t1 - t0)
    w.metrics.update(ideal_s=block, worst_lag_ms=worst,
                     p99_lag_ms=lags[math.ceil(0.99 * n) - 1] if n else 0.0,
                     mean_lag_ms=sum(lags) / n if n else 0.0, min_lag_ms=lags[0] if n else 0.0,
                     ticks=n)
    w.check(on_schedule, "the ticker left its fixed schedule")
    w.check(n == due_count, f"{n} ticks recorded of the {due_count} due during the call")
    w.check(n >= 1, "no tick was due during the call")
    w.check(t1 - t0 >= block * 0.99, "the blocking call returned early")
    if args.mode == "inline":
        w.check(worst >= 0.8 * block * 1e3,
                f"an inline call did not hold the ticker back (worst lag {worst:.3f} ms)")
    else:
        w.check(worst < 0.5 * block * 1e3, f"the ticker was held back (worst lag {worst:.3f} ms)")


wl.main("loop-lag", body)
