#!/usr/bin/python3
"""What `asyncbench run` leaves behind and what it overwrites (issue 19), run by ctest:

  run_lifetime.py out       BIN_DIR ROOT   an empty --out, a directory, a path in a missing or a
                                           read-only directory, a device, `-w ,` and `-m ,`: one
                                           line, exit 2, nothing run and no file written; two runs
                                           given the same --out at once: the second refuses in
                                           one line (exit 2) and the first's file is untouched; a
                                           killed run's lock does not block the next run
  run_lifetime.py leftovers BIN_DIR ROOT   SIGKILL of a run at several moments (at start, during
                                           an echo cell of every server model, during a lecture
                                           cell of the processes model, at random): no process
                                           carrying the run's mark (ASYNCBENCH_RUN=<its pid>.)
                                           is left within 30 s; and a planted leftover of a run
                                           whose harness is gone is killed by the next run, with
                                           one line, while one of a live run is spared

Every run uses a copy of the workload tree (--root), so that a run that wrongly falls back to the
default results file writes into the copy, never into the checkout. Output ends with
"N passed, N failed".
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402  (beside this file)

MARK = "ASYNCBENCH_RUN"
GONE_WITHIN = 30.0  # seconds: generous, the point is "gone", not "gone fast"


def tree_copy(root, tmp):
    tree = os.path.join(tmp, "tree")
    shutil.copytree(os.path.join(root, "workloads"), os.path.join(tree, "workloads"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    os.makedirs(os.path.join(tree, "results"))
    shutil.copy(os.path.join(root, "results", "schema.json"), os.path.join(tree, "results"))
    return tree


def asyncbench(bin_dir, tree, *args):
    return [os.path.join(bin_dir, "asyncbench"), "--root", tree, "run", *args]


def stderr_lines(text):
    return [l for l in text.splitlines() if l.strip()]


def marked(prefix):
    """The processes whose environment carries a mark that starts with `prefix`: {pid: cmdline}."""
    found = {}
    key = f"{MARK}={prefix}".encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if not any(e.startswith(key) for e in env):
                continue
            with open(f"/proc/{d}/cmdline", "rb") as f:
                found[int(d)] = f.read().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            continue  # gone meanwhile, or not ours
    return found


def kill_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# --- out ----------------------------------------------------------------------------------------

def check_out(bin_dir, root, tmp, check):
    tree = tree_copy(root, tmp)
    default = os.path.join(tree, "results", "latest.json")
    small = ("-w", "count", "-m", "aio-epoll", "--profile", "smoke", "--no-warmup")
    readonly = os.path.join(tmp, "readonly")
    os.makedirs(readonly)
    os.chmod(readonly, 0o555)
    # Root ignores mode bits: the read-only case then runs as nobody, as a user would meet it.
    as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    if as_user:
        os.chmod(tmp, 0o755)
    bad = [
        ("an empty --out", ["--out", ""], [], "--out is empty"),
        ("--out a directory", ["--out", tmp], [], "is a directory"),
        ("--out in a missing directory", ["--out", os.path.join(tmp, "missing", "r.json")], [],
         "no directory"),
        ("--out in a read-only directory", ["--out", os.path.join(readonly, "r.json")], as_user,
         "cannot write in"),
        ("--out a device", ["--out", "/dev/null"], [], "not a regular file"),
        ("-w ,", ["-w", ",", "-m", "aio-epoll", "--profile", "smoke", "--out", os.path.join(tmp, "w.json")],
         [], "names no workload"),
        ("-m ,", ["-w", "count", "-m", ",", "--profile", "smoke", "--out", os.path.join(tmp, "m.json")],
         [], "names no model"),
    ]
    for what, args, wrapper, words in bad:
        cmd = [*wrapper, *asyncbench(bin_dir, tree, *(small if args[0] == "--out" else ()), *args)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        lines = stderr_lines(p.stderr)
        check(p.returncode == 2 and len(lines) == 1 and words in p.stderr,
              f"{what}: one line, exit 2", f"exit {p.returncode}, stderr {p.stderr[-300:]!r}")
        check("[1/" not in p.stderr and not p.stdout.strip(), f"{what}: nothing ran", p.stdout[-200:])
        written = [f for f in (default, os.path.join(tmp, "w.json"), os.path.join(tmp, "m.json"),
                               os.path.join(readonly, "r.json")) if os.path.exists(f)]
        check(not written, f"{what}: no results file written", written)
        for f in written:
            os.unlink(f)

    # Two runs, one --out: the second refuses, the first's cells stay its own.
    out = os.path.join(tmp, "shared.json")
    first = subprocess.Popen(asyncbench(bin_dir, tree, "-w", "count", "-m", "aio-epoll", "--profile",
                                        "quick", "--repeat", "1000", "--out", out),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        runs = 0
        while time.time() < deadline and runs < 2 and first.poll() is None:
            try:
                with open(out) as f:
                    runs = sum(len(c["elapsed_s"]) for c in json.load(f)["results"])
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        check(runs >= 2, "the first run is under way", f"{runs} runs")
        second = subprocess.run(asyncbench(bin_dir, tree, "-w", "say-after", "-m", "sync", "--profile",
                                           "smoke", "--out", out), capture_output=True, text=True,
                                timeout=120)
        lines = stderr_lines(second.stderr)
        check(second.returncode == 2 and len(lines) == 1 and "another run" in second.stderr
              and f"pid {first.pid}" in second.stderr,
              "a second run on the same --out refuses in one line, exit 2, naming the first",
              f"exit {second.returncode}: {second.stderr[-300:]!r}")
        check("[1/" not in second.stderr and not second.stdout.strip(), "the second run ran nothing",
              second.stderr[-300:])
        with open(out) as f:
            doc = json.load(f)
        ids = [c["id"] for c in doc["results"]]
        check(ids == ["count/aio-epoll/time_scale:0.05"] and "--repeat 1000" in doc["run"]["command"],
              "the first run's file is still its own", (ids, doc["run"]["command"]))
        check(first.poll() is None, "the first run goes on")
    finally:
        first.kill()
        first.wait()
    # Killed, it holds no lock: the next run on the same file starts.
    third = subprocess.run(asyncbench(bin_dir, tree, *small, "--out", out), capture_output=True,
                           text=True, timeout=120)
    check(third.returncode == 0, "after a SIGKILL, the next run on the same --out is not blocked",
          f"exit {third.returncode}: {third.stderr[-300:]!r}")
    check(not os.path.exists(out + ".lock"), "the lock file is removed when a run ends")
    check(not os.path.exists(default), "the default results file was never written")


# --- leftovers ----------------------------------------------------------------------------------

def kill_run_when(bin_dir, tree, tmp, args, ready, what, check, limit=120):
    """Starts a run, waits until `ready(marked processes)` (or `limit`), SIGKILLs it, and checks
    that nothing carrying its mark is left within GONE_WITHIN."""
    out = os.path.join(tmp, f"killed-{abs(hash(what))}.json")
    p = subprocess.Popen(asyncbench(bin_dir, tree, *args, "--out", out), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    prefix = f"{p.pid}."
    seen = {}
    try:
        deadline = time.time() + limit
        while time.time() < deadline and p.poll() is None:
            seen = marked(prefix)
            if ready(seen):
                break
            time.sleep(0.02)
        running = p.poll() is None
        p.kill()
        p.wait()
        check(running and ready(seen), f"{what}: killed at the moment wanted",
              f"running {running}, {len(seen)} marked: {list(seen.values())[:3]}")
        deadline = time.time() + GONE_WITHIN
        left = marked(prefix)
        while left and time.time() < deadline:
            time.sleep(0.1)
            left = marked(prefix)
        check(not left, f"{what}: nothing of the run left ({len(seen)} marked processes before "
                        f"the kill)",
              f"{len(left)} still there {GONE_WITHIN:.0f} s after it: {list(left.values())[:4]}"
              if left else "")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        kill_all(marked(prefix))


def check_leftovers(bin_dir, root, tmp, check):
    tree = tree_copy(root, tmp)
    with open(os.path.join(root, "workloads", "models.json")) as f:
        registry = json.load(f)["models"]
    sources = set(os.listdir(os.path.join(root, "workloads", "network", "echo")))
    servers = [m["id"] for m in registry if m["source"] in sources]

    def serving(procs):
        # A load client runs, so its server is up: the run is in a network cell.
        return any(" load echo " in c for c in procs.values())

    soon = time.time() + 0.3
    kill_run_when(bin_dir, tree, tmp, ["-w", "count", "--profile", "quick"],
                  lambda procs: time.time() >= soon, "at start (0.3 s)", check)
    for model in servers:
        kill_run_when(bin_dir, tree, tmp, ["-w", "echo", "-m", model, "--profile", "quick",
                                           "--where", "connections=256"],
                      serving, f"during an echo cell of {model} (256 connections)", check)
    # The processes model forks a child per task: the harness's own child dies with it, its
    # children do not (they carry the mark, and end on their own here).
    kill_run_when(bin_dir, tree, tmp, ["-w", "chess", "-m", "processes", "--profile", "quick"],
                  lambda procs: len(procs) >= 3, "during a lecture cell (chess, processes)", check)
    rng = random.Random(19)
    for i in range(2):
        at = time.time() + rng.uniform(0.5, 4.0)
        kill_run_when(bin_dir, tree, tmp, ["-w", "echo,count", "-m", "processes,py-asyncio",
                                           "--profile", "quick"],
                      lambda procs, at=at: time.time() >= at, f"at a random moment ({i + 1})", check)

    # The sweep: a leftover of a run whose harness is gone (a pid that exited) is killed by the
    # next run; one of a run whose harness is alive (this test's own pid and start time) is not.
    dead = subprocess.Popen(["true"])
    dead.wait()
    with open("/proc/self/stat") as f:
        start = f.read().rsplit(")", 1)[1].split()[19]
    stale_mark, live_mark = f"{dead.pid}.1", f"{os.getpid()}.{start}"
    planted = {}
    try:
        for name, mark in (("stale", stale_mark), ("live", live_mark)):
            env = dict(os.environ, **{MARK: mark})
            planted[name] = subprocess.Popen(["sleep", "600"], env=env, start_new_session=True)
        time.sleep(0.2)
        p = subprocess.run(asyncbench(bin_dir, tree, "-w", "count", "-m", "aio-epoll", "--profile",
                                      "smoke", "--out", os.path.join(tmp, "sweep.json")),
                           capture_output=True, text=True, timeout=120)
        said = [l for l in stderr_lines(p.stderr) if "left behind" in l]
        check(p.returncode == 0, "the run after a planted leftover runs", p.stderr[-300:])
        check(len(said) == 1 and stale_mark in said[0] and said[0].startswith("asyncbench: killed "),
              "the sweep says in one line what it killed", said or p.stderr[-300:])
        try:
            code = planted["stale"].wait(timeout=GONE_WITHIN)
        except subprocess.TimeoutExpired:
            code = None
        check(code == -signal.SIGKILL, "the leftover of a run whose harness is gone is killed",
              f"exit {code}")
        check(planted["live"].poll() is None, "a process of a run whose harness lives is spared")
    finally:
        for proc in planted.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def main():
    what, bin_dir, root = sys.argv[1], sys.argv[2], sys.argv[3]
    check = Checks()
    with tempfile.TemporaryDirectory(prefix="asyncbench_lifetime_") as tmp:
        try:
            {"out": check_out, "leftovers": check_leftovers}[what](bin_dir, root, tmp, check)
        finally:
            for d, _, files in os.walk(tmp):  # the read-only directory, so that it can be removed
                os.chmod(d, 0o755)
    sys.exit(check.summary())


if __name__ == "__main__":
    main()
