# The two set-up commands on a fresh Debian 12 machine (as root): `make run` and `make test`.
# Each installs what is missing first, so nothing needs doing by hand.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps test-deps configure build run test bench clean

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

# Leaves the binary at build/kindred.
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds, adds a demo community on first start (printing the admin's password), then serves.
run: build
	@$(BUILD_DIR)/kindred demo --if-empty --data $(DATA)
	@echo "Open http://$(LISTEN) in a browser. Stop with Ctrl-C."
	@$(BUILD_DIR)/kindred serve --data $(DATA) --listen $(LISTEN)

# Unit tests, then HTTP end-to-end and browser tests against the real binary.
test: test-deps build
	@scripts/run-tests $(BUILD_DIR)

# Load benchmarks against nginx on loopback (bench/run; it builds its own Release binary in
# build-bench). Options through BENCH, e.g. make bench BENCH="--sizes 10k,100k,1M --duration 10s".
bench: test-deps
	@bench/run $(BENCH)

clean:
	rm -rf $(BUILD_DIR)
