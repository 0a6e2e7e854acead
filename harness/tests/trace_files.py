"""`asyncbench trace`: the file is a Chrome trace (valid JSON, traceEvents with ph, ts, pid, tid),
and it shows what the lectures draw: count's three tasks overlapping in one sleep under aio, one
after another under sequential code. The models come from the registry (workloads/models.json):
aio's, those with a `backend`, and those of kind sequential.

    trace_files.py BIN_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

from checks import Checks

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "python"))
import asyncbench  # noqa: E402  (found through the path set just above)

REGISTRY = asyncbench.registry()
AIO = [m["id"] for m in REGISTRY.models if m.get("backend")]   # aio on each of its backends
SEQUENTIAL = REGISTRY.of_kind("sequential")


def spans(doc, cat_prefix="waiting: timer"):
    """(pid, tid) -> list of (start, end) of the named spans, in µs."""
    out = {}
    for e in doc["traceEvents"]:
        if e.get("ph") == "X" and e.get("name", "").startswith(cat_prefix):
            out.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    return out


def main(bin_dir):
    check = Checks()

    exe = os.path.join(bin_dir, "asyncbench")
    with tempfile.TemporaryDirectory() as tmp:
        docs = {}
        for model in AIO + SEQUENTIAL:
            out = os.path.join(tmp, f"count-{model}.json")
            p = subprocess.run([exe, "trace", "count", "--model", model, "--out", out],
                               capture_output=True, text=True, timeout=120)
            check(p.returncode == 0 and os.path.exists(out), f"trace count --model {model}",
                  p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "")
            if p.returncode != 0:
                continue
            with open(out) as f:
                doc = json.load(f)
            docs[model] = doc
            events = doc.get("traceEvents", [])
            check(events and all(all(k in e for k in ("ph", "pid", "tid")) and
                                 (e["ph"] == "M" or "ts" in e) for e in events),
                  f"{model}: traceEvents each with ph, ts, pid, tid", f"{len(events)} events")
            check(doc.get("otherData", {}).get("workload") == "count",
                  f"{model}: the file says what ran")

        scale = None
        for model in AIO:
            if model not in docs:
                continue
            waits = [w for ws in spans(docs[model]).values() for w in ws]
            scale = docs[model]["otherData"]["params"].get("time_scale", 1.0)
            check(len(waits) == 3, f"{model}: three tasks sleep", len(waits))
            if len(waits) == 3:
                start = max(a for a, _ in waits)
                end = min(b for _, b in waits)
                check(start < end, f"{model}: the three sleeps overlap (one window)",
                      f"common window {(end - start) / 1e3:.1f} ms of a {scale * 1e3:.0f} ms sleep")
        for model in SEQUENTIAL:
            if model not in docs:
                continue
            per_track = spans(docs[model])
            waits = sorted(w for ws in per_track.values() for w in ws)
            check(len(per_track) == 3 and len(waits) == 3, f"{model}: three tasks, each sleeping",
                  f"{len(per_track)} tracks")
            check(all(waits[i][1] <= waits[i + 1][0] for i in range(len(waits) - 1)),
                  f"{model}: the sleeps come one after another")

        bad = subprocess.run([exe, "trace", "echo", "--model", SEQUENTIAL[0], "--out",
                              os.path.join(tmp, "x.json")], capture_output=True, text=True)
        check(bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1,
              "a network workload: one line, exit 2", bad.stderr.strip())
        bad = subprocess.run([exe, "trace", "count", "--model", AIO[0], "--param", "x",
                              "--out", os.path.join(tmp, "x.json")], capture_output=True, text=True)
        check(bad.returncode == 2 and "name=value" in bad.stderr, "a malformed --param: exit 2",
              bad.stderr.strip())

    return check.summary()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: trace_files.py BIN_DIR\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
