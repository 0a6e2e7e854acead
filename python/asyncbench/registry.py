"""The model registry (workloads/models.json) and the workloads' manifests
(workloads/<family>/<id>/workload.json), read as the harness reads them (harness/src/registry.cpp,
manifest.cpp): every fact about a model, a metric or a server is written there once, and the
plots, scripts and tests ask this module rather than a name.

A workload has the models whose registry `source` file is in its directory. Its declarations are
the registry's run_metrics, plus server_metrics when it declares a server, with its own `metrics`
on top (a manifest may redeclare a run metric). Keys named "about" are comments.
"""
import glob
import json
import os

# python/asyncbench/registry.py -> the checkout's root.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What a model is drawn with when the registry does not know it (a newer file's model).
OTHER_STYLE = ("#7f7f7f", "o", ":")

# The fields of a metric declaration, as MetricDecl::to_json writes them into a results file.
DECLARATION_KEYS = ("unit", "direction", "role", "primary", "title", "ideal_for")


class Error(Exception):
    """Anything this package cannot read or run; the message is one line, naming the file."""


def read_json_file(path, error=Error):
    """The JSON document in `path`, or `error` with a one-line reason."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise error(f"{path}: {e.strerror or e}") from None
    except ValueError as e:
        raise error(f"{path}: not JSON ({e})") from None


def _without_about(d):
    return {k: v for k, v in (d or {}).items() if k != "about"}


def declaration_json(d):
    """A metric declaration as the harness copies it into a results file: unit, direction and
    role; primary only when true; title and ideal_for only when given."""
    out = {"unit": d.get("unit", ""), "direction": d.get("direction", ""),
           "role": d.get("role", "")}
    if d.get("primary") is True:
        out["primary"] = True
    for k in ("title", "ideal_for"):
        if d.get(k):
            out[k] = d[k]
    return out


def compared(d):
    """Whether compare judges a metric so declared (MetricDecl::compared): it has a direction and
    is neither an ideal nor a condition of the machine."""
    return bool(d) and d.get("direction") != "info" and d.get("role") not in ("ideal", "condition")


class Registry:
    """workloads/models.json and the manifests beside it, under `root`."""

    def __init__(self, root=ROOT):
        self.root = root
        self.path = os.path.join(root, "workloads", "models.json")
        doc = read_json_file(self.path)
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            raise Error(f"{self.path}: no \"models\" list")
        self.models = [m for m in doc["models"] if isinstance(m, dict) and "id" in m]
        self._by_id = {m["id"]: m for m in self.models}
        self.run_metrics = _without_about(doc.get("run_metrics"))
        self.server_metrics = _without_about(doc.get("server_metrics"))
        self.servers = _without_about(doc.get("servers"))
        self.count_metrics = _without_about(doc.get("count_metrics"))
        self._workloads = None

    # ------------------------------------------------------------------ models

    @property
    def ids(self):
        """Every model id, in report order."""
        return [m["id"] for m in self.models]

    def model(self, model_id):
        """The registry entry of a model, or None."""
        return self._by_id.get(model_id)

    def label(self, model_id):
        return (self.model(model_id) or {}).get("label", model_id)

    def description(self, model_id):
        return (self.model(model_id) or {}).get("description", model_id)

    def kind(self, model_id):
        """sequential, concurrent or limit; None for a model the registry does not know."""
        return (self.model(model_id) or {}).get("kind")

    def of_kind(self, kind):
        return [m["id"] for m in self.models if m.get("kind") == kind]

    def style(self, model_id):
        """(colour, marker, line style) of a model in every figure."""
        m = self.model(model_id)
        if not m:
            return OTHER_STYLE
        return (m.get("colour", OTHER_STYLE[0]), m.get("marker", OTHER_STYLE[1]),
                m.get("line", OTHER_STYLE[2]))

    def order(self, model_ids):
        """The given models in report order; ids the registry does not know after them, sorted."""
        given = set(model_ids)
        return [m for m in self.ids if m in given] + sorted(given - set(self.ids))

    def models_in(self, directory):
        """The models whose source file is in `directory` (a workload's, the echo servers')."""
        return [m["id"] for m in self.models
                if os.path.isfile(os.path.join(directory, m.get("source", "")))]

    # ------------------------------------------------------------------ workloads

    def workloads(self):
        """{workload id: its manifest (with "dir" added)}, from workloads/*/*/workload.json."""
        if self._workloads is None:
            found = {}
            pattern = os.path.join(self.root, "workloads", "*", "*", "workload.json")
            for path in sorted(glob.glob(pattern)):
                m = read_json_file(path)
                if not isinstance(m, dict) or not isinstance(m.get("id"), str):
                    raise Error(f"{path}: a manifest is an object with an \"id\"")
                m["dir"] = os.path.dirname(path)
                found[m["id"]] = m
            self._workloads = found
        return self._workloads

    def workload_models(self, workload_id):
        """The models a workload has: those whose source file is in its directory."""
        w = self.workloads().get(workload_id)
        return self.models_in(w["dir"]) if w else []

    def declaration(self, workload_id):
        """A workload's declarations as a results file carries them (Workload::declaration):
        {family, title, server?, primary, metrics}; None for a workload the tree has not."""
        w = self.workloads().get(workload_id)
        if w is None:
            return None
        metrics = {k: declaration_json(d) for k, d in self.run_metrics.items()}
        if w.get("server"):
            metrics.update({k: declaration_json(d) for k, d in self.server_metrics.items()})
        metrics.update({k: declaration_json(d) for k, d in _without_about(w.get("metrics")).items()
                        if isinstance(d, dict)})
        # Beside each count the manifest declares, what the registry says a counted run records
        # with it (manifest.cpp does the same).
        count = w.get("count") or {}
        for kind in ("instructions", "syscalls"):
            name = count.get(kind)
            for suffix, d in _without_about((self.count_metrics or {}).get(kind)).items():
                if name and name + suffix not in metrics:
                    metrics[name + suffix] = declaration_json(d)
        out = {"family": w.get("family", ""), "title": w.get("title", "")}
        if w.get("server"):
            s = w["server"]
            out["server"] = {"role": s.get("role", ""), "model": s.get("model", ""),
                             "pass_pid": bool(s.get("pass_pid", False))}
        if count:
            c = {"target": count.get("target", ""), "phase": bool(count.get("phase", False)),
                 "unit": count.get("unit", "")}
            if count.get("sizes"):
                c["sizes"] = count["sizes"]
            for k in ("unit_metric", "instructions", "syscalls", "ctx_switches"):
                if count.get(k):
                    c[k] = count[k]
            out["count"] = c
        out["primary"] = next((k for k, d in sorted(metrics.items()) if d.get("primary")), "")
        out["metrics"] = dict(sorted(metrics.items()))
        return out


_cache = {}


def registry(root=ROOT):
    """The registry of the checkout at `root`, read once."""
    if root not in _cache:
        _cache[root] = Registry(root)
    return _cache[root]
