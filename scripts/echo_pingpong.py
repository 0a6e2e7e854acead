#!/usr/bin/python3
"""Ping-pong over loopback against several echo servers, interleaved, repeated.

A first measurement for aio's networking (the full echo workload belongs to the harness). Each
server runs pinned to CPU 0 and the client (build/bin/aio_echo_client, the same for every server)
to CPU 1; servers take turns in a rotating order within each round, so that drift on a shared
machine spreads over all of them. Reports, per server and connection count, the median and range
of requests/s and of the server's CPU time per request (utime+stime from /proc over the client's
whole run, divided by all requests it made), and the CPU steal seen.

  /usr/bin/python3 scripts/echo_pingpong.py --bin build/bin --repeats 5 --out /tmp/pingpong.json
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def steal_ticks():
    with open("/proc/stat") as f:
        return int(f.readline().split()[8])


def start(cmd):
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("listening "):
        p.kill()
        sys.exit(f"{cmd[0]} did not start: {line!r}")
    return p, int(line.rsplit(":", 1)[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--connections", default="1,16,256")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=None)
    ap.add_argument("--servers", default="aio-epoll,aio-uring,libuv,asio",
                    help="models whose echo server to drive (any of asyncbench serve echo's)")
    a = ap.parse_args()
    # Each server as `asyncbench serve echo` starts it (workloads/network/echo/).
    servers = {m: [f"{a.bin}/asyncbench", "serve", "echo", "--model", m, "--port", "0"]
               for m in a.servers.split(",")}
    conns = [int(c) for c in a.connections.split(",")]
    hz = os.sysconf("SC_CLK_TCK")
    runs = {(s, c): [] for s in servers for c in conns}
    steal_total = 0
    names = list(servers)
    for r in range(a.repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            proc, port = start(servers[name])
            try:
                for c in conns:
                    cpu0, st0 = cpu_ticks(proc.pid), steal_ticks()
                    out = subprocess.run(
                        ["taskset", "-c", "1", f"{a.bin}/aio_echo_client", "--port", str(port),
                         "--connections", str(c), "--size", str(a.size), "--seconds", str(a.seconds),
                         "--warmup", str(a.warmup)], capture_output=True, text=True, check=True).stdout
                    cpu1, st1 = cpu_ticks(proc.pid), steal_ticks()
                    kv = dict(x.split("=") for x in out.split())
                    if int(kv["errors"]):
                        sys.exit(f"{name}: {kv['errors']} wrong echoes")
                    steal_total += st1 - st0
                    runs[(name, c)].append({
                        "rps": float(kv["rps"]),
                        "cpu_us_per_req": (cpu1 - cpu0) / hz * 1e6 / int(kv["total"]),
                        "steal_s": (st1 - st0) / hz,
                    })
                    print(f"round {r + 1} {name:9} c={c:<4} rps={float(kv['rps']):>9.0f} "
                          f"cpu/req={runs[(name, c)][-1]['cpu_us_per_req']:.2f}us", file=sys.stderr)
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=10)
    print(f"\n{a.size}-byte ping-pong, {a.repeats} interleaved rounds of {a.seconds:g} s "
          f"(+{a.warmup:g} s warm-up); server on CPU 0, client on CPU 1; "
          f"CPU steal during the runs: {steal_total / hz:.1f} s\n")
    print("| server | connections | requests/s median [min–max] | server CPU µs/request median [min–max] |")
    print("|---|---|---|---|")
    for c in conns:
        for s in servers:
            rs = [x["rps"] for x in runs[(s, c)]]
            cs = [x["cpu_us_per_req"] for x in runs[(s, c)]]
            print(f"| {s} | {c} | {statistics.median(rs):,.0f} [{min(rs):,.0f}–{max(rs):,.0f}] | "
                  f"{statistics.median(cs):.2f} [{min(cs):.2f}–{max(cs):.2f}] |")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({f"{s}/connections:{c}": v for (s, c), v in runs.items()}, f, indent=1)


if __name__ == "__main__":
    main()
