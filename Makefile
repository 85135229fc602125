# DevOps Channels — a Mattermost plugin. `make help` lists the targets.
include build/setup.mk
include build/custom.mk
include build/bench.mk
include build/browser.mk

.DEFAULT_GOAL := all

## all: check and build the bundle for every platform.
.PHONY: all
all: check-style dist

## help: list the targets.
.PHONY: help
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST) | column -t -s ':'

## server: build the server executables for $(PLATFORMS).
.PHONY: server
server:
	@mkdir -p server/dist
	@for p in $(PLATFORMS); do \
		os=$${p%-*}; arch=$${p#*-}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "  go build $$p"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '-s -w' \
			-o server/dist/plugin-$$p$$ext ./server || exit 1; \
	done

## webapp: build the production webapp bundle.
.PHONY: webapp
webapp: webapp/node_modules
	cd webapp && $(NPM) run build

webapp/node_modules: webapp/package-lock.json
	cd webapp && $(NPM) ci --no-audit --no-fund
	@touch $@

## dist: build the plugin bundle dist/<id>-<version>.tar.gz (all platforms).
.PHONY: dist
dist: server webapp bundle

# dist-host: the bundle with only this machine's executable, for tests and `make run`.
.PHONY: dist-host
dist-host:
	@$(MAKE) --no-print-directory server webapp bundle PLATFORMS=$(HOST_PLATFORM)

.PHONY: bundle
bundle:
	@rm -rf dist/$(PLUGIN_ID) && mkdir -p dist/$(PLUGIN_ID)/server/dist dist/$(PLUGIN_ID)/webapp/dist
	@cp plugin.json dist/$(PLUGIN_ID)/
	@mkdir -p dist/$(PLUGIN_ID)/assets && cp assets/icon.svg assets/profile.png dist/$(PLUGIN_ID)/assets/
	@for p in $(PLATFORMS); do cp server/dist/plugin-$$p* dist/$(PLUGIN_ID)/server/dist/; done
	@cp webapp/dist/main.js dist/$(PLUGIN_ID)/webapp/dist/
	@# Directory entries matter: the server refuses a tarball of bare files.
	@cd dist && tar -czf $(BUNDLE_NAME) $(PLUGIN_ID)
	@echo "Bundle: dist/$(BUNDLE_NAME) ($$(du -h dist/$(BUNDLE_NAME) | cut -f1)); webapp main.js $$(gzip -c webapp/dist/main.js | wc -c) bytes gzipped"

## check-style: gofmt, go vet and golangci-lint on both Go modules, and the webapp's tsc + eslint.
.PHONY: check-style
check-style: $(GOLANGCI_LINT) webapp/node_modules
	@test -z "$$(gofmt -l server build)" || (echo "gofmt needed:"; gofmt -l server build; exit 1)
	$(GO) vet ./server/...
	cd build/harness && $(GO) vet ./...
	$(GOLANGCI_LINT) run ./server/...
	cd build/harness && $(GOLANGCI_LINT) run ./...
	cd webapp && $(NPM) run check

$(GOLANGCI_LINT):
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

## test: everything — style, unit and store tests on real PostgreSQL, end-to-end tests on a real Mattermost server, webapp component tests, the real-browser test.
.PHONY: test
test: pg-up check-style mm-server dist-host test-go test-e2e test-webapp test-browser

## test-go: unit and store tests (real PostgreSQL).
.PHONY: test-go
test-go: pg-up
	$(GO) test -count=1 -race ./server/...

## test-e2e: end-to-end tests against a real Mattermost server with the bundle installed.
.PHONY: test-e2e
test-e2e: pg-up mm-server
	@# The README's webhook examples run as written: they need these commands.
	@for tool in curl openssl jq; do build/ensure-deb.sh $$tool $$tool; done
	@# The alert intake's tests run a real Prometheus Alertmanager (issue 16).
	@build/ensure-deb.sh prometheus-alertmanager prometheus-alertmanager
	cd build/harness && $(GO) test -count=1 -timeout 20m ./...

## test-webapp: webapp component tests.
.PHONY: test-webapp
test-webapp: webapp/node_modules
	cd webapp && $(NPM) test

## clean: remove build output (keeps the cached server binary).
.PHONY: clean
clean:
	rm -rf dist server/dist webapp/dist
