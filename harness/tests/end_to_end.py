#!/usr/bin/python3
"""End-to-end tests of the asyncbench command, run by ctest.

  end_to_end.py smoke     BIN_DIR ROOT   every workload x model at the smoke profile: the file
                                         validates and no cell failed or timed out
  end_to_end.py interrupt BIN_DIR ROOT   Ctrl-C mid-run keeps every finished run in a valid file;
                                         a SIGKILL (a crash) does too; --resume completes it
  end_to_end.py failures  BIN_DIR ROOT   a workload that hangs, crashes or prints garbage is
                                         recorded as timeout/failed, and the rest is kept
  end_to_end.py disturbed BIN_DIR ROOT   a 50 ms cell on the idle machine is not flagged
                                         disturbed (a stray /proc/stat tick is the counters'
                                         resolution), the same cell with every core busy is
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def validate(root, path):
    r = subprocess.run(["/usr/bin/python3", os.path.join(root, "scripts", "validate_results.py"), path],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"{path} does not validate:\n{r.stdout}{r.stderr}"


def counted(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, sum(len(c["elapsed_s"]) for c in doc["results"])


def wait_for_runs(path, n, proc, limit=120):
    end = time.time() + limit
    while time.time() < end:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        try:
            if counted(path)[1] >= n:
                return
        except (OSError, ValueError):
            pass  # not written yet
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} runs after {limit} s")


def smoke(bin_dir, root, tmp):
    out = os.path.join(tmp, "smoke.json")
    r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "run", "--profile", "smoke", "--out", out],
                       capture_output=True, text=True, timeout=900)
    validate(root, out)
    doc, _ = counted(out)
    bad = [f"{c['id']}: {c['status']}: {c.get('error', '')}" for c in doc["results"]
           if c["status"] not in ("ok", "unsupported")]
    assert not bad, "cells that did not pass:\n" + "\n".join(bad)
    assert r.returncode == 0, f"asyncbench run exited {r.returncode}:\n{r.stderr[-2000:]}"
    ok = sum(c["status"] == "ok" for c in doc["results"])
    print(f"smoke: {len(doc['results'])} cells, {ok} ok, the rest unsupported with a reason")


def interrupt(bin_dir, root, tmp):
    out = os.path.join(tmp, "interrupted.json")
    cmd = [os.path.join(bin_dir, "asyncbench"), "run", "-w", "count", "--profile", "quick", "--out", out]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_runs(out, 4, p)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130, f"exit {p.returncode} after SIGINT:\n{err}"
    assert "--resume" in err, "no hint on how to resume"
    validate(root, out)
    doc, kept = counted(out)
    assert doc["run"]["state"] == "interrupted" and kept >= 4, (doc["run"]["state"], kept)
    first_pass = {c["id"]: list(c["round"]) for c in doc["results"]}
    last_round = max((r for rs in first_pass.values() for r in rs), default=-1)

    # A crash: SIGKILL while resuming. The file is replaced atomically, so it is still whole.
    p = subprocess.Popen([os.path.join(bin_dir, "asyncbench"), "run", "--resume", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_runs(out, kept + 3, p)
    p.kill()
    p.wait()
    validate(root, out)
    doc, kept_after_crash = counted(out)
    assert kept_after_crash >= kept + 3

    r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "run", "--resume", out],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    validate(root, out)
    doc, total = counted(out)
    cells = [c for c in doc["results"] if c["status"] == "ok"]
    assert doc["run"]["state"] == "complete"
    assert total == 3 * len(cells) == 3 * len(doc["results"]), (total, len(doc["results"]))
    # Each run's round: the interrupted run's rounds kept, the resumed runs' rounds after them
    # (a resume starts a new pass, so pairing runs by round never mixes the two).
    for c in doc["results"]:
        before = first_pass[c["id"]]
        assert c["round"][:len(before)] == before, (c["id"], c["round"], before)
        assert all(r > last_round for r in c["round"][len(before):]), (c["id"], c["round"])
    print(f"interrupt: {kept} runs kept at Ctrl-C, {kept_after_crash} after a SIGKILL, "
          f"{total} when resumed to the end")


# A workload tree of its own: one program whose --mode says how to misbehave.
BROKEN_MANIFEST = {
    "id": "broken", "family": "test", "title": "misbehaves on request",
    "metrics": {"elapsed_s": {"unit": "s", "direction": "lower", "role": "measured",
                              "primary": True}},
    "profiles": {"quick": {"timeout_s": 3, "cells": [
        {"select": {"kind": "sequential"}, "params": {"mode": "ok"}},
        {"select": {"loop": "asyncio"}, "params": {"mode": "hang"}},
        {"select": {"loop": "uvloop"}, "params": {"mode": "crash"}},
        {"select": {"loop": "uvloop"}, "params": {"mode": "garbage"}},
        {"select": {"loop": "asyncio"}, "params": {"mode": "failed-check"}},
        {"select": {"kind": "sequential"}, "params": {"mode": "bad-histograms"}},
    ]}},
}
BROKEN_PROGRAM = """
import json, os, sys, time
model, mode = sys.argv[sys.argv.index("--model") + 1], sys.argv[sys.argv.index("--mode") + 1]
line = {"workload": "broken", "model": model, "params": {"mode": mode}, "elapsed_s": 0.01, "metrics": {}}
if mode == "hang":
    time.sleep(600)
elif mode == "crash":
    os.abort()
elif mode == "garbage":
    print("this is not JSON")
elif mode == "bad-histograms":
    print(json.dumps(dict(line, status="ok", histograms={"latency": [1, 2]})))
elif mode == "failed-check":
    print(json.dumps(dict(line, status="failed", error="check failed: planted")))
    sys.exit(1)
else:
    print(json.dumps(dict(line, status="ok")))
"""


def failures(bin_dir, root, tmp):
    wdir = os.path.join(tmp, "tree", "workloads", "test", "broken")
    os.makedirs(wdir)
    shutil.copy(os.path.join(root, "workloads", "models.json"),
                os.path.join(tmp, "tree", "workloads", "models.json"))
    with open(os.path.join(wdir, "workload.json"), "w") as f:
        json.dump(BROKEN_MANIFEST, f)
    for name in ("sync.py", "asyncio.py"):
        with open(os.path.join(wdir, name), "w") as f:
            f.write(BROKEN_PROGRAM)
    out = os.path.join(tmp, "broken.json")
    t0 = time.time()
    r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "--root", os.path.join(tmp, "tree"), "run",
                        "--profile", "quick", "--out", out], capture_output=True, text=True, timeout=120)
    took = time.time() - t0
    assert r.returncode == 1, f"exit {r.returncode}, expected 1:\n{r.stderr[-2000:]}"
    validate(root, out)
    doc, _ = counted(out)
    status = {c["params"]["mode"]: (c["status"], c.get("error", "")) for c in doc["results"]}
    assert status["ok"][0] == "ok" and len(doc["results"][0]["elapsed_s"]) == 3, status
    assert status["hang"][0] == "timeout", status
    assert status["crash"][0] == "failed" and "signal" in status["crash"][1].lower(), status
    assert status["garbage"][0] == "failed", status
    assert status["failed-check"][0] == "failed" and "planted" in status["failed-check"][1], status
    assert status["bad-histograms"][0] == "failed" and "histograms" in status["bad-histograms"][1], status
    assert doc["run"]["state"] == "complete", doc["run"]["state"]
    # The hang is stopped at its timeout (3 s) once, not at every repeat, and not waited out.
    assert took < 60, f"took {took:.0f} s"
    print(f"failures: {status}")


SPIN = "import time\nend = time.time() + 120\nwhile time.time() < end: pass\n"


def disturbed(bin_dir, root, tmp):
    def run(name):
        out = os.path.join(tmp, f"{name}.json")
        r = subprocess.run([os.path.join(bin_dir, "asyncbench"), "run", "-w", "count", "-m",
                            "aio-epoll", "--profile", "quick", "--repeat", "5", "--out", out],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        doc, _ = counted(out)
        c = doc["results"][0]
        return c["disturbed_runs"], c["others_cpu_s"], c["wall_s"]

    idle, others, wall = run("idle")
    assert idle == 0, (f"idle machine: {idle} of 5 runs flagged disturbed; others' CPU per run "
                       f"{others} s, wall {wall} s")
    spinners = [subprocess.Popen(["/usr/bin/python3", "-c", SPIN]) for _ in range(os.cpu_count() or 1)]
    try:
        time.sleep(0.5)
        loaded, others_l, wall_l = run("loaded")
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    assert loaded == 5, (f"every core busy: only {loaded} of 5 runs flagged disturbed; others' "
                         f"CPU per run {others_l} s, wall {wall_l} s")
    print(f"disturbed: idle 0 of 5 flagged (others' CPU {max(others):.3f} s at most, runs of "
          f"{min(wall):.3f} s and more); loaded 5 of 5 (others' CPU {min(others_l):.3f} s at least)")


def main():
    what, bin_dir, root = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="asyncbench_e2e_") as tmp:
        {"smoke": smoke, "interrupt": interrupt, "failures": failures,
         "disturbed": disturbed}[what](bin_dir, root, tmp)


if __name__ == "__main__":
    main()
