"""asyncbench's Python side: one reader of results files and of the model registry, one number
formatter, and the bridge to `asyncbench compare`, shared by plots/ and scripts/ (each adds
<checkout>/python to sys.path, found from its own file).

  registry.py   workloads/models.json and the manifests: models in order, style, kind, servers,
                a workload's models and its merged metric declarations
  results.py    load(path) -> Results (NaN refused, schema_version 1 upgraded as the harness does),
                planned(), param(), runs(), Spread, spread(), a workload's declarations
  fmt.py        number(), short(), duration(), ... : numbers as tables and figures print them
  compare.py    compare(), compare_pairs(), load_verdict(): asyncbench compare's JSON verdict
  cli.py        ArgumentParser and fail(): one-line errors, exit 2

Every failure is an asyncbench.Error (BadResults, CompareError) whose message is one line.
"""
from .registry import ROOT, Error, Registry, compared, registry
from .results import (BadResults, Results, Spread, display_path, load, machine_footer, param,
                      planned, read_json, runs, spread, upgrade)
from .compare import CompareError, compare, compare_pairs, find_binary, load_verdict
from . import fmt

__all__ = ["ROOT", "Error", "Registry", "compared", "registry", "BadResults", "Results",
           "Spread", "display_path", "load", "machine_footer", "param", "planned", "read_json",
           "runs", "spread", "upgrade", "CompareError", "compare", "compare_pairs",
           "find_binary", "load_verdict", "fmt"]
