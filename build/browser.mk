# The real-browser test (issue 8): the plugin's webapp in Debian's headless Chromium,
# driven by playwright-core (webapp/browser/panel.test.mjs), against a real Mattermost
# server that build/harness's devops-serve starts with the freshly built bundle.
# The Makefile includes this file; it relies on GO and NPM (build/setup.mk) and on
# pg-up, mm-server, dist-host and webapp/node_modules (Makefile, build/custom.mk).

SERVE_BIN       := build/.cache/bin/devops-serve
# Where the test writes its light and dark screenshots of the panel.
SCREENSHOTS_DIR ?= dist/screenshots

## test-browser: the webapp in headless Chromium against a real Mattermost server; screenshots in $(SCREENSHOTS_DIR).
.PHONY: test-browser
test-browser: pg-up mm-server dist-host webapp/node_modules
	@build/ensure-deb.sh chromium chromium
	cd build/harness && $(GO) build -o $(abspath $(SERVE_BIN)) ./cmd/devops-serve
	cd webapp && DEVOPS_SERVE_BIN=$(abspath $(SERVE_BIN)) SCREENSHOTS_DIR=$(SCREENSHOTS_DIR) $(NPM) run --silent test:browser

## screenshots: refresh the README's screenshots in assets/screenshots with the browser test.
.PHONY: screenshots
screenshots: SCREENSHOTS_DIR := assets/screenshots
screenshots: test-browser
