# Two commands for a newcomer: `make demo` and `make test`. Everything else is a step of them.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 8000

.PHONY: install system-deps bluesky-network demo test test-fast lint typecheck test-sqlite test-postgres test-browser test-clock clean bench eval soak audit oidc-provider

install: $(VENV)/.installed

# Re-installs only when the dependency pins change.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# Debian packages the test suite needs: PostgreSQL server, Chromium and its driver.
system-deps:
	@scripts/system-deps.sh

# The reference Bluesky servers on loopback, for adapter tests (cached in var/cache/bluesky).
bluesky-network:
	@scripts/bluesky/setup.sh

# A real OpenID Connect provider (npm's certified oidc-provider) for the single sign-on tests.
oidc-provider:
	@scripts/oidc/setup.sh

# The demo city, served with live capture: its Bluesky accounts on a local network, with
# residents replying (without the network, e.g. no npm registry, it runs without live capture).
demo: install
	@scripts/system-deps.sh fonts || echo "The Noto fonts could not be installed: thread PDFs print other scripts as U+XXXX."
	@scripts/bluesky/setup.sh || echo "The local Bluesky network could not be installed: no live capture."
	CIVICSOCIAL_DEBUG=1 $(BIN)/civicsocial load_demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with a demo login above."
	CIVICSOCIAL_DEBUG=1 PORT=$(PORT) $(BIN)/civicsocial serve --live-demo

lint: install
	$(BIN)/ruff check civicsocial bench
	$(BIN)/mypy civicsocial

RESULTS := var/test-results

# Everything side by side, each step as soon as what it needs is there: on a fresh machine
# pip, apt-get and npm wait on the network while the Bluesky servers' native module
# compiles; the linters start once the Python packages are in, the two databases' passes
# and the browser tests once everything is. Each pass keeps its own scratch directories,
# free ports and servers (test_settings.py, with-postgres.sh).
TEST_NEEDS := install system-deps bluesky-network oidc-provider

test:
	rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	$(MAKE) --no-print-directory -j6 --output-sync=target lint test-sqlite test-postgres test-browser
	@$(BIN)/python scripts/test-summary.py $(RESULTS)

# Browser tests run in a pytest process of their own (see live_app in conftest.py), on
# SQLite, beside the two passes: the pages they drive are the same on either engine, and
# every page's own tests run in both passes. Tests marked `figures` measure a matcher on generated sets
# without the database: each runs in one of the two passes (civicsocial/passes.py), which
# keeps the passes about as long.

# Each pass runs in two pytest processes (pytest-xdist, a test class or module to a
# process): a pass spends much of its time waiting on the servers and worker processes its
# tests start, and four processes keep the two cores busier than two did.
PASS_PROCESSES := -n 2 --dist loadscope

# A quick inner loop: SQLite, without the tests marked network, slow, figures or browser.
# `make test` still runs everything, on both databases.
test-fast: install
	CIVICSOCIAL_DEBUG=1 DATABASE_URL= $(BIN)/pytest $(PASS_PROCESSES) -m "not browser and not network and not slow and not figures"

test-sqlite: $(TEST_NEEDS)
	mkdir -p $(RESULTS)
	CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 DATABASE_URL= $(BIN)/pytest $(PASS_PROCESSES) \
		--junitxml=$(RESULTS)/sqlite.xml

test-browser: $(TEST_NEEDS)
	mkdir -p $(RESULTS)
	CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 DATABASE_URL= $(BIN)/pytest -m browser \
		--junitxml=$(RESULTS)/sqlite-browser.xml

test-postgres: $(TEST_NEEDS)
	mkdir -p $(RESULTS)
	CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 scripts/with-postgres.sh \
		$(BIN)/pytest $(PASS_PROCESSES) --junitxml=$(RESULTS)/postgres.xml

# The SQLite suite with the clock moved by faketime: a year and a month ahead, across New
# York's spring-forward hour, and across midnight into a holiday weekend (issue 11). Slow,
# so not part of `make test`; run it whenever a change touches time.
test-clock: install system-deps bluesky-network oidc-provider
	@scripts/test-clock.sh

# The soak test (issue 17): PostgreSQL, Redis, two web processes, SOAK_WORKERS workers (3)
# and the local Bluesky network with SOAK_ACCOUNTS accounts (50) under live replies, a
# worker killed every minute; bounded by SOAK_MINUTES (10). Prints its checks as a table.
soak: install system-deps bluesky-network
	scripts/with-postgres.sh $(BIN)/python -m civicsocial.ops.soak

# Known vulnerabilities in the pinned dependencies (pip-audit, PyPI's advisory data: needs
# pypi.org's JSON API), then the static security linter (ruff's flake8-bandit rules, which
# `make test` runs too with the rest of ruff).
audit: install
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[audit]'
	grep -v '^-e' constraints.txt > var/audit-requirements.txt
	$(BIN)/pip-audit --strict -s pypi --no-deps --disable-pip -r var/audit-requirements.txt
	$(BIN)/ruff check civicsocial bench  # flake8-bandit (S) among its rules

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

# Speed and memory of the archive (BENCH_N scales it: BENCH_N=20000 make bench for a quick run),
# then capture throughput and lag from the local Bluesky network (CAPTURE_N replies), then
# triage throughput and the inbox page with INBOX_N items (default 100,000), the logo match,
# and the thread PDFs of productions against the renderer used before issue 15 (THREADS_N).
bench: install system-deps bluesky-network
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/archive_bench.py
	scripts/with-postgres.sh $(BIN)/python bench/archive_pg_import.py
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/capture_bench.py
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/inbox_bench.py
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/logo_bench.py
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/threads_bench.py
	CIVICSOCIAL_DEBUG=1 $(BIN)/python bench/publishing_bench.py

# Triage measured on the labelled development set: per-label precision, recall and F1 and the
# complaints given a deletion ground (a table that must be empty), first on the half of the
# accounts held back from tuning (the model trained on the other half), then on the whole set
# with the model cross-validated in 5 folds (it is trained on this set).
TRIAGE_SET ?= ../shared/triage/dev.jsonl
eval: install
	CIVICSOCIAL_DEBUG=1 $(BIN)/civicsocial triage --in $(TRIAGE_SET) --evaluate --held-back
	CIVICSOCIAL_DEBUG=1 $(BIN)/civicsocial triage --in $(TRIAGE_SET) --evaluate --folds 5
