#!/usr/bin/env bash
# The counts gate (`make counts`, CI): instructions per unit of work, counted under valgrind
# (asyncbench run --count), for a small set of cells: every C++ model's echo server at 16
# connections and the two limit servers, sleep-fanout at 1,000 and 10,000 tasks, spawn, count.
# It fails (exit 1) when an instruction count regressed by more than 5 % against the committed
# results/reference/counts.json, and prints the table. Two counted runs here agree within 2 %.
#
#   bash scripts/counts.sh [BUILD_DIR]            gate: count, then compare with the reference
#   bash scripts/counts.sh --record [BUILD_DIR]   record the reference anew (`make counts-reference`)
set -uo pipefail
record=0
if [[ ${1:-} == --record ]]; then record=1; shift; fi
build=${1:-build}
cd "$(dirname "$0")/.."
out=results/counted.json
"$build/bin/asyncbench" run --count -w echo,sleep-fanout,spawn,count --where connections=16 \
  --select language=c++ --out "$out" || { echo "counts: the counted run failed"; exit 1; }
if (( record )); then
  cp "$out" results/reference/counts.json
  echo "counts: recorded results/reference/counts.json (commit it with the change that moved the counts)"
  exit 0
fi
"$build/bin/asyncbench" compare results/reference/counts.json "$out" --role deterministic \
  --deterministic-threshold 5
