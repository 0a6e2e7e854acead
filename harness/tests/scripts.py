"""The report scripts (scripts/*.py) on the committed reference results, and on bad input.

    /usr/bin/python3 harness/tests/scripts.py PROJECT_SOURCE_DIR

validate_results.py passes every file in results/reference/; results_table.py, lecture_ratios.py
and echo_verdict.py print their tables from them, and echo_verdict.py's resampling gives the same
figures twice (its seed is fixed). Each of the three says what is wrong with an unreadable file,
a JSON file that is not a results file, or a bad option in one line on stderr and exits 2.
Output ends with "N passed, N failed".
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

from checks import Checks

PYTHON = "/usr/bin/python3"


def main(root):
    check = Checks()
    ref = os.path.join(root, "results", "reference")

    def run(script, *args):
        return subprocess.run([PYTHON, os.path.join(root, "scripts", script), *args],
                              capture_output=True, text=True, timeout=300)

    files = sorted(glob.glob(os.path.join(ref, "*.json")))
    p = run("validate_results.py", *files)
    check(files and p.returncode == 0, f"validate_results.py: the {len(files)} reference files",
          (p.stdout + p.stderr).strip() if p.returncode else "")

    quick = os.path.join(ref, "quick.json")
    full = os.path.join(ref, "full.json")
    p = run("results_table.py", quick)
    check(p.returncode == 0 and "| count |" in p.stdout and "aio-uring" in p.stdout,
          "results_table.py: quick.json as tables", p.stderr.strip())
    p = run("results_table.py", full, "--workloads", "echo", "--metric", "server_cpu_us_per_req")
    check(p.returncode == 0 and "| echo |" in p.stdout, "results_table.py: echo's CPU per request",
          p.stderr.strip())

    p = run("lecture_ratios.py", full)
    check(p.returncode == 0 and "| count |" in p.stdout, "lecture_ratios.py: full.json",
          p.stderr.strip())

    verdict = [os.path.join(ref, "echo-verdict-a.json"), os.path.join(ref, "echo-verdict-b.json")]
    p = run("echo_verdict.py", *verdict)
    check(p.returncode == 0 and "| aio-epoll vs libuv |" in p.stdout and "pooled" in p.stdout
          and "| aio-uring vs asio |" in p.stdout and " of 36 |" in p.stdout,
          "echo_verdict.py: the two verdict runs pooled, and paired by round (36 rounds)",
          p.stderr.strip())
    a = run("echo_verdict.py", *verdict, "--resample", "9", "--margin", "5")
    b = run("echo_verdict.py", *verdict, "--resample", "9", "--margin", "5")
    check(a.returncode == 0 and "pairings met on both measures" in a.stdout
          and "within 5 %" in a.stdout and a.stdout == b.stdout,
          "echo_verdict.py --resample: the same estimate twice", a.stderr.strip())

    with tempfile.TemporaryDirectory() as tmp:
        not_results = os.path.join(tmp, "not-results.json")
        with open(not_results, "w") as f:
            json.dump({"hello": 1}, f)
        broken = os.path.join(tmp, "broken.json")
        with open(broken, "w") as f:
            f.write('{"results": [')
        missing = os.path.join(tmp, "missing.json")
        bad = [
            ("results_table.py", [missing]),
            ("results_table.py", [broken]),
            ("results_table.py", [not_results]),
            ("lecture_ratios.py", [missing]),
            ("lecture_ratios.py", [broken]),
            ("lecture_ratios.py", [not_results]),
            ("echo_verdict.py", [missing]),
            ("echo_verdict.py", [broken]),
            ("echo_verdict.py", [not_results]),
            ("echo_verdict.py", [os.path.join(ref, "scraper-full.json")]),  # no echo cells
            ("echo_verdict.py", [*verdict, "--connections", "16,x"]),
            ("echo_verdict.py", [*verdict, "--resample", "0"]),
            ("echo_verdict.py", [*verdict, "--resample", "5", "--margin", "100"]),
            ("echo_verdict.py", [*verdict, "--margin", "5"]),  # a tolerance for nothing
        ]
        for script, args in bad:
            p = run(script, *args)
            name = script[:-3]
            lines = p.stderr.strip().splitlines()
            shown = " ".join(os.path.basename(x) if os.sep in x else x for x in args)
            check(p.returncode == 2 and len(lines) == 1 and lines[0].startswith(name + ": ")
                  and "Traceback" not in p.stderr,
                  f"{script} {shown}: one line, exit 2", p.stderr.strip() or f"exit {p.returncode}")

    return check.summary()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: scripts.py PROJECT_SOURCE_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
