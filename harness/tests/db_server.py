#!/usr/bin/python3
"""The database workloads' PostgreSQL and its faults (issue 17), run by ctest:

  db_server.py BIN_DIR ROOT

  serve      `asyncbench serve postgres` prints "listening 127.0.0.1:PORT" and how to connect; a
             db-query program (C++ sync) and psycopg (py-sync's driver) get the seeded rows; on
             SIGTERM it exits 0 and its directory and every process in it are gone
  crash      wl-pg-server killed with SIGKILL: within 10 s its directory and every process of
             its database are gone (the guardian), and the next start works
  faults     each model program of both workloads (C++ and Python): a refused connection, a wrong
             password, a query error (a database without the table): exit 1, one line naming it
  killed     `asyncbench run` of db-query with the database killed (SIGKILL to its postmaster)
             in the middle of a run: that run fails with the reason, the other cell of the run
             is ok, the results file validates, and nothing of any database is left
  bad        wl-pg-server --host nonsense / --port 70000: exit 2, one line

Every address is 127.0.0.1. Output ends with "N passed, N failed".
"""
import glob
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

PY = "/usr/bin/python3"


def cluster_dirs():
    """The directories wl-pg-server makes (README: where): $TMPDIR, /dev/shm or /tmp."""
    out = []
    for base in {os.environ.get("TMPDIR") or "", "/dev/shm", "/tmp"}:
        if base:
            out += glob.glob(os.path.join(base, "asyncbench-pg-*"))
    return sorted(out)


def database_processes():
    """Processes whose working directory is one of those directories' data (every postgres)."""
    dirs = [os.path.realpath(d) for d in cluster_dirs()]
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if any(cwd.startswith(d + "/") or cwd == d for d in dirs) or "/asyncbench-pg-" in cwd:
            found.append(int(pid))
    return found


def postgres_of(pid):
    """The postmaster started by wl-pg-server `pid` (its child running postgres)."""
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if ppid == pid and cmd and cmd[0].endswith(b"/postgres"):
            return int(p)
    return None


def gone_within(seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not cluster_dirs() and not database_processes():
            return True
        time.sleep(0.1)
    return False


def start(argv):
    """A server started as argv; returns (process, port, lines before it was ready)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("listening "):
            # The lines it prints right after: how to connect.
            for _ in range(4):
                lines.append(p.stdout.readline().rstrip("\n"))
            return p, int(line.rsplit(":", 1)[1]), lines
    p.kill()
    raise RuntimeError(f"no 'listening' line: {lines} {p.stderr.read()}")


def free_closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def programs(root, bin_dir, workload):
    """Every model program of the workload: (model, argv prefix)."""
    with open(os.path.join(root, "workloads", "models.json")) as f:
        models = json.load(f)["models"]
    d = os.path.join(root, "workloads", "network", workload)
    out = []
    for m in models:
        src = os.path.join(d, m["source"])
        if not os.path.exists(src):
            continue
        if m["language"] == "c++":
            stem = os.path.splitext(m["source"])[0]
            out.append((m["id"], [os.path.join(bin_dir, f"wl-{workload}-{stem}"), "--model", m["id"]]))
        else:
            out.append((m["id"], [PY, src, "--model", m["id"]]))
    return out


SMALL = {"db-query": ["--queries", "4", "--connections", "2", "--delay-ms", "10", "--rows", "5"],
         "db-throughput": ["--queries", "50", "--connections", "2"]}


def check_serve(bin_dir, check):
    p, port, lines = start([os.path.join(bin_dir, "asyncbench"), "serve", "postgres"])
    check(any("psql" in l and f"port={port}" in l for l in lines),
          "serve postgres prints how to connect", lines)
    r = subprocess.run([os.path.join(bin_dir, "wl-db-query-sync"), "--model", "sync", "--host",
                        "127.0.0.1", "--port", str(port)] + SMALL["db-query"],
                       capture_output=True, text=True, timeout=60)
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    check(r.returncode == 0 and out.get("metrics", {}).get("rows_total") == 20,
          "a db-query program gets and checks the seeded rows", r.stdout + r.stderr)
    code = ("import psycopg,sys\n"
            f"c = psycopg.connect('host=127.0.0.1 port={port} user=bench password=bench dbname=bench')\n"
            "print(c.execute('SELECT count(*), min(id), max(id) FROM items').fetchone(),"
            " c.execute('SELECT payload FROM items WHERE id = 4321').fetchone()[0])\n")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=60)
    check(r.stdout.strip() == "(10000, 1, 10000) item-4321", "psycopg sees the seeded table",
          r.stdout + r.stderr)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    check(rc == 0, "serve postgres exits 0 on SIGTERM", f"exit {rc}: {p.stderr.read()}")
    check(gone_within(10), "after the stop no directory and no database process is left",
          (cluster_dirs(), database_processes()))


def check_crash(bin_dir, check):
    server = os.path.join(bin_dir, "wl-pg-server")
    p, port, _ = start([server])
    made = cluster_dirs()
    check(len(made) == 1 and database_processes(), "a running server has its directory and processes",
          made)
    p.kill()  # SIGKILL: no cleanup of its own
    p.wait(timeout=10)
    check(gone_within(10), "SIGKILLed: its directory and database processes are gone within 10 s",
          (cluster_dirs(), database_processes()))
    p, port, _ = start([server])
    check(port > 0, "the next start works")
    p.send_signal(signal.SIGTERM)
    check(p.wait(timeout=30) == 0 and gone_within(10), "and stops clean")


def check_faults(root, bin_dir, check):
    p, port, _ = start([os.path.join(bin_dir, "wl-pg-server")])
    closed = free_closed_port()
    cases = [
        ("refused", ["--port", str(closed)], "refused"),
        ("wrong password", ["--port", str(port), "--password", "wrong"], "password authentication failed"),
        ("query error", ["--port", str(port), "--dbname", "postgres"], "relation \"items\" does not exist"),
    ]
    try:
        for workload in ("db-query", "db-throughput"):
            progs = programs(root, bin_dir, workload)
            check(len(progs) >= 8 if workload == "db-query" else len(progs) >= 7,
                  f"{workload}: its model programs are found", [m for m, _ in progs])
            for model, argv in progs:
                ok = subprocess.run(argv + ["--host", "127.0.0.1", "--port", str(port)] + SMALL[workload],
                                    capture_output=True, text=True, timeout=120)
                check(ok.returncode == 0, f"{workload} {model}: ok against the server",
                      ok.stdout[-300:] + ok.stderr[-300:])
                for what, args, needle in cases:
                    r = subprocess.run(argv + ["--host", "127.0.0.1"] + args + SMALL[workload],
                                       capture_output=True, text=True, timeout=120)
                    try:
                        line = json.loads(r.stdout)
                    except ValueError:
                        line = {}
                    err = line.get("error", "")
                    check(r.returncode == 1 and line.get("status") == "failed" and needle in err
                          and "\n" not in err,
                          f"{workload} {model}: {what} is one line naming it", err or r.stdout + r.stderr[-300:])
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)


def check_killed(root, bin_dir, check):
    out = os.path.join(tempfile.mkdtemp(prefix="db-killed-"), "r.json")
    # Two cells of the full profile, one run each: sync at 16 queries x 100 ms takes 1.6 s.
    argv = [os.path.join(bin_dir, "asyncbench"), "run", "-w", "db-query", "-m", "sync,threads",
            "--profile", "full", "--where", "queries=16", "--repeat", "1", "--out", out]
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           cwd=root)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        for server in [int(x) for x in subprocess.run(["pgrep", "-f", "wl-pg-server"], capture_output=True,
                                                       text=True).stdout.split()]:
            pm = postgres_of(server)
            if pm:
                time.sleep(0.5)  # into the run's queries
                os.kill(pm, signal.SIGKILL)
                killed = pm
                break
        time.sleep(0.05)
    text, _ = run.communicate(timeout=300)
    check(killed is not None, "a run's postmaster was found and killed")
    check(run.returncode in (0, 1), "the run goes on to its end", f"exit {run.returncode}: {text[-500:]}")
    with open(out) as f:
        results = json.load(f)
    cells = results.get("results", [])
    status = sorted(c.get("status", "?") for c in cells)
    errors = [json.dumps({k: v for k, v in c.items() if "error" in k or k == "failures"})
              for c in cells if c.get("status") != "ok"]
    check(status == ["failed", "ok"], "one cell failed, the other is ok", status)
    check(any("server" in e and ("killed" in e or "exited" in e or "closed" in e) for e in errors),
          "the failure says the database went away", errors)
    v = subprocess.run([PY, os.path.join(root, "scripts", "validate_results.py"), out],
                       capture_output=True, text=True, timeout=60)
    check(v.returncode == 0, "the results file validates", v.stdout + v.stderr)
    check(gone_within(10), "nothing of any database is left", (cluster_dirs(), database_processes()))


def check_bad(bin_dir, check):
    server = os.path.join(bin_dir, "wl-pg-server")
    for args in (["--host", "nonsense"], ["--port", "70000"]):
        r = subprocess.run([server] + args, capture_output=True, text=True, timeout=30)
        check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and not r.stdout,
              f"wl-pg-server {' '.join(args)}: one line, exit 2", r.stderr)


def main():
    bin_dir, root = sys.argv[1], sys.argv[2]
    check = Checks()
    check(not cluster_dirs() and not database_processes(), "no database is running before the test",
          (cluster_dirs(), database_processes()))
    for step in (lambda: check_serve(bin_dir, check), lambda: check_crash(bin_dir, check),
                 lambda: check_faults(root, bin_dir, check), lambda: check_killed(root, bin_dir, check),
                 lambda: check_bad(bin_dir, check)):
        try:
            step()
        except Exception as e:  # a step that cannot go on is one failure, and the rest still run
            check(False, "a step ended early", f"{type(e).__name__}: {e}")
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
