# Project-specific targets beyond the plugin template: PostgreSQL, the real server, run/stop.

RUN_DIR := build/.run
# The port `make run` listens on; it refuses one something else already listens on.
RUN_PORT ?= 8065
# Its database, kept between runs.
RUN_DB ?= devops_run

## pg-up: start the local PostgreSQL cluster and make the `devops` superuser tests use.
.PHONY: pg-up
pg-up:
	@build/pg-up.sh

## mm-server: build the Mattermost server binary the harness uses (skipped when cached).
.PHONY: mm-server
mm-server: $(MM_BIN)

$(MM_BIN): build/testserver/go.mod build/testserver/go.sum
	@echo "Building the Mattermost server (cached in $(MM_BIN); 2-5 minutes the first time)"
	cd build/testserver && $(GO) build -o ../../$(MM_BIN) github.com/mattermost/mattermost/server/v8/cmd/mattermost
	@touch $(MM_BIN)

## run: start PostgreSQL, a real Mattermost server with the plugin, a demo team and incident, and a page at the URL; prints URL, logins and token (RUN_PORT, default 8065).
.PHONY: run
run: pg-up mm-server dist-host
	@mkdir -p $(RUN_DIR)
	@if [ -f $(RUN_DIR)/pid ] && kill -0 $$(cat $(RUN_DIR)/pid) 2>/dev/null; then \
		echo "Already running (make stop first)."; cat $(RUN_DIR)/info.txt 2>/dev/null; exit 0; fi
	@rm -f $(RUN_DIR)/info.txt
	@cd build/harness && $(GO) build -o ../.cache/bin/devops-run ./cmd/devops-run
	@nohup build/.cache/bin/devops-run -dir $(CURDIR)/$(RUN_DIR) -port $(RUN_PORT) -db $(RUN_DB) > $(RUN_DIR)/run.log 2>&1 & echo $$! > $(RUN_DIR)/pid
	@for i in $$(seq 1 300); do \
		if [ -f $(RUN_DIR)/info.txt ]; then cat $(RUN_DIR)/info.txt; exit 0; fi; \
		if ! kill -0 $$(cat $(RUN_DIR)/pid) 2>/dev/null; then cat $(RUN_DIR)/run.log; rm -f $(RUN_DIR)/pid; exit 1; fi; \
		sleep 1; done; echo "Timed out; see $(RUN_DIR)/run.log"; exit 1

## stop: stop what `make run` started (the database is kept for the next run).
.PHONY: stop
stop:
	@if [ -f $(RUN_DIR)/pid ]; then \
		pid=$$(cat $(RUN_DIR)/pid); kill $$pid 2>/dev/null || true; \
		for i in $$(seq 1 60); do kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; \
		rm -f $(RUN_DIR)/pid; echo "Stopped."; \
	else echo "Not running."; fi

## deploy: upload and enable the bundle on the server at MM_SERVICESETTINGS_SITEURL as MM_ADMIN_TOKEN (or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD).
.PHONY: deploy
deploy: dist
	@cd build/harness && $(GO) run ./cmd/devops-deploy deploy $(CURDIR)/dist/$(BUNDLE_NAME)

## logs: print the plugin's lines of that server's log (LOG_LINES of the latest, default 200).
LOG_LINES ?= 200
.PHONY: logs
logs:
	@cd build/harness && $(GO) run ./cmd/devops-deploy logs -n $(LOG_LINES)

## fuzz: run every fuzz target for FUZZTIME (default 1000000x executions each).
.PHONY: fuzz
fuzz:
	@build/fuzz.sh

## soak: the long reliability run: SOAK (default 10m) of mixed load from 8 people while the plugin restarts and the server is killed, in turn, every 15 s; then every acknowledged start, status update and task must be recorded exactly once.
SOAK ?= 10m
.PHONY: soak
soak: pg-up mm-server dist-host
	cd build/harness && DEVOPS_SOAK=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -timeout 0 -v ./e2e
