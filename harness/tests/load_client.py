"""The load client (`asyncbench load echo`) against small planted servers: a stall must show in
the open loop's p99 (no coordinated omission), a wrong byte or an extra byte fails the run, lost
connections are counted, bad input is one line and exit 2.

    load_client.py BIN_DIR
The servers are this file again (`load_client.py serve MODE`), single-threaded selectors loops.
"""
import json
import os
import selectors
import socket
import subprocess
import sys
import time

from checks import Checks

PYTHON = sys.executable


def serve(mode):
    """An echo server with a planted fault: stall (the loop stops 300 ms every second), corrupt
    (one byte of the 200th message flipped), extra (one byte too many on the 200th), reset
    (every connection closed after 100 messages), else a plain echo."""
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1024)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    print(f"listening 127.0.0.1:{lsock.getsockname()[1]}", flush=True)
    received = {}
    last_stall = time.monotonic()
    while True:
        for key, _ in sel.select():
            if key.fileobj is lsock:
                try:
                    conn, _ = lsock.accept()
                except BlockingIOError:
                    continue
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.setblocking(True)
                sel.register(conn, selectors.EVENT_READ)
                received[conn] = 0
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(conn)
                conn.close()
                received.pop(conn, None)
                continue
            before = received[conn]
            received[conn] += len(data)
            if mode == "stall" and time.monotonic() - last_stall > 1.0:
                time.sleep(0.3)
                last_stall = time.monotonic()
            # Messages are 64 bytes in these tests: the 200th starts at byte 199 * 64.
            mark = 199 * 64
            if mode == "corrupt" and before <= mark < received[conn]:
                i = mark - before
                data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
            if mode == "extra" and before <= mark < received[conn]:
                data = data + b"!"
            if mode == "reset" and received[conn] > 100 * 64:
                sel.unregister(conn)
                conn.close()
                received.pop(conn)
                continue
            conn.sendall(data)


class Server:
    def __init__(self, mode):
        self.proc = subprocess.Popen([PYTHON, __file__, "serve", mode], stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.strip().rsplit(":", 1)[1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def load(bin_dir, port, *args):
    p = subprocess.run([os.path.join(bin_dir, "asyncbench"), "load", "echo", "--port", str(port),
                        *args], capture_output=True, text=True, timeout=120)
    line = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else None
    return p, line


def main(bin_dir):
    check = Checks()

    with Server("stall") as s:
        common = ["--connections", "8", "--size", "64", "--duration-s", "3", "--warmup-s", "0.2"]
        p, openl = load(bin_dir, s.port, *common, "--rate", "2000", "--server-pid",
                        str(s.proc.pid))
        p2, closed = load(bin_dir, s.port, *common)
        ok = p.returncode == 0 and p2.returncode == 0 and openl and closed
        check(ok, "both loops against the stalling server finish ok", p.stderr + p2.stderr)
        if ok:
            o99, c99 = openl["metrics"]["p99_us"], closed["metrics"]["p99_us"]
            detail = (f"open loop p99 {o99 / 1e3:.1f} ms (max {openl['metrics']['max_us'] / 1e3:.1f}"
                      f" ms), closed loop p99 {c99 / 1e3:.1f} ms")
            check(o99 >= 150_000, "the 300 ms stalls show in the open loop's p99", detail)
            check(c99 < o99 / 2, "the closed loop hides them (coordinated omission)", detail)
            m = openl["metrics"]
            check(m.get("server_cpu_us_per_req", 0) > 0 and m["requests"] > 1000,
                  "server CPU per request is measured", f"{m.get('server_cpu_us_per_req')} us")
            h = openl["histograms"]["latency"]
            check(h["total"] == m["requests"] and sum(n for _, n in h["counts"]) +
                  h["underflow"] + h["overflow"] == h["total"],
                  "the histogram holds every measured request")
            check(abs(m["rps"] - 2000) / 2000 < 0.05, "the open loop offers its rate",
                  f"{m['rps']:.0f}/s")

    with Server("corrupt") as s:
        p, line = load(bin_dir, s.port, "--connections", "1", "--duration-s", "1")
        check(p.returncode == 1 and line and line["status"] == "failed"
              and "differs" in line.get("error", ""), "a flipped byte fails the run",
              line and line.get("error", ""))

    with Server("extra") as s:
        p, line = load(bin_dir, s.port, "--connections", "1", "--duration-s", "1")
        check(p.returncode == 1 and line and "more than" in line.get("error", ""),
              "an extra byte fails the run", line and line.get("error", ""))

    with Server("reset") as s:
        p, line = load(bin_dir, s.port, "--connections", "4", "--duration-s", "1",
                       "--warmup-s", "0")
        check(p.returncode == 1 and line and "every connection" in line.get("error", ""),
              "connections closed by the server: failed, said so", line and line.get("error", ""))

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    t = time.monotonic()
    p, line = load(bin_dir, port, "--duration-s", "1")
    check(p.returncode == 1 and line and "refused" in line.get("error", "")
          and time.monotonic() - t < 10, "no server: failed with the reason",
          line and line.get("error", ""))

    with Server("plain") as s:
        p, line = load(bin_dir, s.port, "--duration-s", "0.2", "--server-pid", "4194000")
        check(p.returncode == 1 and line and "no such process" in line.get("error", ""),
              "a --server-pid that is no process: failed, not a CPU time of 0",
              line and line.get("error", ""))

    for bad in (["--connections", "0"], ["--size", "x"], ["--bogus"], []):
        args = [os.path.join(bin_dir, "asyncbench"), "load", "echo"] + (
            ["--port", "1"] + bad if bad else [])
        p = subprocess.run(args, capture_output=True, text=True, timeout=30)
        check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and not p.stdout,
              f"bad input {bad or '(no port)'}: one line, exit 2", p.stderr.strip())

    return check.summary()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif len(sys.argv) == 2:
        sys.exit(main(sys.argv[1]))
    else:
        sys.stderr.write("usage: load_client.py BIN_DIR\n")
        sys.exit(2)
