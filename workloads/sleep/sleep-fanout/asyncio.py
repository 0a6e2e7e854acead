"""sleep-fanout on asyncio (py-asyncio) and uvloop (py-uvloop): asyncio.gather of N sleepers."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import argparse  # noqa: E402
import asyncio  # noqa: E402

import wl  # noqa: E402


def reset_peak_rss():
    """VmHWM back to VmRSS (Linux 4.0+), so that the peak read afterwards is the fan-out's own."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def task_count(v):
    n = int(v)
    if not 1 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be in [1, 1000000], not {v}")
    return n


async def sleeper(delay):
    await asyncio.sleep(delay)
    return 1


async def main(tasks, delay, m):
    m["peak_reset"] = reset_peak_rss()
    m["baseline_kb"] = wl.rss_kb()
    s = wl.Stopwatch()
    done = await asyncio.gather(*(sleeper(delay) for _ in range(tasks)))
    m["elapsed_s"] = s.seconds()
    m["peak_kb"] = wl.peak_rss_kb()
    return sum(done)


def body(w):
    w.add("--tasks", type=task_count, default=1000)
    w.add("--sleep-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    w.params.update(tasks=args.tasks, sleep_s=args.sleep_s)
    unit = w.scaled(args.sleep_s)
    m = {}
    completed = wl.run_loop(main(args.tasks, unit, m), w.model)
    w.elapsed(m["elapsed_s"])
    w.metrics.update(ideal_s=unit, overhead_s=m["elapsed_s"] - unit,
                     rss_per_task_b=(m["peak_kb"] - m["baseline_kb"]) * 1024 / args.tasks,
                     peak_rss_kb=m["peak_kb"], baseline_rss_kb=m["baseline_kb"],
                     peak_reset=m["peak_reset"], tasks=args.tasks, completed=completed)
    w.check(completed == args.tasks, f"{completed} of {args.tasks} sleepers completed")
    # uvloop's timers are libuv's, counted on its cached millisecond clock: up to 1 ms early.
    w.check_not_early(m["elapsed_s"], unit)


wl.main("sleep-fanout", body)
