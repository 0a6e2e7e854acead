#!/usr/bin/python3
"""wl-http-server end to end, with raw sockets (the standard library only). Run by ctest:

  http_server_test.py PATH/TO/wl-http-server [BACKEND ...]     (default: epoll io_uring)

For each backend, a server on port 0 with --header-timeout-ms 1000, then:
  plain         GET /delay/50/1000 takes at least 50 ms; headers and every body byte right
  keep-alive    3 requests on one connection (small, default page, a 1 MB body in chunks), + HEAD
  pipelining    2 requests in one send, answered in order (the slower one first)
  http/1.0      closes after the response; with Connection: keep-alive it stays open
  close         Connection: close closes after the response
  concurrency   2,000 connections at once, each GET /delay/200/100, all right, in < 20 s
  errors        a huge header and 101 headers: 431; garbage: 400; POST with a body: 405;
                HTTP/2.0: 505; bad /delay/ routes: 400; each then closed
  slowloris     a head trickled a byte every 0.2 s: 408 and a close after about 1 s; a silent
                new connection: 408; an idle keep-alive connection: closed quietly, no 408
  reset         a client resetting in the middle of a 64 MiB response does not hurt the next
  max-conns     a second server with --max-connections 2: a third client gets 503 (or a close),
                and is served once one of the two leaves
  wrk           wrk -t1 -c64 -d2s --latency .../delay/1/1024: no socket errors, no non-2xx, and
                Requests/sec > 0 (wrk must be installed: make deps)
  port in use   a second server on the same port: exit 1, one line on stderr
  stop          SIGTERM (epoll) / SIGINT (io_uring) with an idle keep-alive client and one waiting
                on a 600 s delay: exit 0 within 5 s
and once: bad arguments give exit 2 and one line on stderr.

Timing checks are lower bounds (a delay is never shorter than asked) and generous upper bounds
(concurrency, not speed). Output ends with "N passed, N failed"; the exit status is 1 on any
failure. A backend the kernel does not offer (io_uring under seccomp) is reported as skipped.
"""
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
HEADER_TIMEOUT_S = 1.0
IO_TIMEOUT = 30  # seconds for any one socket operation: generous, CI machines are noisy
ALPHABET = bytes(range(ord("a"), ord("a") + 26))


def pattern(n):
    """The body the server sends: byte i is 'a' + i % 26."""
    return (ALPHABET * (n // 26 + 1))[:n]


def request(target="/", version="1.1", headers=None, method="GET"):
    lines = [f"{method} {target} HTTP/{version}"]
    if version == "1.1" and not any(h.lower().startswith("host:") for h in headers or []):
        lines.append("Host: 127.0.0.1")
    lines += headers or []
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Server:
    def __init__(self, binary, *args):
        self.cmd = [binary, *args]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))
        reader.start()
        reader.join(15)
        first = line[0].rstrip("\n") if line else ""
        if not re.fullmatch(r"listening 127\.0\.0\.1:\d+", first):
            self.kill()
            raise StartError(f"no 'listening 127.0.0.1:P' line from {' '.join(self.cmd)}: "
                             f"{first!r}; stderr: {self.proc.stderr.read().strip()!r}")
        self.port = int(first.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM, limit=5.0):
        """Sends `sig`; returns (exit code, seconds it took). Kills it past `limit`."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"did not stop within {limit} s of {signal.Signals(sig).name}")
        return code, time.monotonic() - start

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class StartError(Exception):
    pass


class Conn:
    """A client connection that reads HTTP/1.1 responses (Content-Length bodies only)."""

    def __init__(self, port, timeout=IO_TIMEOUT):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = bytearray()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("the server closed the connection")
        self.buf += data

    def response(self, head_request=False):
        """Returns (status, headers with lower-case names, body)."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        end = self.buf.index(b"\r\n\r\n")
        lines = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[:end + 4]
        m = re.fullmatch(r"HTTP/1\.1 (\d{3}) .+", lines[0])
        assert m, f"bad status line {lines[0]!r}"
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            assert name not in headers, f"header {name} twice"
            headers[name.lower()] = value.strip()
        length = 0 if head_request else int(headers["content-length"])
        while len(self.buf) < length:
            self._fill()
        body = bytes(self.buf[:length])
        del self.buf[:length]
        return int(m.group(1)), headers, body

    def closed_by_server(self, within=5.0):
        """True if the server ends the stream within `within` s with nothing more sent."""
        self.sock.settimeout(within)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(IO_TIMEOUT)
        assert not data and not self.buf, f"unexpected bytes after the response: {data[:80]!r}"
        return True

    def reset(self):
        """Closes with RST (SO_LINGER 0)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()


def expect_ok(status, headers, body, size, keep_alive=True):
    assert status == 200, f"status {status}, body {body[:100]!r}"
    assert headers.get("content-length") == str(size), headers
    assert headers.get("content-type") == "application/octet-stream", headers
    assert headers.get("connection") == ("keep-alive" if keep_alive else "close"), headers
    assert body == pattern(size), f"body of {len(body)} bytes is not the pattern of {size}"


def expect_error(port, data, statuses, what):
    """Sends `data` on a new connection: the answer has one of `statuses`, then a close."""
    c = Conn(port)
    try:
        c.send(data)
        status, headers, body = c.response()
        assert status in statuses, f"{what}: status {status} ({body!r}), expected {statuses}"
        assert headers.get("connection") == "close", f"{what}: {headers}"
        assert c.closed_by_server(), f"{what}: not closed after the {status}"
    finally:
        c.close()


# ---- the checks, each against a running server ----

def check_plain(port):
    c = Conn(port)
    start = time.monotonic()
    c.send(request("/delay/50/1000"))
    status, headers, body = c.response()
    elapsed = time.monotonic() - start
    expect_ok(status, headers, body, 1000)
    assert elapsed >= 0.050, f"answered after {elapsed * 1000:.1f} ms, before the 50 ms delay"
    c.close()


def check_keep_alive(port):
    c = Conn(port)
    for target, size in [("/delay/0/10", 10), ("/page/7", 1256), ("/delay/1/1000003", 1000003)]:
        c.send(request(target))
        expect_ok(*c.response(), size)
    c.send(request("/delay/0/5000", method="HEAD"))
    status, headers, body = c.response(head_request=True)
    assert status == 200 and headers["content-length"] == "5000" and body == b"", headers
    c.send(request("/"))  # a HEAD response must not have sent a body: this must parse
    expect_ok(*c.response(), 1256)
    c.close()


def check_pipelining(port):
    c = Conn(port)
    c.send(request("/delay/100/5") + request("/delay/0/7") + request("/x", method="HEAD"))
    expect_ok(*c.response(), 5)
    expect_ok(*c.response(), 7)
    status, headers, _ = c.response(head_request=True)
    assert status == 200 and headers["content-length"] == "1256", headers
    c.close()


def check_http10(port):
    c = Conn(port)
    c.send(request("/", version="1.0"))
    expect_ok(*c.response(), 1256, keep_alive=False)
    assert c.closed_by_server(), "an HTTP/1.0 connection stayed open"
    c.close()
    c = Conn(port)
    for _ in range(2):
        c.send(request("/delay/0/3", version="1.0", headers=["Connection: keep-alive"]))
        expect_ok(*c.response(), 3)
    c.close()


def check_connection_close(port):
    c = Conn(port)
    c.send(request("/delay/0/100", headers=["Connection: close"]))
    expect_ok(*c.response(), 100, keep_alive=False)
    assert c.closed_by_server(), "Connection: close did not close"
    c.close()


def check_concurrency(port, n=2000):
    want_head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
    want_body = pattern(100)
    req = request("/delay/200/100")
    sel = selectors.DefaultSelector()
    socks = []
    errors = []
    start = time.monotonic()
    try:
        for i in range(n):
            # Connect and send at once, each connection on its own: the server's 1 s header
            # deadline starts at its accept, and a loop over 2,000 connections can take longer
            # than that on a busy machine.
            s = socket.socket()
            socks.append(s)
            s.settimeout(IO_TIMEOUT)
            try:
                s.connect((HOST, port))
                s.sendall(req)
            except OSError as e:
                errors.append(f"connection {i}: {e}")
                continue
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, {"i": i, "buf": bytearray()})
        done = 0
        deadline = start + 60
        while done + len(errors) < n and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                s, st = key.fileobj, key.data
                try:
                    data = s.recv(65536)
                except OSError as e:
                    errors.append(f"connection {st['i']}: {e}")
                    sel.unregister(s)
                    continue
                st["buf"] += data
                buf = st["buf"]
                if not data or b"\r\n\r\n" in buf and len(buf) >= buf.index(b"\r\n\r\n") + 104:
                    sel.unregister(s)
                    end = buf.find(b"\r\n\r\n")
                    if not buf.startswith(want_head) or buf[end + 4:] != want_body:
                        errors.append(f"connection {st['i']}: wrong response {bytes(buf[:120])!r}")
                    else:
                        done += 1
        elapsed = time.monotonic() - start
    finally:
        for s in socks:
            s.close()
        sel.close()
    assert not errors, f"{len(errors)} of {n} failed, e.g. {errors[:3]}"
    assert done == n, f"only {done} of {n} answered within 60 s"
    # Serially this would take n x 200 ms = 400 s: well under 20 s shows they overlap.
    assert elapsed < 20, f"{n} concurrent requests of 200 ms took {elapsed:.1f} s"
    print(f"      ({n} connections answered in {elapsed:.2f} s)")


def check_errors(port):
    huge = request("/", headers=["X-Huge: " + "h" * 16000])
    expect_error(port, huge, {431}, "a 16 KB header")
    many = request("/", headers=[f"X-{i}: v" for i in range(100)])  # + Host = 101 headers
    expect_error(port, many, {431}, "101 headers")
    expect_error(port, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n", {400},
                 "TLS-ish garbage")
    expect_error(port, b"hello there, server\r\n\r\n", {400}, "a line of text")
    expect_error(port, b"GET / HTTP/1.1\nHost: x\n\n", {400}, "bare LF")
    expect_error(port, request("/", headers=["Content-Length: 5"], method="POST") + b"hello",
                 {400, 405}, "POST with a body")
    expect_error(port, request("/", headers=["Transfer-Encoding: chunked"]) + b"0\r\n\r\n",
                 {400}, "GET with Transfer-Encoding")
    expect_error(port, request("/", version="2.0"), {505}, "HTTP/2.0")
    expect_error(port, b"GET / HTTP/1.1\r\n\r\n", {400}, "no Host")
    for bad in ["/delay/abc/1", "/delay/1", "/delay/600001/1", "/delay/1/67108865", "/delay/-1/5",
                "/delay/1/2/3", "/delay/%31/1"]:
        expect_error(port, request(bad), {400}, bad)
    # What must not be an error: the limits themselves, an empty Content-Length, a query.
    c = Conn(port)
    c.send(request("/delay/0/67108864", method="HEAD"))
    assert c.response(head_request=True)[1]["content-length"] == "67108864"
    c.send(request("/delay/0/4?x=1", headers=["Content-Length: 0"]))
    expect_ok(*c.response(), 4)
    c.close()


def check_slowloris(port):
    # Every start is taken before the connect (or the send): the server's deadline cannot start
    # earlier, so the lower bounds hold however late this process gets to run.
    start = time.monotonic()
    c = Conn(port)
    c.send(b"GET / HTTP/1.1\r\n")
    stop = threading.Event()

    def trickle():
        for b in b"Host: 127.0.0.1\r\nX-Slow: " + b"z" * 1000:
            if stop.wait(0.2):
                return
            try:
                c.sock.send(bytes([b]))
            except OSError:
                return

    t = threading.Thread(target=trickle)
    t.start()
    try:
        status, headers, _ = c.response()
        elapsed = time.monotonic() - start
        assert status == 408, f"status {status}"
        assert headers.get("connection") == "close", headers
        # The 408 comes HEADER_TIMEOUT_S after the connection: never before, and not much
        # after on any machine.
        assert HEADER_TIMEOUT_S - 0.05 <= elapsed < HEADER_TIMEOUT_S + 4, f"408 after {elapsed:.2f} s"
        try:
            c.sock.settimeout(10)
            while c.sock.recv(65536):  # anything after the 408 would be a protocol error...
                raise AssertionError("bytes after the 408")
        except (ConnectionResetError, BrokenPipeError):
            pass  # ...and a reset, as the trickle goes on into a closed socket, is a close too
        closed = time.monotonic() - start
        assert closed < HEADER_TIMEOUT_S + 5, f"closed after {closed:.2f} s"
    finally:
        stop.set()
        t.join()
        c.close()

    # A connection that sends nothing gets the 408 too.
    start = time.monotonic()
    c = Conn(port)
    status, _, _ = c.response()
    elapsed = time.monotonic() - start
    assert status == 408 and HEADER_TIMEOUT_S - 0.05 <= elapsed < HEADER_TIMEOUT_S + 4, \
        f"silent connection: {status} after {elapsed:.2f} s"
    assert c.closed_by_server()
    c.close()

    # An idle keep-alive connection is closed quietly once the timeout has passed since the
    # last response (a 408 could cross a request the client sends at that moment).
    c = Conn(port)
    start = time.monotonic()
    c.send(request("/delay/0/1"))
    expect_ok(*c.response(), 1)
    assert c.closed_by_server(within=HEADER_TIMEOUT_S + 5), "idle keep-alive connection kept open"
    elapsed = time.monotonic() - start
    assert elapsed >= HEADER_TIMEOUT_S - 0.05, f"idle keep-alive closed after {elapsed:.2f} s"
    c.close()


def check_reset(port):
    c = Conn(port)
    c.send(request("/delay/0/67108864"))
    got = 0
    while got < 256 * 1024:
        got += len(c.sock.recv(65536))
    c.reset()
    for size in (1000, 1 << 20):
        d = Conn(port)
        d.send(request(f"/delay/0/{size}"))
        expect_ok(*d.response(), size)
        d.close()


def check_max_connections(binary, backend):
    server = Server(binary, "--port", "0", "--backend", backend, "--max-connections", "2",
                    "--header-timeout-ms", "20000")
    try:
        held = [Conn(server.port), Conn(server.port)]
        for c in held:  # answered, so the server holds both
            c.send(request("/delay/0/1"))
            expect_ok(*c.response(), 1)
        third = Conn(server.port)
        try:
            third.send(request("/delay/0/1"))
            status, _, _ = third.response()
            assert status == 503, f"third connection over --max-connections 2: {status}"
        except (EOFError, ConnectionResetError, BrokenPipeError):
            pass  # a close without the 503 is allowed (it is best effort)
        third.close()
        held.pop().close()
        deadline = time.monotonic() + 10
        while True:  # the server notices the close on its next read: retry for a while
            c = Conn(server.port)
            try:
                c.send(request("/delay/0/2"))
                status, headers, body = c.response()
                if status == 200:
                    expect_ok(status, headers, body, 2)
                    break
            except (EOFError, ConnectionResetError, BrokenPipeError):
                pass
            finally:
                c.close()
            assert time.monotonic() < deadline, "not served again after a connection left"
            time.sleep(0.1)
        for c in held:
            c.close()
        code, _ = server.stop()
        assert code == 0, f"exit {code}"
    finally:
        server.kill()


def check_wrk(port):
    wrk = shutil.which("wrk")
    assert wrk, "wrk not installed (make deps installs it)"
    cmd = [wrk, "-t1", "-c64", "-d2s", "--latency", f"http://{HOST}:{port}/delay/1/1024"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    assert out.returncode == 0, f"wrk exit {out.returncode}: {text}"
    assert "Socket errors" not in text, f"wrk saw socket errors:\n{text}"
    assert "Non-2xx or 3xx" not in text, f"wrk saw non-2xx responses:\n{text}"
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    assert m and float(m.group(1)) > 0, f"no Requests/sec > 0 in:\n{text}"
    print(f"      (wrk: {m.group(1)} requests/s)")


def check_port_in_use(binary, port):
    out = subprocess.run([binary, "--port", str(port)], capture_output=True, text=True, timeout=30)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1, f"exit {out.returncode}, stderr {out.stderr!r}"
    assert len(lines) == 1 and "in use" in lines[0], f"stderr {out.stderr!r}"
    assert out.stdout == "", f"stdout {out.stdout!r}"


def check_stop(server, sig):
    idle = Conn(server.port)
    idle.send(request("/delay/0/1"))
    expect_ok(*idle.response(), 1)
    waiting = Conn(server.port)
    waiting.send(request("/delay/600000/1"))
    time.sleep(0.1)  # the request has arrived and sleeps
    code, took = server.stop(sig)
    assert code == 0, f"exit {code} after {signal.Signals(sig).name}"
    assert took < 5, f"took {took:.2f} s"
    for c in (idle, waiting):
        assert c.closed_by_server(), "a connection was left open"
        c.close()


def check_bad_arguments(binary):
    for args in (["--port", "70000"], ["--port", "-1"], ["--backend", "kqueue"],
                 ["--delay-ms", "600001"], ["--body-bytes", "67108865"],
                 ["--header-timeout-ms", "0"], ["--max-connections", "0"], ["--bogus"],
                 ["extra"]):
        out = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
        lines = out.stderr.strip().splitlines()
        assert out.returncode == 2, f"{args}: exit {out.returncode}, stderr {out.stderr!r}"
        assert len(lines) == 1, f"{args}: stderr {out.stderr!r}"


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: http_server_test.py PATH/TO/wl-http-server [BACKEND ...]")
    binary = sys.argv[1]
    backends = sys.argv[2:] or ["epoll", "io_uring"]
    # The client side of 2,000 connections needs 2,000 descriptors too.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    passed, failed, skipped = 0, 0, 0

    def run(name, fn, *args):
        nonlocal passed, failed
        print(f"  {name} ...", flush=True)
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 -- every failure is reported and counted
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        else:
            passed += 1
            print(f"ok   {name}", flush=True)

    run("bad arguments", check_bad_arguments, binary)
    for i, backend in enumerate(backends):
        print(f"backend {backend}:", flush=True)
        try:
            server = Server(binary, "--port", "0", "--backend", backend,
                            "--header-timeout-ms", str(int(HEADER_TIMEOUT_S * 1000)))
        except StartError as e:
            if backend == "io_uring" and "io_uring" in str(e):
                skipped += 1
                print(f"SKIP {backend}: the kernel does not offer it here: {e}", flush=True)
            else:
                failed += 1
                print(f"FAIL {backend}: {e}", flush=True)
            continue
        try:
            port = server.port
            run(f"{backend} plain", check_plain, port)
            run(f"{backend} keep-alive", check_keep_alive, port)
            run(f"{backend} pipelining", check_pipelining, port)
            run(f"{backend} http/1.0", check_http10, port)
            run(f"{backend} connection close", check_connection_close, port)
            run(f"{backend} concurrency", check_concurrency, port)
            run(f"{backend} errors", check_errors, port)
            run(f"{backend} slowloris", check_slowloris, port)
            run(f"{backend} reset", check_reset, port)
            run(f"{backend} max-connections", check_max_connections, binary, backend)
            run(f"{backend} wrk", check_wrk, port)
            run(f"{backend} port in use", check_port_in_use, binary, port)
            run(f"{backend} stop", check_stop, server, signal.SIGTERM if i % 2 == 0 else signal.SIGINT)
        finally:
            server.kill()
    suffix = f" ({skipped} backend skipped)" if skipped else ""
    print(f"{passed} passed, {failed} failed{suffix}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
