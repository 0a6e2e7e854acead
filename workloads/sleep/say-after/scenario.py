"""What say-after's Python models share (scenario.hpp's Python half): the lecture's two calls,
the expected order, the checks and the metrics."""
import wl

# (delay in lecture seconds, what is said), in the order the lecture calls them.
HELLO = (1, "hello")
WORLD = (2, "world")


def report(w, events, elapsed, concurrent):
    """The same checks and metrics as scenario.hpp's sayafter::report."""
    sequential = w.scaled(HELLO[0] + WORLD[0])
    together = w.scaled(max(HELLO[0], WORLD[0]))
    ideal = together if concurrent else sequential
    expected = [HELLO[1], WORLD[1]]  # in turn, and as tasks too: hello's delay is the shorter
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=ideal, ideal_sequential_s=sequential, ideal_concurrent_s=together,
                     order=" ".join(events))
    w.check(events == expected, f"order was {' '.join(events)!r}, expected {' '.join(expected)!r}")
    w.check_not_early(elapsed, ideal)
