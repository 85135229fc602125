# Benchmarks (issue 7): DevOps Channels against a floor plugin on a real server.
# The Makefile includes this file; it relies on GO, HOST_PLATFORM (build/setup.mk)
# and pg-up, mm-server, dist-host (Makefile, build/custom.mk).

FLOOR_DIR     := build/floorplugin
FLOOR_ID      := $(shell sed -n 's/^ *"id": *"\([^"]*\)".*/\1/p' $(FLOOR_DIR)/plugin.json | head -n 1)
FLOOR_VERSION := $(shell sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' $(FLOOR_DIR)/plugin.json | head -n 1)
FLOOR_BUNDLE  := dist/$(FLOOR_ID)-$(FLOOR_VERSION).tar.gz
BENCH_BIN     := build/.cache/bin/devops-bench
# BENCH_FLAGS passes options to devops-bench, e.g. `make bench BENCH_FLAGS=-long`.
BENCH_FLAGS   ?=

## floor-bundle: build the benchmark floor plugin's bundle for this machine.
.PHONY: floor-bundle
floor-bundle: $(FLOOR_BUNDLE)

# Built like the plugin's own executables, so the two processes compare fairly.
$(FLOOR_BUNDLE): $(FLOOR_DIR)/main.go $(FLOOR_DIR)/plugin.json $(FLOOR_DIR)/go.mod $(FLOOR_DIR)/go.sum
	@rm -rf dist/$(FLOOR_ID) && mkdir -p dist/$(FLOOR_ID)/server/dist
	@cp $(FLOOR_DIR)/plugin.json dist/$(FLOOR_ID)/
	cd $(FLOOR_DIR) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' \
		-o $(CURDIR)/dist/$(FLOOR_ID)/server/dist/plugin-$(HOST_PLATFORM) .
	@# Directory entries matter: the server refuses a tarball of bare files.
	@cd dist && tar -czf $(notdir $@) $(FLOOR_ID)

## bench: measure DevOps Channels against the floor plugin on a real server; writes dist/bench.json (BENCH_FLAGS=-long for more samples).
.PHONY: bench
bench: pg-up mm-server dist-host $(FLOOR_BUNDLE)
	cd build/harness && $(GO) build -o $(CURDIR)/$(BENCH_BIN) ./cmd/devops-bench
	$(BENCH_BIN) -floor $(CURDIR)/$(FLOOR_BUNDLE) $(BENCH_FLAGS)

## bench-large: the large-team profile (issue 18): 2,000 team members, 10,000 active workflows, a channel of 500; writes dist/bench-large.json.
.PHONY: bench-large
bench-large: pg-up mm-server dist-host $(FLOOR_BUNDLE)
	cd build/harness && $(GO) build -o $(CURDIR)/$(BENCH_BIN) ./cmd/devops-bench
	$(BENCH_BIN) -floor $(CURDIR)/$(FLOOR_BUNDLE) -large -out $(CURDIR)/dist/bench-large.json $(BENCH_FLAGS)
