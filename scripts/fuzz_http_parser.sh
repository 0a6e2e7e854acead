#!/usr/bin/env bash
# Fuzzes the HTTP delay server's request parser (workloads/network/common/http_parser.cpp) with
# libFuzzer, under AddressSanitizer and UndefinedBehaviorSanitizer, for SECONDS (default 600):
#
#   scripts/fuzz_http_parser.sh [SECONDS]
#
# libFuzzer comes with clang, not g++, so this compiles the parser and its target
# (workloads/network/common/tests/http_parser_fuzz.cpp) itself with clang++; on Debian 12 that
# needs the packages clang and libclang-rt-14-dev (libFuzzer's and the sanitizers' runtimes).
# Environment: CLANGXX (default clang++), FUZZ_BUILD_DIR (default build/fuzz-http-parser), which
# holds the binary, the corpus it grows (the committed seeds in
# workloads/network/common/tests/fuzz_corpus/ are only read) and crash-* files of any failure.
# Exit status: 0 when no input broke an invariant or tripped a sanitizer, non-zero otherwise.
set -euo pipefail

seconds=${1:-600}
if [[ ! "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
  echo "usage: $0 [SECONDS]   (a positive whole number; default 600)" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$root/workloads/network/common
out=${FUZZ_BUILD_DIR:-$root/build/fuzz-http-parser}
cxx=${CLANGXX:-clang++}

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz_http_parser: $cxx not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
mkdir -p "$out/corpus" "$out/artifacts"

# clang without its runtime package compiles but cannot link -fsanitize=fuzzer: say which package.
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  >"$out/probe.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$out/probe.cpp" -o "$out/probe" 2>"$out/probe.log"; then
  echo "fuzz_http_parser: $cxx cannot link -fsanitize=fuzzer,address,undefined" \
       "(apt-get install libclang-rt-14-dev): $(head -c 300 "$out/probe.log")" >&2
  exit 1
fi

echo "fuzz_http_parser: building $out/http_parser_fuzz with $("$cxx" --version | head -1)"
"$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -I"$src" \
  "$src/http_parser.cpp" "$src/tests/http_parser_fuzz.cpp" -o "$out/http_parser_fuzz"

# The words of the grammar, so that mutations reach past the request-line.
cat >"$out/http.dict" <<'EOF'
"GET"
"HEAD"
"POST"
" HTTP/1.1"
" HTTP/1.0"
"HTTP/2.0"
"\x0d\x0a"
"\x0d\x0a\x0d\x0a"
"Host: "
"Content-Length: "
"Transfer-Encoding: chunked"
"Connection: "
"close"
"keep-alive"
"http://"
"https://"
"/delay/"
"%2F"
": "
"\x09"
EOF

echo "fuzz_http_parser: fuzzing for $seconds s (seeds: $src/tests/fuzz_corpus)"
exec "$out/http_parser_fuzz" \
  -max_total_time="$seconds" -max_len=10000 -timeout=10 -print_final_stats=1 \
  -dict="$out/http.dict" -artifact_prefix="$out/artifacts/" \
  "$out/corpus" "$src/tests/fuzz_corpus"
