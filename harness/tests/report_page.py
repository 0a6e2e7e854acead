"""asyncbench report, as its reader sees it: the page opened in a real browser (Debian's headless
Chromium, driven by Selenium through chromedriver).

    /usr/bin/python3 harness/tests/report_page.py BIN_DIR PROJECT_SOURCE_DIR [SCREENSHOT_DIR]

- bad input is one line on stderr and exit 2, and no page is written: a file that is not a
  results file, --out a directory, --out in a missing directory, no --out;
- the page of the committed quick reference, with two fresh timeline traces, the committed
  counts and a --compare base in which one cell was planted 30 % faster (so that this run shows
  a regression of it), and a history of two runs (that base, then the reference), is one
  self-contained file: no <script>, no reference to any http(s)
  address, every figure an inline <svg>;
- in Chromium: every section is there and shown, in the issue's order; every figure drew (an
  <svg> with a size and content); the planted cell heads the regressions, and the history's
  step; --history of a missing folder or of fewer than two runs is one line; the console has no
  error; the page loaded nothing but itself; a full-page screenshot is saved (SCREENSHOT_DIR,
  default the current directory: report.png) to be looked at.

Output ends with "N passed, N failed".
"""
import collections
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

from checks import Checks

SECTIONS = ["run", "lectures", "figures", "echo", "tables", "not-run", "compare", "history"]
PLANTED = "count/aio-epoll/time_scale:0.05"  # elapsed_s made 30 % faster in the base


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def one_line_error(p):
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    return p.returncode == 2 and len(lines) == 1 and "Traceback" not in p.stderr


def browser(path, shots, check):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get("file://" + os.path.abspath(path))
        check(driver.title.startswith("asyncbench:"), "the page has its title", driver.title)
        # Every section, shown, in the order.
        tops = []
        for s in SECTIONS:
            els = driver.find_elements(By.ID, s)
            shown = bool(els) and els[0].is_displayed() and els[0].size["height"] > 20
            check(shown, f"section #{s} is shown", "" if shown else "missing or empty")
            tops.append(els[0].location["y"] if els else -1)
        check(tops == sorted(tops) and -1 not in tops, "the sections come in the issue's order",
              tops)
        figs = driver.find_elements(By.CSS_SELECTOR, "figure")
        check(len(figs) >= 8, "at least 8 figures on the page", len(figs))
        for f in figs:
            name = f.get_attribute("id")
            svgs = f.find_elements(By.TAG_NAME, "svg")
            drew = (len(svgs) == 1 and svgs[0].size["width"] > 300 and svgs[0].size["height"] > 150
                    and len(svgs[0].find_elements(By.CSS_SELECTOR, "path, text, use")) > 20)
            check(drew, f"{name} drew", svgs[0].size if svgs else "no svg")
            cap = f.find_elements(By.TAG_NAME, "figcaption")
            check(cap and len(cap[0].text.split()) > 15, f"{name} says how to read it")
        first = driver.find_elements(By.CSS_SELECTOR, "#compare table td code")
        check(first and first[0].text == PLANTED, "the planted cell heads the regressions",
              first[0].text if first else "no regression table")
        # The history: two runs, the step between them with the planted regression first.
        steps = driver.find_elements(By.CSS_SELECTOR, "#history table tr")
        cells = steps[1].find_elements(By.CSS_SELECTOR, "td span.bad code") if len(steps) == 2 else []
        check(cells and cells[0].text == PLANTED,
              "the history's one step lists the planted regression first",
              [c.text for c in cells[:3]] if cells else f"{len(steps)} rows")
        # Nothing but the page itself was loaded.
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        check(resources == [], "the page loaded nothing else", resources)
        errors = [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
        check(not errors, "the console has no errors", errors[:3])
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 100, 30000))
        shot = os.path.join(shots, "report.png")
        driver.save_screenshot(shot)
        check(os.path.getsize(shot) > 100_000, f"screenshot saved: {shot}", os.path.getsize(shot))
    finally:
        driver.quit()


def main(bin_dir, root, shots="."):
    check = Checks()
    exe = os.path.join(bin_dir, "asyncbench")
    quick = os.path.join(root, "results", "reference", "quick-2026-11-22.json")
    counts = os.path.join(root, "results", "reference", "counts.json")
    with tempfile.TemporaryDirectory(prefix="asyncbench-report-test-") as tmp:
        out = os.path.join(tmp, "page.html")
        # Bad input: one line, exit 2, nothing written.
        notjson = os.path.join(tmp, "not.json")
        with open(notjson, "w") as f:
            f.write('{"hello": 1}')
        for what, args in [
                ("a file that is not a results file", [notjson, "--out", out]),
                ("--out a directory", [quick, "--out", tmp]),
                ("--out in a missing directory", [quick, "--out", os.path.join(tmp, "no", "p.html")]),
                ("no --out", [quick])]:
            p = run([exe, "report", *args])
            check(one_line_error(p), f"{what}: one line, exit 2", f"{p.returncode} {p.stderr!r}")
            check(not os.path.exists(out), f"{what}: no page written")

        # The base: the reference with one cell made 30 % faster, so that this run regressed.
        with open(quick) as f:
            doc = json.load(f)
        base = copy.deepcopy(doc)
        cell = next(c for c in base["results"] if c["id"] == PLANTED)
        cell["elapsed_s"] = [x * 0.7 for x in cell["elapsed_s"]]
        v = sorted(cell["elapsed_s"])
        cell["summary"]["elapsed_s"] = {"median": v[len(v) // 2], "min": v[0], "max": v[-1]}
        base_path = os.path.join(tmp, "base.json")
        with open(base_path, "w") as f:
            json.dump(base, f)
        traces = os.path.join(tmp, "traces")
        os.makedirs(traces)
        for model in ("sync", "aio-epoll"):
            p = run([exe, "trace", "count", "--model", model, "--out",
                     os.path.join(traces, f"count-{model}.json")])
            check(p.returncode == 0, f"trace of count under {model}", p.stderr[-300:])
        # The history: the base, then the reference (a folder of two runs, as results/runs).
        runs = os.path.join(tmp, "runs")
        os.makedirs(runs)
        base["created"] = "2026-01-01T00:00:00Z"
        with open(os.path.join(runs, "2026-01-01T00-00-00Z-quick.json"), "w") as f:
            json.dump(base, f)
        for what, args in [("--history a missing folder", ["--history", os.path.join(tmp, "nope")]),
                           ("--history with one run", ["--history", runs])]:
            p = run([exe, "report", quick, *args, "--out", out])
            check(one_line_error(p), f"{what}: one line, exit 2", f"{p.returncode} {p.stderr!r}")
            check(not os.path.exists(out), f"{what}: no page written")
        with open(os.path.join(runs, "2026-02-01T00-00-00Z-quick.json"), "w") as f:
            json.dump(doc, f)
        p = run([exe, "report", quick, "--compare", base_path, "--counts", counts,
                 "--traces", traces, "--history", runs, "--out", out])
        check(p.returncode == 0 and os.path.isfile(out), "the report is written", p.stderr[-500:])
        if not os.path.isfile(out):
            return check.summary()
        html = open(out, encoding="utf-8").read()
        check("<script" not in html, "no script: readable without JavaScript")
        remote = re.findall(r'(?:src|href)="(https?:[^"]+)"', html) + \
            re.findall(r"url\((?:'|\")?https?:", html)
        check(not remote, "nothing refers to the network", remote[:3])
        check(html.count("<svg") >= 8, "figures inlined as SVG", html.count("<svg"))
        ids = re.findall(r'\bid="([^"]+)"', html)
        dup = sorted(i for i, n in collections.Counter(ids).items() if n > 1)
        check(not dup, "no id twice (each figure's ids are its own)", dup[:5])
        for name in ("timeline_count", "elapsed", "echo", "counts", "compare", "history"):
            check(f'id="figure-{name}"' in html, f"the {name} figure is on the page")
        browser(out, shots, check)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
