# namix: `make demo` and `make test` are all a newcomer needs (Debian 12, root).
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAMIX_WERROR=ON
NAMIX := $(BUILD_DIR)/src/app/namix

.PHONY: deps npm build build-asan test test-unit test-asan demo format format-check bench clean

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

build-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNAMIX_WERROR=ON \
	  -DNAMIX_SANITIZE="address;undefined" -DNAMIX_BUILD_BENCH=OFF
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Every test: format check, unit + integration + slow tests, then the unit
# tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
test: build format-check
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j 2 --timeout 1500
	$(MAKE) test-asan

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
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
