"""What count's Python models share (scenario.hpp's Python half): the parameters, the expected
order, the checks and the metrics."""
import wl


def add_params(w):
    w.add("--tasks", type=wl.positive_int, default=3)
    w.add("--sleep-s", type=wl.positive_float, default=1.0)
    args = w.parse()
    w.params.update(tasks=args.tasks, sleep_s=args.sleep_s)
    return args


def report(w, args, events, elapsed, concurrent):
    """The same checks and metrics as scenario.hpp's count::report."""
    unit = w.scaled(args.sleep_s)
    n = args.tasks
    expected = ["One"] * n + ["Two"] * n if concurrent else ["One", "Two"] * n
    ideal = unit if concurrent else unit * n
    w.elapsed(elapsed)
    w.metrics.update(order=" ".join(events), ideal_s=ideal, ideal_sequential_s=unit * n,
                     ideal_concurrent_s=unit)
    w.check(events == expected, f"order was {' '.join(events)!r}, expected {' '.join(expected)!r}")
    w.check_not_early(elapsed, ideal)
