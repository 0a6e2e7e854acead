#!/usr/bin/python3
"""io_uring refused by a seccomp filter, as container profiles refuse it (issue 19), run by ctest:

  refused_io_uring.py BIN_DIR ROOT

Under seccomp_exec (BIN_DIR/seccomp_exec SYSCALL COMMAND...), once with io_uring_setup refused
and once with io_uring_enter alone refused (the ring can be set up, not used):
  exactness    the filter refuses exactly the call named: it fails with EPERM, the other io_uring
               call still reaches the kernel (EBADF / EFAULT for the bad arguments given)
  automatic    wl-http-server --port 0 (aio's automatic backend) falls back to epoll with one
               line on stderr naming the refused call, listens and answers a request, exits 0 on
               SIGTERM
  explicit     wl-http-server --backend io_uring: exit 1, one line naming the refused call and
               the errno, never "listening"
  unsupported  asyncbench run -m aio-uring for a lecture workload (count) and echo: every cell
               unsupported with the reason (the refused call), the run exits 0, and the results
               file's machine facts say io_uring is not available

Exit 77 (a skip) when no seccomp filter can be installed here. Output ends with
"N passed, N failed".
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402  (beside this file)

# The name the error gives for each refusal: liburing's io_uring_queue_init wraps io_uring_setup.
NAMED = {"io_uring_setup": "io_uring_queue_init", "io_uring_enter": "io_uring_enter"}
PROBE = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
out = []
for nr, args in ((425, (0, None)), (426, (-1, 0, 0, 0, None, 0))):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    out.append(str(ctypes.get_errno()) if r < 0 else "ok")
print(" ".join(out))
"""


def lines(text):
    return [l for l in text.splitlines() if l.strip()]


def check_exactness(tool, call, check):
    # io_uring_setup(0, NULL) and io_uring_enter(-1, ...) fail in the kernel with their own
    # errors (EINVAL or EFAULT; EBADF); only the refused one gives EPERM (1).
    p = subprocess.run([tool, call, "/usr/bin/python3", "-c", PROBE], capture_output=True, text=True,
                       timeout=60)
    got = dict(zip(("io_uring_setup", "io_uring_enter"), p.stdout.split()))
    other = "io_uring_enter" if call == "io_uring_setup" else "io_uring_setup"
    check(p.returncode == 0 and got.get(call) == "1" and got.get(other) not in (None, "1"),
          f"{call} refused: exactly it fails with EPERM, {other} reaches the kernel", got or p.stderr)


def check_http_server(bin_dir, tool, call, check):
    server = os.path.join(bin_dir, "wl-http-server")
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([tool, call, server, "--port", "0"], stdout=subprocess.PIPE, stderr=err,
                             text=True)
        try:
            line = p.stdout.readline().strip()
            ok = line.startswith("listening ")
            answer = b""
            if ok:
                with socket.create_connection(("127.0.0.1", int(line.rsplit(":", 1)[1])), timeout=30) as s:
                    s.sendall(b"GET /delay/0/5 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    while chunk := s.recv(4096):
                        answer += chunk
            p.send_signal(signal.SIGTERM)
            code = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        err.seek(0)
        text = err.read().decode(errors="replace")
    check(ok and answer.startswith(b"HTTP/1.1 200") and code == 0,
          f"{call} refused: automatic listens, answers and stops", f"{line!r} {answer[:40]!r} exit {code}")
    want = f"aio: io_uring is not available ({NAMED[call]}: Operation not permitted); using epoll"
    check(lines(text) == [want], f"{call} refused: automatic falls back with one line", text[-300:])

    p = subprocess.run([tool, call, server, "--port", "0", "--backend", "io_uring"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and len(lines(p.stderr)) == 1 and NAMED[call] in p.stderr
          and "Operation not permitted" in p.stderr and "listening" not in p.stdout,
          f"{call} refused: an explicit io_uring is a clear error (one line, exit 1)",
          f"exit {p.returncode}: {p.stderr[-300:]!r}")


def check_run(bin_dir, root, tool, call, tmp, check):
    out = os.path.join(tmp, f"{call}.json")
    p = subprocess.run([tool, call, os.path.join(bin_dir, "asyncbench"), "--root", root, "run",
                        "-w", "count,echo", "-m", "aio-uring", "--profile", "smoke", "--out", out],
                       capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, f"{call} refused: asyncbench run -m aio-uring exits 0",
          f"exit {p.returncode}: {p.stderr[-500:]}")
    try:
        with open(out) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        check(False, f"{call} refused: the results file is readable", e)
        return
    cells = {c["id"]: (c["status"], c.get("error", "")) for c in doc["results"]}
    for workload in ("count", "echo"):
        mine = {k: v for k, v in cells.items() if k.startswith(workload + "/")}
        check(mine and all(s == "unsupported" and NAMED[call] in e and "not available" in e
                           for s, e in mine.values()),
              f"{call} refused: the {workload} cells are unsupported, with the reason", mine)
    facts = doc["machine"].get("io_uring", "")
    check("Operation not permitted" in facts, f"{call} refused: the machine facts say so", facts)


def main():
    bin_dir, root = sys.argv[1], sys.argv[2]
    tool = os.path.join(bin_dir, "seccomp_exec")
    probe = subprocess.run([tool, "io_uring_setup", "/bin/true"], capture_output=True, text=True)
    if probe.returncode == 77:
        print(f"skipped: {probe.stderr.strip()}")
        sys.exit(77)
    check = Checks()
    with tempfile.TemporaryDirectory(prefix="asyncbench_refused_") as tmp:
        for call in ("io_uring_setup", "io_uring_enter"):
            check_exactness(tool, call, check)
            check_http_server(bin_dir, tool, call, check)
            check_run(bin_dir, root, tool, call, tmp, check)
    sys.exit(check.summary())


if __name__ == "__main__":
    main()
