"""The check-and-tally helper of the harness's Python tests: a line per check ("ok   what", or
"FAIL what: detail"), then the "N passed, N failed" line that a test's output ends with.

    check = Checks()
    check(p.returncode == 0, "the run finishes", p.stderr)
    return check.summary()   # the exit status: 0 when every check passed, 1 otherwise
"""


class Checks:
    def __init__(self):
        self.results = []

    def __call__(self, ok, what, detail=""):
        ok = bool(ok)
        self.results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + str(detail) if detail else ''}", flush=True)
        return ok

    def summary(self):
        passed = sum(self.results)
        print(f"{passed} passed, {len(self.results) - passed} failed")
        return 0 if passed == len(self.results) else 1
