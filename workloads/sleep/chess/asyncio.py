"""chess on asyncio (py-asyncio) and uvloop (py-uvloop): Judit Polgár's exhibition as the
lecture tells it, a task per board. The loop's one thread is Judit: her move burns CPU (no other
board is served meanwhile); the opponent's move is an asyncio.sleep, during which the loop takes
her to the next board."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import asyncio  # noqa: E402
import time  # noqa: E402

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


async def game(moves, pair_moves, judit, opponent, n):
    t = wl.Track(f"board {n}")  # the board's track in a trace
    for _ in range(pair_moves):
        start = time.perf_counter()
        wl.burn_cpu(judit)  # Judit thinks: nothing else runs on the loop meanwhile
        end = time.perf_counter()
        t.mark("Judit moved")
        t.waiting("timer")
        await asyncio.sleep(opponent)  # the opponent thinks: Judit moves on
        t.running()
        moves.append((start, end, time.perf_counter()))
    t.finish()


async def main(boards, pair_moves, judit, opponent):
    await asyncio.gather(*(game(moves, pair_moves, judit, opponent, n)
                           for n, moves in enumerate(boards, 1)))


def body(w):
    args = scenario.add_params(w)
    boards = [[] for _ in range(args.opponents)]
    s = wl.Stopwatch()
    wl.run_loop(main(boards, args.moves, w.scaled(args.judit_s), w.scaled(args.opponent_s)), w.model)
    scenario.report(w, args, boards, s.seconds(), True)


wl.main("chess", body)
