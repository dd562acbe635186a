# The index of everything a person can do here. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SITE_STAMP := $(VENV)/.installed-site
TEST_STAMP := $(VENV)/.installed-test

.DEFAULT_GOAL := help
.PHONY: help site test test-fast serve check bench chromium screenshots audit deploy clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SITE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(SITE_STAMP)

site: $(SITE_STAMP) ## Create .venv, install, and build _site/ from content/ (BUILD_ARGS="--base-url URL")
	$(BIN)/briefing build $(BUILD_ARGS)

check: $(SITE_STAMP) ## Validate content and run reconciliation checks (add ARGS=--strict to fail on warnings)
	$(BIN)/briefing check $(ARGS)

serve: $(SITE_STAMP) ## Serve the site on 127.0.0.1:8000 with live reload
	$(BIN)/briefing serve

chromium: ## Install Debian's Chromium and Java for the browser and HTML-validity tests (as root, when missing)
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/liberation ] || ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core fonts-liberation default-jre-headless; \
	  else echo "Browser tests need /usr/bin/chromium, its fonts and java: sudo apt-get install chromium fonts-liberation default-jre-headless"; fi; \
	fi

test: $(TEST_STAMP) chromium ## Install test needs and run the whole test suite
	$(BIN)/python -m pytest

test-fast: $(TEST_STAMP) ## Every test but the browser ones: the edit-test loop (ARGS="-k name" narrows it)
	$(BIN)/python -m pytest -m "not browser" $(ARGS)

bench: $(TEST_STAMP) chromium ## Print build-speed and page-weight figures (not a test); big run: make bench ARGS="--briefings 1000 --charts 3"
	$(BIN)/python benchmarks/bench.py $(ARGS)
	$(BIN)/python scripts/page_weight.py
	$(BIN)/python benchmarks/chart_cost.py

screenshots: $(TEST_STAMP) chromium ## Regenerate the README screenshots from the real site
	$(BIN)/python scripts/screenshots.py briefings/kaluga-plant/index.html

audit: $(TEST_STAMP) chromium ## Lighthouse performance and accessibility scores of the default briefing (npm, into .tools/)
	$(BIN)/python scripts/audit.py

deploy: $(SITE_STAMP) ## Build and push _site/ to the gh-pages branch (briefing deploy)
	$(BIN)/briefing deploy

clean: ## Remove the built site, caches and .venv
	rm -rf _site ._site.* .briefing-cache $(VENV) .pytest_cache
