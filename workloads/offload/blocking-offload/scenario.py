"""What blocking-offload's Python models share (scenario.hpp's Python half): the parameters,
the lecture's blocking_io(), the checks, and the metrics."""
import os
import time

import wl


def add_params(w):
    w.add("--mode", choices=("inline", "offload"), default="inline")
    w.add("--calls", type=wl.positive_int, default=3)
    w.add("--blocking-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    w.params.update(mode=args.mode, calls=args.calls, blocking_s=args.blocking_s)
    return args


def blocking_io(events, delay, n):
    """Call `n`; traced, a track of its own on the thread that makes it, running while it
    blocks."""
    t = wl.Track(f"blocking_io {n}")
    events.append("start")
    t.mark("start")
    time.sleep(delay)  # stands for any blocking call
    events.append("finish")
    t.mark("finish")
    t.finish()


def require_workers(w, args):
    """asyncio.to_thread runs on the loop's default ThreadPoolExecutor, min(32, cores + 4)
    workers: more calls than that would queue."""
    if args.mode != "offload":
        return
    workers = min(32, (os.cpu_count() or 1) + 4)
    w.params.update(workers=workers)
    if args.calls > workers:
        w.unsupported("more calls than pool workers: the rest would wait their turn")


def report(w, args, events, elapsed):
    """The same checks and metrics as scenario.hpp's blocking_offload::report."""
    unit = w.scaled(args.blocking_s)
    offload = args.mode == "offload"
    ideal = unit if offload else unit * args.calls
    expected = ["start"] * args.calls + ["finish"] * args.calls if offload else ["start", "finish"] * args.calls
    w.elapsed(elapsed)
    w.metrics.update(mode=args.mode, order=" ".join(events), ideal_s=ideal)
    w.check(events == expected, f"order was {' '.join(events)!r}, expected {' '.join(expected)!r}")
    w.check(elapsed >= ideal * 0.99, "finished before the blocking calls could")
    if offload and args.calls > 1:
        # The order (every start before any finish) already shows that the calls overlapped;
        # the time must show it too, with room for thread start-up at small time scales.
        w.check(elapsed < unit * args.calls, "the offloaded calls took as long as running them in turn")
