#!/usr/bin/python3
"""Every echo server, started as users start it (`asyncbench serve echo --model M --port 0`),
against a correctness client. Run by ctest:

  echo_servers.py BIN_DIR [MODEL ...]      (default: every model with an echo server)
  echo_servers.py --list                   (the models it would test, and nothing else)

Per model:
  integrity    connections with sizes from 1 B to 1 MiB (log-uniform, a fixed seed), the writer
               and the reader concurrent on each, every byte compared; 32 at once (one at a time
               for a model of kind sequential, the iterative `sync` server, which serves one
               connection at a time by design)
  reset        a client that sends and then resets its connection (RST) while a good connection is
               open: the good one is unaffected and the server keeps accepting
  half-close   a client that sends, shuts down its writing side and reads to the end gets all of
               its bytes back, then the end of the stream
  stop         SIGTERM with an idle client connected: the server exits 0 within 5 s (SIGINT for
               every other model, so both are covered)
  errors       a port already in use: one line on stderr and exit 1
  descriptors  a second server under `prlimit --nofile=64:64` with 60 idle connections open, more
               than its descriptors allow: it stays up, and once they are closed a fresh
               connection is echoed (an accept that fails with EMFILE is waited out, not fatal)

The models are the registry's (workloads/models.json) whose source file is in
workloads/network/echo: those that have a server program. Output ends with "N passed, N failed".
"""
import argparse
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
import asyncbench  # noqa: E402  (found through the path set just above)

REGISTRY = asyncbench.registry()
MODELS = REGISTRY.models_in(os.path.join(ROOT, "workloads", "network", "echo"))
TIMEOUT = 60  # seconds for any one connection: generous, CI machines are noisy


class Server:
    def __init__(self, bin_dir, model, *extra, wrapper=(), stderr=subprocess.PIPE):
        self.cmd = [*wrapper, os.path.join(bin_dir, "asyncbench"), "serve", "echo", "--model", model,
                    *extra]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            self.proc.kill()
            self.proc.wait()
            err = self.proc.stderr.read()[-500:] if self.proc.stderr else ""
            raise AssertionError(f"no 'listening' line from {' '.join(self.cmd)}: {line!r} {err}")
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM, limit=5.0):
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop within {limit} s of {signal.Signals(sig).name}")
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_to_end(s):
    got = bytearray()
    while chunk := s.recv(1 << 16):
        got += chunk
    return got


def echo_round_trip(port, data, timeout=TIMEOUT):
    """Writes `data` from one thread while this one reads it back; returns what came back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    errors = []

    def writer():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    got = read_to_end(s)
    t.join()
    s.close()
    if errors:
        raise errors[0]
    return bytes(got)


def sizes(n, seed):
    rng = random.Random(seed)
    return [max(1, int(2 ** rng.uniform(0, 20))) for _ in range(n)]


def iterative(model):
    """A sequential model's server serves one connection at a time (the others wait in the
    backlog)."""
    return REGISTRY.kind(model) == "sequential"


def check_integrity(port, model):
    payload = random.Random(7).randbytes(1 << 20)
    lens = sizes(32, 11) + [1, 1 << 20]
    if iterative(model):
        for n in lens:
            assert echo_round_trip(port, payload[:n]) == payload[:n], f"{n} bytes came back wrong"
        return
    bad, threads = [], []

    def one(n):
        try:
            if echo_round_trip(port, payload[:n]) != payload[:n]:
                bad.append(f"{n} bytes came back wrong")
        except OSError as e:
            bad.append(f"{n} bytes: {e}")

    for n in lens:
        threads.append(threading.Thread(target=one, args=(n,)))
        threads[-1].start()
    for t in threads:
        t.join()
    assert not bad, "; ".join(bad[:5])


def check_reset(port, model):
    # The resetting client first: the iterative server must finish it before it can serve another.
    bad = connect(port)
    bad.sendall(b"x" * 100_000)
    bad.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    bad.close()  # RST
    if not iterative(model):
        good = connect(port)
        good.sendall(b"ping")
        assert good.recv(4) == b"ping"
    # The server still serves new connections after the reset.
    assert echo_round_trip(port, b"after the reset") == b"after the reset"
    if not iterative(model):
        good.sendall(b"pong")
        assert good.recv(4) == b"pong"
        good.close()


def check_half_close(port, model):
    data = random.Random(3).randbytes(300_000)
    s = connect(port)
    s.sendall(data)  # 300 KB: more than the socket buffers hold, so the server is mid-echo
    s.shutdown(socket.SHUT_WR)
    got = read_to_end(s)
    s.close()
    assert bytes(got) == data, f"{len(got)} of {len(data)} bytes came back after the half-close"


def check_port_in_use(bin_dir, model, port):
    r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "serve", "echo", "--model", model,
                        "--port", str(port)], capture_output=True, text=True, timeout=30)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 1, f"exit {r.returncode} for a port in use: {r.stderr[-300:]}"
    assert len(lines) == 1, f"expected one line on stderr, got: {r.stderr[-500:]}"


FD_LIMIT = 64  # descriptors the server may hold (soft and hard: it cannot raise its own)
IDLE = 60      # idle connections: with the server's own descriptors, more than the limit


def check_descriptors(bin_dir, model):
    """Under a descriptor limit the idle connections exhaust, the server must wait (accept fails
    with EMFILE), not die; once they are closed, a fresh connection is echoed."""
    with tempfile.TemporaryFile() as err:
        server = Server(bin_dir, model, "--port", "0",
                        wrapper=("prlimit", f"--nofile={FD_LIMIT}:{FD_LIMIT}"), stderr=err)
        idle = []
        try:
            for i in range(IDLE):
                try:
                    idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT))
                except OSError as e:
                    time.sleep(0.2)
                    raise AssertionError(f"idle connection {i + 1} of {IDLE}: {e}; the server "
                                         f"{'exited (%s)' % server.proc.poll() if server.proc.poll() is not None else 'runs'}"
                                         f": {tail(err)}") from None
            # Long enough for the server to accept what it can and fail on the rest (a loop that
            # retries at once would also have spun through thousands of failures by now).
            time.sleep(1.0)
            assert server.proc.poll() is None, (
                f"the server exited ({server.proc.returncode}) with {IDLE} idle connections under "
                f"--nofile={FD_LIMIT}: {tail(err)}")
            for s in idle:
                s.close()
            idle = []
            # A fresh connection, echoed: the server accepts again. Bounded: a model that backs off
            # for seconds (asyncio waits 1 s between accept attempts) still has plenty of time.
            deadline = time.time() + TIMEOUT
            payload = b"after the descriptors came back"
            while True:
                try:
                    if echo_round_trip(server.port, payload, timeout=5) == payload:
                        break
                except OSError:
                    pass
                assert server.proc.poll() is None, f"the server exited: {tail(err)}"
                assert time.time() < deadline, f"no echo within {TIMEOUT} s: {tail(err)}"
                time.sleep(0.2)
            assert server.proc.poll() is None, f"the server exited after recovering: {tail(err)}"
            code = server.stop(signal.SIGTERM)
            assert code == 0, f"exit {code} after SIGTERM: {tail(err)}"
            err.seek(0, os.SEEK_END)
            return err.tell()
        finally:
            for s in idle:
                s.close()
            server.kill()


def tail(f, n=400):
    f.flush()
    f.seek(0)
    data = f.read()
    text = data[-n:].decode(errors="replace").strip()
    return f"stderr ({len(data)} B): {text}" if text else "stderr empty"


def test_model(bin_dir, model, sig):
    server = Server(bin_dir, model)
    try:
        t0 = time.time()
        check_integrity(server.port, model)
        check_reset(server.port, model)
        check_half_close(server.port, model)
        check_port_in_use(bin_dir, model, server.port)
        idle = connect(server.port)  # connected and idle while the server stops
        code = server.stop(sig)
        idle.close()
        assert code == 0, f"exit {code} after {signal.Signals(sig).name}"
    finally:
        server.kill()
    stderr_bytes = check_descriptors(bin_dir, model)
    return time.time() - t0, stderr_bytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bin_dir", nargs="?", help="the directory of the asyncbench binary")
    ap.add_argument("models", nargs="*", help=f"default: {' '.join(MODELS)}")
    ap.add_argument("--list", action="store_true", help="print the models it would test")
    args = ap.parse_args()
    models = args.models or MODELS
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        ap.error(f"no echo server for {', '.join(unknown)} (these have one: {' '.join(MODELS)})")
    if args.list:
        print(" ".join(models))
        return
    if not args.bin_dir:
        ap.error("give BIN_DIR, or --list")
    bin_dir = args.bin_dir
    passed = failed = 0
    for i, model in enumerate(models):
        sig = signal.SIGTERM if i % 2 == 0 else signal.SIGINT
        try:
            took, stderr_bytes = test_model(bin_dir, model, sig)
            print(f"ok      {model:<11} integrity, reset, half-close, port in use, "
                  f"{signal.Signals(sig).name}, {IDLE} connections under --nofile={FD_LIMIT} "
                  f"({stderr_bytes} B on stderr) ({took:.1f} s)")
            passed += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported, the rest still run
            print(f"FAILED  {model:<11} {type(e).__name__}: {e}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
