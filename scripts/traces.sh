#!/usr/bin/env bash
# make traces (and make bench, for its report): the timelines' traces (figures 1 and 2), one
# `asyncbench trace` run (quick profile) per workload[/mode]:model the figures draw, into
# DIR/<workload>[-<mode>]-<model>.json. A run that fails (a model not instrumented, a program not
# built) prints a line and its file is removed, so that its figure is skipped rather than drawn
# from an older run. Never fails: the timelines are figures, not a gate.
#   bash scripts/traces.sh [BUILD_DIR] [DIR]   (default build, results/traces)
set -uo pipefail
build=${1:-build}
dir=${2:-results/traces}
cd "$(dirname "$0")/.."
TRACES=(count:sync count:aio-epoll count:threads count:py-asyncio chess:sync chess:aio-epoll
        blocking-offload/inline:aio-epoll blocking-offload/offload:aio-epoll)
if [[ ! -x $build/bin/asyncbench ]]; then
  echo "traces: skipped: no $build/bin/asyncbench (make build)"
  exit 0
fi
mkdir -p "$dir"
for spec in "${TRACES[@]}"; do
  w=${spec%%:*} m=${spec#*:}
  mode=${w#*/} w=${w%%/*}
  [[ $mode == "$w" ]] && mode=
  out=$dir/$w${mode:+-$mode}-$m.json
  "$build/bin/asyncbench" trace "$w" --model "$m" ${mode:+--param "mode=$mode"} --out "$out" \
    || { rm -f "$out"; echo "traces: $out: the trace failed; its timeline is skipped"; }
done
touch "$dir/.stamp"  # when these programs were traced (the Makefile's plots trace only after a build)
exit 0
