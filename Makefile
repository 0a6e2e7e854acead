# asyncbench: a thin front over CMake and the scripts. `make test` and `make bench` install what
# is missing first (scripts/deps.sh: Debian packages, as root).
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
JOBS       ?= $(shell nproc)
RESULTS    ?= results/latest.json
# Generated figures and traces go beside the results, in folders git ignores; the README's
# committed figures (plots/figures) change only through `make readme-figures`.
FIGURES    ?= results/figures
TRACES_DIR ?= results/traces

.PHONY: all deps build test test-asan test-tsan fuzz bench bench-quick bench-runtime counts counts-reference traces plots readme-figures report format clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The runtime's tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNCBENCH_ENABLE_ASAN=ON
	cmake --build $(BUILD_ASAN) -j $(JOBS) --target aio_tests
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) -L runtime

# The runtime's tests under ThreadSanitizer (the thread pool and its wakeups cross threads).
test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNCBENCH_ENABLE_TSAN=ON
	cmake --build $(BUILD_TSAN) -j $(JOBS) --target aio_tests
	TSAN_OPTIONS=halt_on_error=1 \
	  ctest --test-dir $(BUILD_TSAN) --output-on-failure -j $(JOBS) -L runtime

# The HTTP delay server's request parser under libFuzzer + ASan + UBSan for FUZZ_SECONDS (`make
# test` runs it for 20 s); a failing input is left as $(BUILD)/fuzz-http-parser/artifacts/crash-*.
FUZZ_SECONDS ?= 600
fuzz: deps
	FUZZ_BUILD_DIR=$(BUILD)/fuzz-http-parser bash scripts/fuzz_http_parser.sh $(FUZZ_SECONDS)

# The workload matrix (asyncbench run): the full profile (5 runs per cell; with the counts and
# the report, 18 min 49 s on this 2-core VM) into results/latest.json and a dated copy in
# results/runs/; the quick profile (3 runs, 2 min 51 s) is what CI runs. Both results files are
# validated against the schema. README, "Time budget": what each costs and gave up.
bench: build
	bash scripts/bench.sh full $(BUILD)

bench-quick: build
	bash scripts/bench.sh quick $(BUILD)

# The counts gate: instructions per request / task / scenario under valgrind for a small set of
# cells (scripts/counts.sh), compared with results/reference/counts.json: more than 5 % more
# fails. After a change that moves the counts on purpose, `make counts-reference` records them.
counts: build
	bash scripts/counts.sh $(BUILD)

counts-reference: build
	bash scripts/counts.sh --record $(BUILD)

# aio's own micro-benchmarks and the first echo ping-pong (aio against Boost.Asio).
bench-runtime: build
	$(BUILD)/bin/aio_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	/usr/bin/python3 scripts/echo_pingpong.py --bin $(BUILD)/bin --repeats 5

# The timelines' traces (figures 1 and 2) into $(TRACES_DIR): scripts/traces.sh says which.
# `make traces` always traces again; plots, readme-figures and report only when a program was
# built after the last tracing (make bench traces too, for its report).
TRACES_STAMP = $(TRACES_DIR)/.stamp
traces:
	@bash scripts/traces.sh $(BUILD) $(TRACES_DIR)

$(TRACES_STAMP): $(wildcard $(BUILD)/bin/*)
	@bash scripts/traces.sh $(BUILD) $(TRACES_DIR)

COUNTED ?= results/counted.json
plots: $(TRACES_STAMP)
	/usr/bin/python3 plots/make_plots.py --results $(RESULTS) --out $(FIGURES) \
	  --traces $(TRACES_DIR) $(if $(wildcard $(COUNTED)),--counts $(COUNTED))

# The README's figures (plots/figures, committed) from the last results: run after a make bench
# on a quiet machine, look at them, commit them.
readme-figures: $(TRACES_STAMP)
	/usr/bin/python3 plots/make_plots.py --results $(RESULTS) --out plots/figures \
	  --traces $(TRACES_DIR) $(if $(wildcard $(COUNTED)),--counts $(COUNTED))

# The page a person opens after make bench (make bench and bench-quick write it too):
# results/latest.html, with the verdict against the committed reference of its profile.
report: $(TRACES_STAMP)
	$(BUILD)/bin/asyncbench report $(RESULTS) --out $(RESULTS:.json=.html)

# clang-format is Debian's clang-format package (make deps installs it).
format: deps
	find runtime harness workloads -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN)
