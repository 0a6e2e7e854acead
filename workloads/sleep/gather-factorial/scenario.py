"""What gather-factorial's Python models share (scenario.hpp's Python half): the lecture's three
factorials, the order their lines come in, the checks and the metrics."""
import math

# (task name, number), as the lecture gathers them.
JOBS = [("A", 2), ("B", 3), ("C", 4)]
RESULTS = [math.factorial(number) for _, number in JOBS]


def _steps(name, number):
    return ([f"Task {name}: Compute factorial({i})..." for i in range(2, number + 1)] +
            [f"Task {name}: factorial({number}) = {math.factorial(number)}"])


def expected(concurrent):
    """In turn: each task's lines together. Gathered: after each sleep the tasks resume in the
    order they went to sleep, so the k-th line of every task comes before any (k+1)-th."""
    lines = [_steps(name, number) for name, number in JOBS]
    if not concurrent:
        return [line for task in lines for line in task]
    out = []
    for k in range(max(len(t) for t in lines)):
        out += [t[k] for t in lines if k < len(t)]
    return out


def report(w, events, results, elapsed, concurrent):
    """The same checks and metrics as scenario.hpp's gather_factorial::report."""
    sequential = w.scaled(sum(number - 1 for _, number in JOBS))
    together = w.scaled(max(number - 1 for _, number in JOBS))
    ideal = together if concurrent else sequential
    shown = " ".join(map(str, results))
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=ideal, ideal_sequential_s=sequential, ideal_concurrent_s=together,
                     results=shown)
    w.check(results == RESULTS, f"results were {shown!r}, expected {' '.join(map(str, RESULTS))!r}")
    want = expected(concurrent)
    w.check(events == want, f"order was {' | '.join(events)!r}, expected {' | '.join(want)!r}")
    w.check_not_early(elapsed, ideal)
