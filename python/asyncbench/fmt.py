"""Numbers as the figures and tables print them, one way everywhere: a median in a table cell,
a duration on an axis, a byte count, a task count, a row's parameters.
"""


def number(x):
    """A table's number: thousands with separators, then 0, 1, 2 decimals as it shrinks, and
    three significant digits below 1 (0.073, 0.00054): 12,000 · 305 · 50.3 · 3.02 · 0.541."""
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def short(x):
    """Three significant digits, thousands with separators: 50, 3.6, 305, 12,000."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def duration(seconds):
    """A duration in the unit a reader expects: 50 ms, 3.6 s, 12 h."""
    s = abs(seconds)
    if s >= 7200:
        return f"{short(seconds / 3600)} h"
    if s >= 1:
        return f"{short(seconds)} s"
    if s >= 1e-3:
        return f"{short(seconds * 1e3)} ms"
    return f"{short(seconds * 1e6)} µs"


def bytes_label(b):
    for unit, k in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(b) >= k:
            return f"{b / k:g} {unit}"
    return f"{b:g} B"


def count_label(n):
    """1000 -> 1k, 1000000 -> 1M, other counts as they are."""
    n = float(n)
    if n >= 1e6 and n % 1e6 == 0:
        return f"{n / 1e6:g}M"
    if n >= 1e3 and n % 1e3 == 0:
        return f"{n / 1e3:g}k"
    return f"{n:g}"


def time_scale(x):
    """A --time-scale as the tables print it: 0.05, or 1/12,000 for the tiny ones."""
    x = float(x)
    return f"1/{1 / x:,.0f}" if 0 < x < 0.001 else f"{x:g}"


def describe_variant(key):
    """(("time_scale", 0.05), ("mode", "inline")) as the README's tables print a row's
    parameters: "scale 0.05, mode inline"."""
    parts = []
    for k, v in key:
        parts.append(f"scale {time_scale(v)}" if k == "time_scale" else f"{k} {v}")
    return ", ".join(parts)


def in_display_unit(unit):
    """(unit shown, factor) for a declared unit: seconds are shown in ms (the lectures' scale
    is tenths of a second), every other unit as it is."""
    return ("ms", 1e3) if unit == "s" else (unit or "", 1.0)
