"""What cpu-offload's Python models share (scenario.hpp's Python half): the parameters, the work
(the same LCG as scenario.hpp's), its closed form, the checks and the metrics."""
import os
import time

import wl

A, C, MASK = 6364136223846793005, 1442695040888963407, 0xFFFFFFFFFFFFFFFF


def add_params(w):
    w.add("--chunks", type=wl.positive_int, default=4)
    w.add("--iterations", type=wl.positive_int, default=1_500_000)  # full profile: ~0.2 s per chunk
    w.add("--mode", choices=("inline", "threads", "processes"), default="inline")
    args = w.parse()
    w.params.update(chunks=args.chunks, iterations=args.iterations, mode=args.mode)
    return args


def require_mode(w, args, *modes):
    """A model that lacks the requested mode stops here, before any work."""
    if args.mode not in modes:
        w.unsupported(f"{w.model} offers mode {', '.join(modes)}, not {args.mode}")


def run_chunk(i, iterations):
    """The work, timed where it runs: (checksum, wall seconds, CPU seconds of its thread)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    x = i
    for _ in range(iterations):
        x = (x * A + C) & MASK
    return x, time.perf_counter() - t0, time.thread_time() - c0


def expected_checksum(i, iterations):
    """The same result without the loop: the LCG's n-th power, by squaring."""
    ra, rc, ba, bc = 1, 0, A, C
    while iterations:
        if iterations & 1:
            ra, rc = ba * ra & MASK, (ba * rc + bc) & MASK
        ba, bc = ba * ba & MASK, (ba * bc + bc) & MASK
        iterations >>= 1
    return (ra * i + rc) & MASK


def report(w, args, results, elapsed):
    """The same checks and metrics as scenario.hpp's cpu_offload::report."""
    w.elapsed(elapsed)
    cores = os.cpu_count() or 1
    n = max(1, len(results))
    cpu = sum(r[2] for r in results)
    w.metrics.update(chunk_s=sum(r[1] for r in results) / n, chunk_cpu_s=cpu / n, cores=cores)
    wrong = [str(i) for i, r in enumerate(results) if r[0] != expected_checksum(i, args.iterations)]
    w.check(len(results) == args.chunks, "not every chunk reported")
    w.check(not wrong, "wrong checksum from chunk " + ", ".join(wrong))
    # No run can beat perfect parallelism: the CPU time spent over the cores bounds it from below.
    w.check(elapsed >= 0.95 * cpu / cores, "finished faster than the cores could do the work")
