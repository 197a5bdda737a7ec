# namix: `make demo` and `make test` are all a newcomer needs (Debian 12, root).
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
# The fuzzers' sanitizers. "undefined" alone runs several times faster: a
# long campaign can gather its corpus that way, then replay it under both.
FUZZ_SANITIZE ?= address;undefined
# Seconds of new inputs per fuzz harness (on top of its seed corpus).
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAMIX_WERROR=ON
NAMIX := $(BUILD_DIR)/src/app/namix

.PHONY: deps npm build build-asan build-fuzz test test-unit test-asan fuzz fuzz-campaign demo format format-check bench clean

deps:
	scripts/install_deps.sh

build: deps npm
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The web page's chart library and the browser tests' driver, from the npm
# registry by the committed lock files (no build step: the files are served as they are).
npm:
	cd web && npm ci --no-audit --no-fund --loglevel=error
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	cd tests/follow && npm ci --no-audit --no-fund --loglevel=error

build-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNAMIX_WERROR=ON \
	  -DNAMIX_SANITIZE="address;undefined" -DNAMIX_BUILD_BENCH=OFF
	cmake --build $(ASAN_DIR) -j $(JOBS)

# The libFuzzer harnesses of fuzz/, built by clang with AddressSanitizer and
# UndefinedBehaviorSanitizer; only what they link is built.
build-fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DNAMIX_FUZZ=ON -DNAMIX_SANITIZE="$(FUZZ_SANITIZE)" \
	  -DNAMIX_BUILD_TESTS=OFF -DNAMIX_BUILD_BENCH=OFF -DNAMIX_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target namix_fuzzers

# Every harness over its seed corpus, then FUZZ_SECONDS of new inputs, two at
# a time; any crash, sanitizer report, leak, timeout or OOM fails.
fuzz: build-fuzz
	ctest --test-dir $(FUZZ_DIR) --output-on-failure -j 2 -L fuzz
	@cat $(FUZZ_DIR)/fuzz/runs/*/summary.txt

# A long local run, not part of `make test`: every harness (or FUZZ_HARNESSES)
# to FUZZ_RUNS executions, one after another; its corpus carries over.
# FUZZ_RUNS=0 replays the campaign's corpus and adds nothing.
FUZZ_RUNS ?= 10000000
FUZZ_HARNESSES ?=
FUZZ_CAMPAIGN_DIR ?= build-fuzz/campaign
fuzz-campaign: build-fuzz
	fuzz/run_campaign.sh $(FUZZ_DIR)/fuzz $(FUZZ_CAMPAIGN_DIR) $(FUZZ_RUNS) $(FUZZ_HARNESSES)

# Every test: format check, unit + integration + slow tests, the unit tests
# again under AddressSanitizer and UndefinedBehaviorSanitizer, then the fuzzers.
test: build format-check
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j 2 --timeout 1500
	$(MAKE) test-asan
	$(MAKE) fuzz

test-unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -L unit

demo: build
	scripts/demo.sh $(NAMIX)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

bench: build
	bench/run_bench.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
