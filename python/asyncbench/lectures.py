"""The lectures' sync-vs-async ratios, read off a results file (scripts/lecture_ratios.py prints
them, `asyncbench report` shows them).

The lectures' headline figures are ratios: countsync.py takes 3.01 s and countasync.py 1.01 s;
the chess exhibition takes 12 h sequentially and 1 h concurrently; three blocking calls take 3 s
inline and 1 s with to_thread; gather's factorials take 6 s in turn and 3 s together. Each ratio
is measured as the median elapsed of the sequential cell over the concurrent one.
"""
from .results import param, spread

# (label, workload, sequential model, sequential params, concurrent model, concurrent params, ratio)
RATIOS = [
    ("count: sync / aio", "count", "sync", {}, "aio-epoll", {}, 3.0),
    ("count: py-sync / py-asyncio", "count", "py-sync", {}, "py-asyncio", {}, 3.0),
    ("chess: sync / aio", "chess", "sync", {}, "aio-epoll", {}, 12.0),
    ("chess: py-sync / py-asyncio", "chess", "py-sync", {}, "py-asyncio", {}, 12.0),
    ("blocking-offload: inline / to_thread (aio)", "blocking-offload", "aio-epoll",
     {"mode": "inline"}, "aio-epoll", {"mode": "offload"}, 3.0),
    ("blocking-offload: inline / to_thread (asyncio)", "blocking-offload", "py-asyncio",
     {"mode": "inline"}, "py-asyncio", {"mode": "offload"}, 3.0),
    ("gather-factorial: sync / aio", "gather-factorial", "sync", {}, "aio-epoll", {}, 2.0),
    ("say-after: sync / aio", "say-after", "sync", {}, "aio-epoll", {}, 1.5),
    ("as-completed: sync / aio", "as-completed", "sync", {}, "aio-epoll", {}, 2.5),
]
# The workloads whose concurrent time aio and asyncio should agree on (both near the ideal).
AGREE = ["count", "say-after", "gather-factorial", "as-completed", "wait-for", "chess"]


def find(res, workload, model, params, what="elapsed_s"):
    """The median of `what` over the runs of the ok cell of this workload, model and params."""
    for c in res.of(workload, ok=True):
        if c["model"] == model and all(param(c, k) == v for k, v in params.items()):
            s = spread(c, what) if what else None
            return s.median if s else None
    return None


def ratios(res, tolerance_pct=10):
    """[{label, lecture, measured (None: not in the file), within (None, True, False)}]."""
    out = []
    for label, w, m1, p1, m2, p2, want in RATIOS:
        s, c = find(res, w, m1, p1), find(res, w, m2, p2)
        r = s / c if s is not None and c else None
        out.append({"label": label, "workload": w, "lecture": want, "measured": r,
                    "within": None if r is None else abs(r - want) / want * 100 <= tolerance_pct})
    return out


def ideals(res):
    """[{workload, ideal, aio, asyncio, aio_above_pct, asyncio_above_pct}]: the concurrent ideal
    each workload declares for elapsed_s, and how far aio-epoll and py-asyncio are above it."""
    out = []
    for w in AGREE:
        x, y = find(res, w, "aio-epoll", {}), find(res, w, "py-asyncio", {})
        ideal_metric = res.ideal_for(w, "elapsed_s")
        ideal = find(res, w, "aio-epoll", {}, ideal_metric) if ideal_metric else None
        if x is None or y is None or not ideal:
            continue
        out.append({"workload": w, "ideal": ideal, "aio": x, "asyncio": y,
                    "aio_above_pct": (x - ideal) / ideal * 100,
                    "asyncio_above_pct": (y - ideal) / ideal * 100})
    return out
