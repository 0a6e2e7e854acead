"""The echo verdict's data (scripts/echo_verdict.py prints it as Markdown, `asyncbench report`
as HTML): aio against libuv and Asio on 64-byte echo, in two halves.

  counted(res, size, conns)   the deterministic half, from a counted file (asyncbench run
                              --count): per connection count, each server's instructions per
                              request split into program / runtime / libc+libstdc++, its system
                              calls (top three) and context switches per request
  timed(files, size, conns)   the timed half: asyncbench compare --pair (the one verdict
                              engine) of server CPU per request and requests/s, pooled over the
                              files and paired by round

No statistics are computed here: every ratio, interval and verdict of the timed half is
compare's.
"""
from .compare import compare_pairs
from .registry import Error
from .results import param, runs

AIO = ["aio-epoll", "aio-uring"]
OTHERS = ["libuv", "asio"]
PAIRS = [(a, b) for a in AIO for b in OTHERS]
CPU, RPS = "server_cpu_us_per_req", "rps"
LIMITS = ["raw-epoll", "raw-uring"]
INSTR, CALLS, SWITCHES = ("instructions_per_request", "syscalls_per_request",
                          "ctx_switches_per_request")
PARTS = ("program", "runtime", "system")


def _one(cell, metric):
    v = runs(cell, metric)
    return v[0] if v else None


def counted(res, size, conns):
    """{connections: {"rows": [{model, instructions, parts: [program, runtime, system],
    syscalls, syscalls_top, switches}], "ratios": [(a, b, a's instructions / b's)]}} for the
    connection counts that have counted cells; Error when the file has none of this size."""
    cells = {}
    for c in res.of("echo", ok=True):
        if INSTR in c["metrics"] and param(c, "size") == size:
            cells[(param(c, "connections"), c["model"])] = c
    if not cells:
        raise Error(f"{res.display_path()}: no counted {size}-byte echo cell ({INSTR}); "
                    "asyncbench run --count makes them")
    out = {}
    for n in conns:
        models = [m for m in AIO + OTHERS + LIMITS if (n, m) in cells]
        if not models:
            continue
        rows = []
        for m in models:
            c = cells[(n, m)]
            rows.append({"model": m, "instructions": _one(c, INSTR),
                         "parts": [_one(c, f"{INSTR}_{p}") or 0 for p in PARTS],
                         "syscalls": _one(c, CALLS),
                         "syscalls_top": (c.get("info") or {}).get(CALLS + "_top", ""),
                         "switches": _one(c, SWITCHES)})
        ratios = [(a, b, _one(cells[(n, a)], INSTR) / _one(cells[(n, b)], INSTR))
                  for a, b in PAIRS if (n, a) in cells and (n, b) in cells]
        out[n] = {"rows": rows, "ratios": ratios}
    return out


def timed(files, size, conns, binary=None):
    """(summary, rows): summary[(connections, model, metric)] is compare's pooled summary of the
    model's runs ({n, median, min, max}); rows[(connections, a, b, metric)] is compare's row of
    the pairing (ratio_of_medians, paired, ci95, p_a_better, verdict). Error when compare cannot
    answer or a model has no runs at a connection count."""
    verdict = compare_pairs(files, PAIRS, workloads=["echo"],
                            where=[f"size={size}", "connections=" + ",".join(map(str, conns))],
                            metrics=[CPU, RPS], binary=binary)
    rows, summary = {}, {}
    for r in verdict["rows"]:
        n = int(r["params"]["connections"])
        rows[(n, r["a"], r["b"], r["metric"])] = r
        summary[(n, r["a"], r["metric"])] = r["a_summary"]
        summary[(n, r["b"], r["metric"])] = r["b_summary"]
    for n in conns:
        missing = [m for m in AIO + OTHERS
                   if (n, m, CPU) not in summary or (n, m, RPS) not in summary]
        if missing:
            raise Error(f"no {size}-byte runs at {n} connections for {', '.join(missing)}")
    return summary, rows


def ratio_text(r):
    """compare's ratio of aio's figure to the competitor's, with its 95 % interval."""
    paired = r.get("paired")
    mid = paired["median_ratio"] if paired and paired.get("median_ratio") is not None \
        else r["ratio_of_medians"]
    ci = r.get("ci95")
    text = f"{mid:.3f}" if mid is not None else "–"
    if ci:
        text += f" [{ci['lo']:.3f}–{ci['hi']:.3f}]" + (" unpaired" if ci["from"] == "runs" else "")
    return text


def won_text(r):
    paired = r.get("paired")
    return f"{paired['a_won']} of {paired['rounds']}" if paired else "– (no rounds)"
