"""A results file as tables: one row per workload and planned parameters, one column per model
(in the registry's order, workloads/models.json), each entry the median of a metric over the
cell's runs with its min-max range. scripts/results_table.py prints them as Markdown and
`asyncbench report` as HTML; both read them from here.

A model that cannot run the cell shows "n/a" (unsupported: the file says why), a failed or timed
out cell FAILED or TIMEOUT, a cell the plan did not include is blank. A metric declared in
seconds is shown in ms, any other in its declared unit. The ideal column is the metric the
workload declares the ideal of the one shown (ideal_for), "sequential / concurrent" where it
also declares both of those ideals.
"""
import re

from .fmt import in_display_unit, number, time_scale
from .registry import registry
from .results import spread

# A workload may declare its two ideals (both role ideal) beside the per-model one.
IDEAL_PAIR = ("ideal_sequential_s", "ideal_concurrent_s")


def variant(cell):
    """The cell's planned parameters (its id without workload and model): the row it belongs to.
    cpu-offload's work per chunk differs between C++ and Python (its README says why), so its
    iterations do not split rows; an echo window is the same for every row."""
    parts = []
    for p in cell["id"].split("/")[2:]:
        key, _, value = p.partition(":")
        if key in ("iterations", "duration_s", "warmup_s"):
            continue
        if key == "time_scale":
            key, value = "scale", time_scale(value)
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def median(cell, metric):
    s = spread(cell, metric)
    return s.median if s else None


def ideal_text(res, workload, metric, by_model, factor):
    """The row's ideal of `metric`, in the shown unit: sequential / concurrent where the workload
    declares both, else the declared ideal's value (each distinct one, largest first)."""
    ideal = res.ideal_for(workload, metric)
    if not ideal:
        return ""
    cells = list(by_model.values())
    if set(IDEAL_PAIR) <= set(res.of_role(workload, "ideal")):
        for c in cells:
            seq, conc = median(c, IDEAL_PAIR[0]), median(c, IDEAL_PAIR[1])
            if seq is not None and conc is not None:
                return f"{number(seq * factor)} / {number(conc * factor)}"
    values = sorted({v for v in (median(c, ideal) for c in cells) if v is not None}, reverse=True)
    return " / ".join(number(v * factor) for v in values)


class Entry:
    """One table entry: text (median, or n/a, FAILED, TIMEOUT), its range, the cell's status and,
    when it is not ok, the reason the file gives."""

    def __init__(self, cell, metric, factor, with_range):
        self.status = cell.get("status")
        self.error = cell.get("error", "")
        self.range = ""
        self.median = None
        if self.status == "unsupported":
            self.text = "n/a"
        elif self.status in ("failed", "timeout"):
            self.text = self.status.upper()
        else:
            s = spread(cell, metric)
            self.text = number(s.median * factor) if s else ""
            if s:
                self.median = s.median * factor
                if with_range:
                    self.range = f"{number(s.min * factor)}–{number(s.max * factor)}"

    def markdown(self):
        return self.text + (f" [{self.range}]" if self.range else "")


def _natural(item):
    (workload, params), _ = item
    return (workload, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", params)])


class Table:
    """The table of one metric: models (columns), unit, show_ideal, rows [(workload, params,
    ideal text, [Entry or None per model])], and skipped: the workloads left out of an elapsed_s
    table because their elapsed_s is declared info (a load client's fixed window)."""

    def __init__(self, res, metric="elapsed_s", workloads=None, with_range=False):
        self.metric = metric
        self.skipped = set()
        if not workloads and metric == "elapsed_s":
            self.skipped = {c["workload"] for c in res.cells
                            if res.direction(c["workload"], "elapsed_s") == "info"}
        by_row = {}  # (workload, variant) -> {model: cell}
        for c in res.cells:
            if (workloads and c["workload"] not in workloads) or c["workload"] in self.skipped:
                continue
            by_row.setdefault((c["workload"], variant(c)), {})[c["model"]] = c
        self.models = registry().order({m for r in by_row.values() for m in r})
        units = {in_display_unit(res.unit(w, metric))
                 for w in {w for w, _ in by_row} if res.declaration(w, metric)}
        self.unit = next(iter(units))[0] if len(units) == 1 else "each workload's declared unit"
        self.show_ideal = any(res.ideal_for(w, metric) for w, _ in by_row)
        self.rows = []
        for (workload, params), cells in sorted(by_row.items(), key=_natural):
            _, factor = in_display_unit(res.unit(workload, metric))
            ideal = ideal_text(res, workload, metric, cells, factor) if self.show_ideal else ""
            self.rows.append((workload, params, ideal,
                              [Entry(cells[m], metric, factor, with_range) if m in cells else None
                               for m in self.models]))

    def markdown(self):
        lines = ["| workload | parameters | " + (f"ideal {self.unit} | " if self.show_ideal else "")
                 + " | ".join(self.models) + " |",
                 "|---|---|" + ("---:|" if self.show_ideal else "") + "---:|" * len(self.models)]
        for workload, params, ideal, entries in self.rows:
            lines.append(f"| {workload} | {params} | " + (f"{ideal} | " if self.show_ideal else "")
                         + " | ".join(e.markdown() if e else "" for e in entries) + " |")
        return "\n".join(lines)
