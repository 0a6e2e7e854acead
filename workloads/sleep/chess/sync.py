"""chess, sequential Python (py-sync): Judit plays one game at a time, never two at the same
time, until the game is complete; while the opponent thinks (time.sleep), she waits at the board."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import time  # noqa: E402

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


def game(moves, pair_moves, judit, opponent, n):
    t = wl.Track(f"board {n}")  # the board's track in a trace
    for _ in range(pair_moves):
        start = time.perf_counter()
        wl.burn_cpu(judit)  # Judit thinks
        end = time.perf_counter()
        t.mark("Judit moved")
        t.waiting("timer")
        time.sleep(opponent)  # the opponent thinks; Judit waits at the board
        t.running()
        moves.append((start, end, time.perf_counter()))
    t.finish()


def body(w):
    args = scenario.add_params(w)
    boards = [[] for _ in range(args.opponents)]
    s = wl.Stopwatch()
    for n, moves in enumerate(boards, 1):
        game(moves, args.moves, w.scaled(args.judit_s), w.scaled(args.opponent_s), n)
    scenario.report(w, args, boards, s.seconds(), False)


wl.main("chess", body)
