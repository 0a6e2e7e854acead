#!/usr/bin/python3
"""The echo verdict (issue 5): aio against libuv and Asio on server CPU per request and requests
per second, from one or more results files of interleaved echo runs, pooled per cell.

  /usr/bin/python3 scripts/echo_verdict.py results/reference/echo-verdict-a.json \
      results/reference/echo-verdict-b.json [--size 64] [--connections 16,256] \
      [--resample R [--margin PCT]]

For each connection count it prints, per model, the median over every run of every file with
the interquartile range and the CPU steal, then for aio-epoll and aio-uring against libuv and
Asio: whether aio's median is at or below (CPU) / at or above (rps) the competitor's, and the
probability of superiority P(a random aio run beats a random competitor run; ties count half),
which says how far apart the two sets of runs are (0.5: indistinguishable). Then the same pairs
round by round: an interleaved run makes every cell's runs in rounds, one pass over all the
run's cells each (about 10 s for the eight verdict cells, a few minutes in make bench's full
run), and the file records each run's round, so the ratio of two servers' runs in the same round
cancels the part of the machine's drift that is slower than a round; it prints the median ratio
and in how many rounds aio was ahead. Markdown tables, for the README. Exit 2 on a file that is
not an echo results file.

With --resample R it also estimates how likely a fresh interleaved run of R repeats is to meet
the verdict: it draws R runs with replacement from each model's pooled runs, 2,000 times (a
fixed seed, so the figures repeat), and counts how often each comparison, and all of them at
once, come out as the issue asks. It treats runs as independent draws from one machine state,
which a drifting virtual machine is not quite; read it as an estimate of how much the verdict
of one run is decided by chance.
"""
import argparse
import random
import statistics
import sys

import results_file

AIO = ["aio-epoll", "aio-uring"]
OTHERS = ["libuv", "asio"]


def fail(msg):
    print(f"echo_verdict: {msg}", file=sys.stderr)
    sys.exit(2)


def load(paths, size, connections):
    # (connections, model) -> {"cpu": [...], "rps": [...], "steal": [...], "round": [...]}, where
    # round names each run by (file, round): the pass over the cells the harness made it in, as
    # the file records it; a file written before rounds were recorded gives the k-th run round k,
    # which holds for a run made in one go (not after --resume).
    runs = {}
    for fi, path in enumerate(paths):
        for c in results_file.load(path, "echo_verdict")["results"]:
            p = c.get("params", {})
            if c.get("workload") != "echo" or c.get("status") != "ok":
                continue
            if p.get("size") != size or p.get("connections") not in connections:
                continue
            m = c["metrics"]
            r = runs.setdefault((p["connections"], c["model"]),
                                {"cpu": [], "rps": [], "steal": [], "round": []})
            n = len(m["server_cpu_us_per_req"])
            rounds = c.get("round")
            r["round"] += [(fi, k) for k in (rounds if rounds and len(rounds) == n else range(n))]
            r["cpu"] += m["server_cpu_us_per_req"]
            r["rps"] += m["rps"]
            r["steal"] += c.get("steal_s", [])
    return runs


def paired(ra, rb, key):
    """aio's figure over the competitor's, round by round (rounds both have)."""
    theirs = dict(zip(rb["round"], rb[key]))
    return [x / theirs[k] for k, x in zip(ra["round"], ra[key]) if k in theirs and theirs[k]]


def superiority(a, b, lower_is_better):
    wins = sum((x < y if lower_is_better else x > y) + 0.5 * (x == y) for x in a for y in b)
    return wins / (len(a) * len(b))


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def meets(a, b, tolerance=0.0):
    """(CPU, rps) of aio against a competitor, each a (median CPU, median rps) pair: whether aio's
    CPU is at or below the competitor's and its rate at or above it, the competitor's figure
    widened by the tolerance (a fraction)."""
    return a[0] <= b[0] * (1 + tolerance), a[1] >= b[1] * (1 - tolerance)


def resample(runs, conns, repeats, margin, trials=2000, seed=1):
    """{(connections, aio, other, measure, tolerance): share of trials in which aio's median is
    at or below (CPU) / at or above (rps) the other's, the other's median widened by the
    tolerance (0 or `margin`); (measure "all", tolerance): share in which every pairing is}."""
    rng = random.Random(seed)
    tolerances = sorted({0.0, margin})
    count = {}
    for _ in range(trials):
        med = {}
        for key, r in runs.items():
            pick = [rng.randrange(len(r["cpu"])) for _ in range(repeats)]
            med[key] = (statistics.median(r["cpu"][i] for i in pick),
                        statistics.median(r["rps"][i] for i in pick))
        for t in tolerances:
            all_ok = True
            for n in conns:
                for a in AIO:
                    for b in OTHERS:
                        cpu_ok, rps_ok = meets(med[(n, a)], med[(n, b)], t)
                        count[(n, a, b, "cpu", t)] = count.get((n, a, b, "cpu", t), 0) + cpu_ok
                        count[(n, a, b, "rps", t)] = count.get((n, a, b, "rps", t), 0) + rps_ok
                        all_ok = all_ok and cpu_ok and rps_ok
            count[("all", t)] = count.get(("all", t), 0) + all_ok
    return {k: v / trials for k, v in count.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--connections", default="16,256")
    ap.add_argument("--resample", type=int, metavar="R",
                    help="estimate the chance that a fresh run of R repeats meets the verdict")
    ap.add_argument("--margin", type=float, default=0.0, metavar="PCT",
                    help="with --resample: also the chance with this tolerance, in percent")
    args = ap.parse_args()
    if args.resample is not None and not 1 <= args.resample <= 1000:
        fail(f"--resample wants a number of repeats from 1 to 1000, not {args.resample}")
    if not 0 <= args.margin < 100:
        fail(f"--margin wants a percentage from 0 to below 100, not {args.margin}")
    if args.margin and not args.resample:
        fail("--margin is a tolerance for --resample's estimate: give --resample R too")
    try:
        conns = [int(x) for x in args.connections.split(",")]
    except ValueError:
        fail(f"--connections wants numbers separated by commas, not {args.connections!r}")
    runs = load(args.files, args.size, conns)
    met = True
    for n in conns:
        missing = [m for m in AIO + OTHERS if (n, m) not in runs]
        if missing:
            fail(f"no {args.size}-byte runs at {n} connections for {', '.join(missing)}")
        print(f"\n**{n} connections, {args.size}-byte messages**\n")
        print("| model | runs | server CPU µs/request, median [IQR] | requests/s, median [IQR] "
              "| CPU steal s per run, median |")
        print("|---|---:|---:|---:|---:|")
        for m in AIO + OTHERS:
            r = runs[(n, m)]
            c_lo, c_hi = quartiles(r["cpu"])
            q_lo, q_hi = quartiles(r["rps"])
            steal = statistics.median(r["steal"]) if r["steal"] else float("nan")
            print(f"| {m} | {len(r['cpu'])} | {statistics.median(r['cpu']):.2f} "
                  f"[{c_lo:.2f}–{c_hi:.2f}] | {statistics.median(r['rps']):,.0f} "
                  f"[{q_lo:,.0f}–{q_hi:,.0f}] | {steal:.2f} |")
        print("\n| aio vs | CPU/request at or below | P(aio run uses less CPU) "
              "| requests/s at or above | P(aio run serves more) |")
        print("|---|---|---:|---|---:|")
        for a in AIO:
            for b in OTHERS:
                ra, rb = runs[(n, a)], runs[(n, b)]
                cpu_ok, rps_ok = meets(
                    (statistics.median(ra["cpu"]), statistics.median(ra["rps"])),
                    (statistics.median(rb["cpu"]), statistics.median(rb["rps"])))
                met = met and cpu_ok and rps_ok
                print(f"| {a} vs {b} | {'yes' if cpu_ok else '**no**'} "
                      f"| {superiority(ra['cpu'], rb['cpu'], True):.2f} "
                      f"| {'yes' if rps_ok else '**no**'} "
                      f"| {superiority(ra['rps'], rb['rps'], False):.2f} |")
        print("\nPaired by round (every cell runs once per round, so the servers share the drift "
              "between rounds):\n"
              "aio's figure over the competitor's, median of the rounds, and the rounds aio wins.\n")
        print("| aio vs | CPU/request ratio | rounds with less CPU | requests/s ratio "
              "| rounds with more requests/s |")
        print("|---|---:|---:|---:|---:|")
        for a in AIO:
            for b in OTHERS:
                cpu = paired(runs[(n, a)], runs[(n, b)], "cpu")
                rps = paired(runs[(n, a)], runs[(n, b)], "rps")
                if not cpu:
                    print(f"| {a} vs {b} | – | no common rounds | – | – |")
                    continue
                print(f"| {a} vs {b} | {statistics.median(cpu):.3f} "
                      f"| {sum(x < 1 for x in cpu)} of {len(cpu)} "
                      f"| {statistics.median(rps):.3f} | {sum(x > 1 for x in rps)} of {len(rps)} |")
    pooled = f"the runs of {len(args.files)} files pooled" if len(args.files) > 1 else "one run"
    print(f"\n{pooled}: aio's medians are "
          f"{'as good or better in every comparison' if met else 'worse in a comparison marked **no**'}"
          f" (the issue asks for one interleaved run in which all are)")
    if args.resample:
        m = args.margin / 100
        shares = resample(runs, conns, args.resample, m)
        print(f"\nA fresh run of {args.resample} repeats, estimated by resampling {pooled}: "
              f"how often aio's median is at or below (CPU) / at or above (requests/s)"
              + (f", strictly and within {args.margin:g} %" if m else "") + "\n")
        head = "| connections | aio vs | CPU/request | requests/s |"
        rule = "|---:|---|---:|---:|"
        if m:
            head += f" CPU within {args.margin:g} % | requests/s within {args.margin:g} % |"
            rule += "---:|---:|"
        print(head)
        print(rule)
        for n in conns:
            for a in AIO:
                for b in OTHERS:
                    row = (f"| {n} | {a} vs {b} | {shares[(n, a, b, 'cpu', 0.0)]:.2f} "
                           f"| {shares[(n, a, b, 'rps', 0.0)]:.2f} |")
                    if m:
                        row += (f" {shares[(n, a, b, 'cpu', m)]:.2f} "
                                f"| {shares[(n, a, b, 'rps', m)]:.2f} |")
                    print(row)
        print(f"\nAll {4 * len(conns)} pairings met on both measures in the same run: "
              f"{shares[('all', 0.0)]:.2f} of the resampled runs"
              + (f"; within {args.margin:g} %: {shares[('all', m)]:.2f}" if m else "") + ".")

if __name__ == "__main__":
    main()
