#!/usr/bin/env bash
# Installs the Debian packages asyncbench needs, when any is missing (`make deps`).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  liburing-dev libuv1-dev libboost-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  python3 python3-matplotlib python3-uvloop python3-aiohttp python3-requests
  python3-aiofiles python3-jsonschema
  clang libclang-rt-14-dev wrk
  valgrind linux-perf
  clang-format python3-jinja2
  chromium chromium-driver python3-selenium
  postgresql-15 libpq-dev python3-psycopg python3-asyncpg
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run as root:  apt-get update && $cmd" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd
