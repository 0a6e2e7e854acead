#!/usr/bin/python3
"""Checks that `make plots` drew the named figures from the results file: each exists as a PNG
(a valid signature, at least 400 × 400 pixels by its IHDR chunk, at least 10 kB) and as an SVG,
and both are newer than the results file.

  /usr/bin/python3 scripts/check_figures.py --results results/latest.json \\
      --figures results/figures elapsed sleep_fanout loop_lag

Exit 0 when every figure passes; 1 with one line per problem otherwise; 2 for bad arguments.
"""
import argparse
import os
import struct
import sys

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_PIXELS = 400
MIN_PNG_BYTES = 10_000


def png_problems(path):
    """Problems with a PNG file: its signature, its IHDR size, its length."""
    with open(path, "rb") as f:
        head = f.read(33)
    if len(head) < 24 or head[:8] != PNG_SIGNATURE:
        return [f"{path}: not a PNG (bad signature)"]
    length, kind = struct.unpack(">I4s", head[8:16])
    if kind != b"IHDR" or length != 13:
        return [f"{path}: not a PNG (no IHDR chunk first)"]
    width, height = struct.unpack(">II", head[16:24])
    problems = []
    if width < MIN_PIXELS or height < MIN_PIXELS:
        problems.append(f"{path}: {width} × {height} pixels, smaller than "
                        f"{MIN_PIXELS} × {MIN_PIXELS}")
    size = os.path.getsize(path)
    if size < MIN_PNG_BYTES:
        problems.append(f"{path}: {size} bytes, smaller than {MIN_PNG_BYTES // 1000} kB "
                        "(an empty figure?)")
    return problems


def svg_problems(path):
    with open(path, "rb") as f:
        head = f.read(4096)
    if b"<svg" not in head:
        return [f"{path}: not an SVG (no <svg element at its start)"]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", required=True, help="the results file the figures come from")
    ap.add_argument("--figures", required=True, help="the directory of the figures")
    ap.add_argument("names", nargs="+", metavar="NAME", help="figure names (elapsed, echo, ...)")
    args = ap.parse_args()
    try:
        results_mtime = os.stat(args.results).st_mtime
    except OSError as e:
        print(f"check_figures: {args.results}: {e.strerror}", file=sys.stderr)
        return 2

    problems = []
    for name in args.names:
        for ext, check in (("png", png_problems), ("svg", svg_problems)):
            path = os.path.join(args.figures, f"{name}.{ext}")
            if not os.path.isfile(path):
                problems.append(f"{path}: missing")
                continue
            problems += check(path)
            if os.stat(path).st_mtime <= results_mtime:
                problems.append(f"{path}: older than {args.results} (not redrawn from it)")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
