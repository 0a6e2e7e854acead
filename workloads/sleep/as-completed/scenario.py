"""What as-completed's Python models share (scenario.hpp's Python half): the lecture's four
factorials, the order their results arrive in, the checks and the metrics."""
import math

import wl

# The numbers, in the order the lecture asks for their factorials.
INPUTS = [4, 3, 5, 2]


def expected(concurrent):
    """In turn: in the order asked. As completed: the one with the fewest sleeps first."""
    order = sorted(INPUTS) if concurrent else INPUTS
    return [(n, math.factorial(n)) for n in order]


def report(w, arrived, elapsed, concurrent):
    """The same checks and metrics as scenario.hpp's as_completed::report."""
    sequential = w.scaled(sum(n - 1 for n in INPUTS))
    together = w.scaled(max(n - 1 for n in INPUTS))
    ideal = together if concurrent else sequential
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=ideal, ideal_sequential_s=sequential, ideal_concurrent_s=together,
                     order=" ".join(str(n) for n, _ in arrived))
    want = expected(concurrent)
    w.check(arrived == want, f"results arrived as {arrived}, expected {want}")
    w.check_not_early(elapsed, ideal)
