# Variables shared by the Makefile: the plugin's identity comes from plugin.json only.
PLUGIN_ID      := $(shell sed -n 's/^ *"id": *"\([^"]*\)".*/\1/p' plugin.json | head -n 1)
PLUGIN_VERSION := $(shell sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' plugin.json | head -n 1)
BUNDLE_NAME    := $(PLUGIN_ID)-$(PLUGIN_VERSION).tar.gz

GO        ?= go
NPM       ?= npm
GOBIN     := $(shell $(GO) env GOPATH)/bin
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(GOBIN)/golangci-lint

# Every platform the manifest lists; `make dist PLATFORMS=linux-amd64` builds one.
PLATFORMS ?= linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64
HOST_PLATFORM := $(shell $(GO) env GOOS)-$(shell $(GO) env GOARCH)

# The cached Mattermost server binary the harness runs (built once from build/testserver).
MM_BIN := build/.cache/bin/mattermost

HAS_WEBAPP := $(wildcard webapp/package.json)
