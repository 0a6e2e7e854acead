"""What chess's Python models share (scenario.hpp's Python half): the parameters, the ideals,
the checks on the record of the moves, and the metrics.

A board's record is a list of (judit_start, judit_end, reply_end) per pair-move, perf_counter
seconds: when Judit sat down at the board, when she had moved, and when the opponent replied."""
import wl


def add_params(w):
    w.add("--opponents", type=wl.positive_int, default=24)
    w.add("--moves", type=wl.positive_int, default=30)
    w.add("--judit-s", type=wl.positive_float, default=5.0)
    w.add("--opponent-s", type=wl.positive_float, default=55.0)
    args = w.parse()
    w.params.update(opponents=args.opponents, moves=args.moves, judit_s=args.judit_s,
                    opponent_s=args.opponent_s)
    return args


def report(w, args, boards, elapsed, concurrent):
    """The same checks and metrics as scenario.hpp's chess::report. `concurrent`: Judit moved
    from board to board (the ideal is the concurrent one)."""
    n, m, judit, opponent = args.opponents, args.moves, w.scaled(args.judit_s), w.scaled(args.opponent_s)
    sequential_s = n * m * (judit + opponent)
    concurrent_s = max(n * m * judit + opponent, (n - 1) * judit + m * (judit + opponent))
    ideal = concurrent_s if concurrent else sequential_s
    w.elapsed(elapsed)
    moves = [mv for board in boards for mv in board]
    busy = sum(end - start for start, end, _ in moves)
    w.metrics.update(ideal_s=ideal, ideal_sequential_s=sequential_s, ideal_concurrent_s=concurrent_s,
                     moves_played=len(moves), judit_busy_s=busy, judit_busy_ideal_s=n * m * judit)
    w.check(len(moves) == n * m and all(len(b) == m for b in boards),
            f"{len(moves)} pair-moves played of {n * m}")
    w.check(all(end - start >= judit * 0.99 for start, end, _ in moves), "some of Judit's moves were too quick")
    # A millisecond of slack: uvloop counts time in whole milliseconds.
    # uvloop's timers are libuv's: whole milliseconds (uvloop rounds the delay) on a truncated clock.
    w.check(all(reply - end >= opponent * 0.99 - w.clock_resolution_s for _, end, reply in moves),
            "some replies came too quickly")
    w.check(all(b[i][0] >= b[i - 1][2] for b in boards for i in range(1, len(b))),
            "a move was made before the opponent replied")
    thinking = sorted((start, end) for start, end, _ in moves)
    w.check(all(thinking[i][0] >= thinking[i - 1][1] for i in range(1, len(thinking))),
            "Judit thought about two boards at once")
    w.check(busy >= n * m * judit * 0.99, f"Judit thought for {busy} s in all, expected {n * m * judit}")
    w.check_not_early(elapsed, ideal, "finished before the exhibition could")
