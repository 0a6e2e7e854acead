"""What every Python model program shares: the command line, the clock, the self-checks, the
one JSON line (the same contract as workloads/common/workload.hpp for the C++ models).

A program is started by the harness with Debian's /usr/bin/python3 as

    asyncio.py --model py-asyncio|py-uvloop [--time-scale S] [--<param> <value>]...
    sync.py    --model py-sync ...

runs the scenario once, checks itself, and prints exactly one JSON line on stdout:
{"workload", "model", "status": "ok"|"failed"|"unsupported", "params", "elapsed_s", "metrics",
"error"}; exit 0 ok, 1 failed, 77 unsupported, 2 bad arguments.

    import wl

    def body(w):
        w.add("--tasks", type=int, default=3)
        args = w.parse()
        ...
        w.check(events == expected, "order")
        w.elapsed(seconds)

    wl.main("count", body)

The models a program runs as are those whose source is its file name (asyncio.py: py-asyncio and
py-uvloop), as the registry, workloads/models.json, declares them; so is each model's event loop
and timer resolution.
"""
import argparse
import asyncio
import json
import os
import sys
import threading
import time
import traceback

_REGISTRY_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "models.json")
_registry_cache = []


def registry():
    """The model registry (workloads/models.json): {id: entry}, in registry order."""
    if not _registry_cache:
        with open(_REGISTRY_PATH) as f:
            _registry_cache.append({m["id"]: m for m in json.load(f)["models"]})
    return _registry_cache[0]


def models_of(source):
    """The ids of the models whose program is the file `source` (a base name)."""
    models = tuple(m for m, e in registry().items() if e["source"] == source)
    if not models:
        raise ValueError(f"no model of {_REGISTRY_PATH} has the source {source}")
    return models


def program_models():
    """The models this program (sys.argv[0]) runs as."""
    return models_of(os.path.basename(sys.argv[0]))


def install_loop(model):
    """Makes the model's event loop asyncio's (registry: loop); uvloop is imported only here, so
    that the other models never load it. Call before any clock starts: the lectures time
    asyncio.run(main()), with the imports at the top of the file, outside."""
    if registry()[model].get("loop") == "uvloop":
        import uvloop
        uvloop.install()  # Python 3.11's asyncio.run has no loop_factory yet


class Unsupported(Exception):
    """This model cannot sensibly run these parameters (exit 77)."""


class Parser(argparse.ArgumentParser):
    """Bad input is one line on stderr and exit 2 (argparse would print the usage first)."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: {message}\n")
        sys.exit(2)


class Workload:
    def __init__(self, workload, models):
        self.workload = workload
        self.model = None
        self.params = {}
        self.metrics = {}
        self._failed = []
        self._elapsed = None
        self._parser = Parser(prog=f"{workload} ({sys.argv[0]})")
        self._parser.add_argument("--model", required=True, choices=models)
        self._parser.add_argument("--time-scale", type=float, default=1.0)
        self.time_scale = 1.0

    def add(self, *args, **kwargs):
        """An option of the workload's own (argparse's add_argument)."""
        return self._parser.add_argument(*args, **kwargs)

    def parse(self):
        args = self._parser.parse_args()  # bad input: one line on stderr, exit 2
        if args.time_scale <= 0:
            self._parser.error("--time-scale must be positive")
        self.model = args.model
        self.time_scale = args.time_scale
        self.params["time_scale"] = args.time_scale
        install_loop(self.model)
        return args

    def scaled(self, lecture_seconds):
        """A lecture duration in seconds at this run's time scale."""
        return lecture_seconds * self.time_scale

    @property
    def clock_resolution_s(self):
        """How early by a precise clock this model's timers may fire (registry:
        timer_resolution_s; uvloop's timers are libuv's, which count whole milliseconds of a
        truncated loop clock, common/uv.hpp)."""
        return float(registry()[self.model].get("timer_resolution_s", 0))

    def check(self, ok, what):
        if not ok:
            self._failed.append(what)

    def check_not_early(self, elapsed, ideal, what="finished before the sleeps could"):
        """The run cannot have taken less than its ideal (1 % and the clock's resolution aside)."""
        self.check(elapsed >= ideal * 0.99 - self.clock_resolution_s, what)

    def elapsed(self, seconds):
        self._elapsed = seconds

    def unsupported(self, reason):
        raise Unsupported(reason)

    def _line(self, status, error=None):
        out = {"workload": self.workload, "model": self.model, "status": status,
               "params": self.params}
        if status != "unsupported" and self._elapsed is not None:
            out["elapsed_s"] = self._elapsed
        if status != "unsupported":
            out["metrics"] = self.metrics
        if error:
            out["error"] = error
        print(json.dumps(out), flush=True)


def main(workload, body, models=None):
    """Runs body(w) and prints the JSON line; exits with the contract's code. `models`: the
    model ids this program serves (--model must be one of them); by default those of the
    registry whose source is this program's file."""
    w = Workload(workload, models or program_models())
    try:
        try:
            body(w)
        finally:
            trace_flush()
    except Unsupported as u:
        w._line("unsupported", str(u))
        sys.exit(77)
    except Exception as e:  # report it as the run's failure, with where it happened
        traceback.print_exc(file=sys.stderr)
        w._line("failed", f"{type(e).__name__}: {e}")
        sys.exit(1)
    error = None
    if w._failed:
        error = "check failed: " + "; ".join(w._failed)
    elif w._elapsed is None:
        error = "the workload reported no elapsed time"
    w._line("failed" if error else "ok", error)
    sys.exit(1 if error else 0)


def positive_int(text):
    """argparse type: a whole number of at least 1 (bad input is argparse's one-line error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def positive_float(text):
    """argparse type: a finite number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, not {text}")
    return value


def run_loop(coro, model):
    """asyncio.run on the model's loop: the standard one for py-asyncio, uvloop for py-uvloop
    (installed as the event loop policy by Workload.parse; Python 3.11's asyncio.run has no
    loop_factory yet)."""
    if not registry().get(model, {}).get("loop"):
        raise ValueError(f"not an asyncio model: {model}")
    return asyncio.run(coro)


class Stopwatch:
    def __init__(self):
        self.t0 = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.t0


def burn_cpu(seconds):
    """Keeps this thread busy for `seconds` (real work, not a sleep)."""
    end = time.perf_counter() + seconds
    x = 88172645463325252
    while time.perf_counter() < end:
        for _ in range(64):
            x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return x


def rss_kb():
    return _status_kb("VmRSS:")


def peak_rss_kb():
    return _status_kb("VmHWM:")


def _status_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return -1


# ---- traces: the lines aio/trace_events.hpp writes for aio and the C++ models (its header says
# the format), here in Python ----

_TRACE_PATH = os.environ.get("AIO_TRACE") or None
_trace_lock = threading.Lock()
_trace_lines = []
_trace_next = [1]
_trace_pid = [None]


def _trace_reset_if_forked():
    if _trace_pid[0] != os.getpid():
        _trace_pid[0] = os.getpid()
        _trace_lines.clear()
        _trace_next[0] = 1


def _micros(ns):
    return f"{ns // 1000}.{ns % 1000:03d}"


class Track:
    """A task's track in the trace (AIO_TRACE set): running from its creation, then running()
    and waiting(on) as the task goes, mark(text) for what it prints, finish() at its end. Does
    nothing without AIO_TRACE. Any thread may use a track (one at a time)."""

    def __init__(self, name):
        self._tid = 0
        if not _TRACE_PATH:
            return
        with _trace_lock:
            _trace_reset_if_forked()
            self._pid = _trace_pid[0]
            self._tid = _trace_next[0]
            _trace_next[0] += 1
            if self._tid == 1:
                _trace_lines.append(json.dumps({"ph": "M", "pid": self._pid, "tid": 0,
                                                "name": "process_name",
                                                "args": {"name": f"pid {self._pid}"}}))
            _trace_lines.append(json.dumps({"ph": "M", "pid": self._pid, "tid": self._tid,
                                            "name": "thread_name",
                                            "args": {"name": name, "track": "task"}}))
            _trace_lines.append(json.dumps({"ph": "M", "pid": self._pid, "tid": self._tid,
                                            "name": "thread_sort_index",
                                            "args": {"sort_index": self._tid}}))
        self._cat, self._name, self._since = "running", "running", time.monotonic_ns()

    def _append(self, event):
        with _trace_lock:
            if _trace_pid[0] == self._pid:
                _trace_lines.append(json.dumps(event))

    def _close(self, now):
        # ts/dur in microseconds with nanosecond digits, as aio writes them
        self._append({"ph": "X", "pid": self._pid, "tid": self._tid, "cat": self._cat,
                      "name": self._name, "ts": float(_micros(self._since)),
                      "dur": float(_micros(max(0, now - self._since)))})

    def _change(self, cat, name):
        if not self._tid:
            return
        now = time.monotonic_ns()
        self._close(now)
        self._cat, self._name, self._since = cat, name, now

    def running(self):
        self._change("running", "running")

    def waiting(self, on):
        self._change("waiting", f"waiting: {on}")

    def mark(self, text):
        if self._tid:
            self._append({"ph": "i", "s": "t", "pid": self._pid, "tid": self._tid,
                          "cat": "mark", "name": text,
                          "ts": float(_micros(time.monotonic_ns()))})

    def finish(self):
        if self._tid:
            self._close(time.monotonic_ns())
            self._tid = 0


def trace_flush():
    """Appends this process's trace events to the AIO_TRACE file (one write, O_APPEND)."""
    if not _TRACE_PATH:
        return
    with _trace_lock:
        _trace_reset_if_forked()
        out = "".join(line + "\n" for line in _trace_lines)
        _trace_lines.clear()
    if out:
        fd = os.open(_TRACE_PATH, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, out.encode())
        finally:
            os.close(fd)
