#!/usr/bin/env bash
# make bench / make bench-quick: runs the matrix at PROFILE into results/latest.json, keeps a
# dated copy in results/runs/ (not committed), and validates the file against the schema; the
# full profile then runs the counted profile into results/counted.json; last, the timelines are
# traced and `asyncbench report` writes results/latest.html (with the history of results/runs).
# The results are kept whatever happens; the exit status is asyncbench's (1 if a cell failed or
# timed out) unless the file itself is invalid.
set -uo pipefail
profile=${1:?usage: bench.sh quick|full [BUILD_DIR]}
build=${2:-build}
cd "$(dirname "$0")/.."
"$build/bin/asyncbench" run --profile "$profile" --out results/latest.json
rc=$?
if [[ -f results/latest.json ]]; then
  mkdir -p results/runs
  cp results/latest.json "results/runs/$(date -u +%Y-%m-%dT%H-%M-%SZ)-$profile.json"
  /usr/bin/python3 scripts/validate_results.py results/latest.json || exit 1
  /usr/bin/python3 scripts/lecture_ratios.py results/latest.json || true  # informative, not a gate
  for metric in rps server_cpu_us_per_req p99_us; do
    echo; echo "echo, $metric:"
    /usr/bin/python3 scripts/results_table.py results/latest.json --workloads echo --metric $metric || true
  done
fi
# The full profile also counts, as the counts gate does (scripts/counts.sh: instructions, system
# calls and context switches per unit of work under valgrind and perf, for every C++ model's echo
# server at 16 connections, sleep-fanout, spawn and count; 2 minutes), into results/counted.json,
# checked against results/reference/counts.json; the echo verdict then has both halves. The whole
# counted profile (256 connections and Python too, `asyncbench run --count`) takes 11 minutes
# more: it is not in make bench's 20 (README, "Time budget").
counts=()
if [[ $profile == full ]]; then
  bash scripts/counts.sh "$build" || rc=1
  [[ -f results/counted.json ]] && counts=(--counts results/counted.json)
elif [[ -f results/counted.json ]]; then
  counts=(--counts results/counted.json)  # the last one, e.g. from make counts
fi
if [[ -f results/latest.json ]]; then
  echo; echo "echo verdict (aio against libuv and Asio, 64-byte messages):"
  /usr/bin/python3 scripts/echo_verdict.py results/latest.json "${counts[@]}" || true  # informative
fi
# The page to open: the results, the counts, the timelines (traced now) and the verdict against
# the committed reference of this profile, in one file (asyncbench report).
if [[ -f results/latest.json ]]; then
  echo
  # Traced again only when a program was built after the last tracing (scripts/traces.sh
  # stamps the folder): the same programs trace the same timelines.
  if [[ ! -f results/traces/.stamp || -n $(find "$build/bin" -newer results/traces/.stamp -print -quit) ]]; then
    bash scripts/traces.sh "$build" results/traces > results/traces.log 2>&1 \
      || echo "traces: failed; see results/traces.log"
  fi
  base=()
  [[ -f results/reference/$profile.json ]] && base=(--compare "results/reference/$profile.json")
  # Run after run: the history of this profile's runs kept in results/runs, once there are two.
  history=()
  runs=(results/runs/*-"$profile".json)
  (( ${#runs[@]} >= 2 )) && [[ -f ${runs[1]} ]] && history=(--history results/runs)
  "$build/bin/asyncbench" report results/latest.json "${base[@]}" "${counts[@]}" "${history[@]}" \
    --traces results/traces --out results/latest.html || true  # informative, not a gate
  [[ -f results/latest.html ]] && echo "report: open results/latest.html"
fi
exit $rc
