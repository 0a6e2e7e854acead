"""Reading an asyncbench results file (SPEC §6; results/schema.json) and the accessors every
figure and report uses: a cell's planned parameters, the per-run values of a metric, their
median and min-max, and the declarations of a workload's metrics as the file carries them.

A file of schema_version 1 (the committed references) has no `models` and `workloads`: it is
upgraded in memory exactly as the harness does it (harness/src/results.cpp, upgrade()), with the
current tree's registry entries and declarations, and `declarations_from` says so.

Every failure is a BadResults with a one-line message that starts with the file's name. JSON's
NaN and Infinity are refused (Python's json accepts them; the harness never writes them), in one
line naming the cell that holds one.
"""
import json
import math
import os
import statistics

from .registry import ROOT, Error, compared, registry as _registry

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
SUITE = "asyncbench"
DECLARATIONS_FROM = ("schema_version 1 has no declarations: these are the current tree's "
                     "(workloads/models.json and the workloads' manifests)")


class BadResults(Error):
    """The file is not a readable asyncbench results file."""


# ---------------------------------------------------------------------------- parsing

class _NonFinite:
    """Stands where the text had NaN, Infinity or -Infinity, so the error can name the place."""

    def __init__(self, text):
        self.text = text


def _find_non_finite(x, path=()):
    if isinstance(x, _NonFinite):
        return path, x.text
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
    for k, v in items:
        found = _find_non_finite(v, path + (k,))
        if found:
            return found
    return None


def _where(doc, path):
    """A place in a document as a reader looks for it: "<cell id>: metrics.rps[2]" inside a
    results cell, "machine.cores" elsewhere."""
    def dotted(parts):
        text = ""
        for p in parts:
            text += f"[{p}]" if isinstance(p, int) else (("." if text else "") + str(p))
        return text or "(top)"

    if (len(path) >= 2 and path[0] == "results" and isinstance(doc, dict)
            and isinstance(doc.get("results"), list) and isinstance(path[1], int)):
        cell = doc["results"][path[1]]
        name = cell.get("id") if isinstance(cell, dict) else None
        cell_name = name if isinstance(name, str) else f"results[{path[1]}]"
        return f"{cell_name}: {dotted(path[2:])}" if path[2:] else cell_name
    return dotted(path)


def read_json(path, error=BadResults, name=None):
    """The JSON document in `path`, or `error` raised with one line ("<name>: ..."). NaN,
    Infinity and -Infinity are refused, naming where the first one is."""
    name = path if name is None else name
    seen = []

    def constant(text):
        seen.append(text)
        return _NonFinite(text)

    def number(text):
        x = float(text)
        # 1e999 parses as inf without passing parse_constant.
        return x if math.isfinite(x) else constant(text)

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f, parse_constant=constant, parse_float=number)
    except OSError as e:
        raise error(f"{name}: {e.strerror or e}") from None
    except (ValueError, RecursionError) as e:
        raise error(f"{name}: not JSON ({e})") from None
    if seen:
        where, text = _find_non_finite(doc)
        raise error(f"{name}: {_where(doc, where)} is {text}, which JSON does not allow "
                    "(a results file holds finite numbers only)")
    return doc


def upgrade(doc, reg=None):
    """A schema_version 1 document given the current tree's declarations, in place, as the
    harness's upgrade(): the registry entry of each model and the declarations of each workload
    its cells use (those the tree still has), declarations_from, and schema_version 2. Other
    documents are left as they are. Returns doc."""
    if doc.get("schema_version") != 1:
        return doc
    reg = reg or _registry()
    models, workloads = {}, {}
    for c in doc.get("results") or []:
        if not isinstance(c, dict):
            continue
        m, w = c.get("model"), c.get("workload")
        if isinstance(m, str) and m not in models and reg.model(m):
            models[m] = reg.model(m)
        if isinstance(w, str) and w not in workloads:
            d = reg.declaration(w)
            if d is not None:
                workloads[w] = d
    doc["models"] = models
    doc["workloads"] = workloads
    doc["declarations_from"] = DECLARATIONS_FROM
    doc["schema_version"] = SCHEMA_VERSION
    return doc


def _number_list(x):
    return isinstance(x, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in x)


def check_cells(doc, path, reg=None):
    """What every reader relies on: each cell an object with string id, workload, model and
    status, params an object, the run arrays and metrics lists of numbers. Raises BadResults."""
    run_arrays = list((reg or _registry()).run_metrics)
    for i, c in enumerate(doc["results"]):
        where = f"{path}: results[{i}]"
        if not isinstance(c, dict):
            raise BadResults(f"{where} is not an object")
        for k in ("id", "workload", "model", "status"):
            if not isinstance(c.get(k), str):
                raise BadResults(f"{where} has no string '{k}'")
        where = f"{path}: {c['id']}"
        if not isinstance(c.get("params", {}), dict):
            raise BadResults(f"{where}: params is not an object")
        for k in run_arrays:
            if k in c and not _number_list(c[k]):
                raise BadResults(f"{where}: {k} is not a list of numbers")
        metrics = c.get("metrics", {})
        if not isinstance(metrics, dict) or not all(_number_list(v) for v in metrics.values()):
            raise BadResults(f"{where}: metrics is not an object of number lists")
        c.setdefault("params", {})
        c.setdefault("metrics", {})


def load(path, check=True, reg=None):
    """Reads a results file: parsed (NaN and Infinity refused), its suite and schema_version
    checked (1 or 2), a version 1 file upgraded, and with check=True its cells' shape checked.
    Returns a Results; raises BadResults with a one-line reason."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("suite") != SUITE:
        raise BadResults(f"{path}: not an asyncbench results file (no \"suite\": \"{SUITE}\")")
    version = doc.get("schema_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise BadResults(f"{path}: schema_version {version!r}, expected one of "
                         f"{', '.join(map(str, READABLE_VERSIONS))}")
    if not isinstance(doc.get("results"), list):
        raise BadResults(f"{path}: \"results\" is not a list")
    upgrade(doc, reg)
    for k in ("models", "workloads"):
        if not isinstance(doc.get(k), dict):
            raise BadResults(f"{path}: \"{k}\" is not an object (schema_version 2 declares them)")
    if check:
        check_cells(doc, path, reg)
    return Results(path, doc)


# ---------------------------------------------------------------------------- a file

class Results:
    """A results file: its cells, its machine, when it was made, and its declarations."""

    def __init__(self, path, doc):
        self.path = path
        self.doc = doc
        self.cells = doc["results"]
        self.created = doc.get("created", "?")
        self.profile = doc.get("profile", "?")
        self.machine = doc.get("machine") or {}
        self.models = doc.get("models") or {}
        self.workloads = doc.get("workloads") or {}
        self.upgraded = "declarations_from" in doc

    def of(self, workload, ok=False):
        return [c for c in self.cells
                if c["workload"] == workload and (not ok or c["status"] == "ok")]

    # -------------------------------------------------------------- declarations

    def declarations(self, workload):
        """{metric: declaration} of a workload, as the file declares them ({} if it does not)."""
        w = self.workloads.get(workload)
        return (w or {}).get("metrics") or {}

    def declaration(self, workload, metric):
        return self.declarations(workload).get(metric)

    def primary(self, workload):
        """The metric a workload is judged by, or None."""
        return (self.workloads.get(workload) or {}).get("primary") or None

    def compared(self, workload, metric):
        """Whether compare judges the metric (it has a direction; not an ideal or condition)."""
        return compared(self.declaration(workload, metric))

    def direction(self, workload, metric):
        """lower, higher or info; None when the metric is not declared."""
        return (self.declaration(workload, metric) or {}).get("direction")

    def unit(self, workload, metric):
        return (self.declaration(workload, metric) or {}).get("unit")

    def of_role(self, workload, role):
        """The workload's metrics declared with a role (ideal, count, ...), in name order."""
        return sorted(k for k, d in self.declarations(workload).items() if d.get("role") == role)

    def ideal_for(self, workload, metric):
        """The metric declared as the ideal of `metric` (ideal_s for elapsed_s), or None."""
        return next((k for k, d in sorted(self.declarations(workload).items())
                     if d.get("ideal_for") == metric), None)

    # -------------------------------------------------------------- naming the file

    def display_path(self):
        return display_path(self.path)

    def footer(self):
        return machine_footer(self.display_path(), self.created, self.profile, self.machine)


def display_path(path):
    """The path as a reader of the repository would type it (relative to the checkout)."""
    p = os.path.abspath(path)
    return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else path


def machine_footer(path, created, profile, machine):
    """"<path> · created <t> · <profile> profile · <cpu>, <n> cores, <kernel>": a figure's
    source line."""
    m = machine or {}
    return (f"{path} · created {created} · {profile} profile · "
            f"{m.get('cpu_model', '?')}, {m.get('cores', '?')} cores, {m.get('kernel', '?')}")


# ---------------------------------------------------------------------------- cells and runs

def _value(text):
    try:
        x = float(text)
    except ValueError:
        return text
    return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() else x


def planned(cell):
    """The cell's planned parameters, read from its id (<workload>/<model>/<key>:<value>...):
    the same keys for every model of a row, unlike `params`, which also carries what a workload
    reported (workers, ...) and is shorter for an unsupported cell."""
    out = {}
    for part in cell["id"].split("/")[2:]:
        key, sep, value = part.partition(":")
        if sep:
            out[key] = _value(value)
    return out


def param(cell, key, default=None):
    """A parameter of the cell: as it ran (params), else as planned (its id)."""
    p = cell.get("params") or {}
    return p[key] if key in p else planned(cell).get(key, default)


def runs(cell, metric):
    """The per-run values of a metric: a top-level run array (elapsed_s, wall_s, ...) or one
    under `metrics`, as floats; [] when the cell has none."""
    v = cell.get(metric)
    if not isinstance(v, list):
        v = (cell.get("metrics") or {}).get(metric)
    return [float(x) for x in (v or []) if math.isfinite(float(x))]


class Spread:
    """Median, min and max of a cell's runs for one metric."""

    def __init__(self, values):
        if not values:
            raise ValueError("a spread of no runs")
        self.values = sorted(values)
        self.n = len(values)
        self.median = statistics.median(values)
        self.min = self.values[0]
        self.max = self.values[-1]

    def scaled(self, k):
        return Spread([v * k for v in self.values])

    def err(self):
        """(below, above) for matplotlib's yerr/xerr: the min-max range around the median."""
        return self.median - self.min, self.max - self.median


def spread(cell, metric):
    """Spread of a metric over an ok cell's runs, or None when the cell is not ok or has none."""
    if cell.get("status") != "ok":
        return None
    v = runs(cell, metric)
    return Spread(v) if v else None
