# stytch-b2b-mock: `make run` starts the mock and the reference app, `make test` runs every test.
# Both create .venv and install the project when needed: `make run` with its app extra,
# the test targets with the dev and app extras.

PYTHON ?= python3
# Stytch's published OpenAPI turns on the fidelity checks (contracts/); they skip without it.
STYTCH_OPENAPI ?= $(abspath $(wildcard ../shared/spec/stytch-b2b-openapi.yml))
export STYTCH_OPENAPI
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
APP_STAMP := $(VENV)/.installed-app
# What lint and format look at.
SOURCES   := mockserver reference_app tests contracts benchmarks examples conftest.py

.PHONY: run test check lint mock install clean contracts sdk-matrix contracts-report \
	contracts-remote fidelity-report

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev,app]'
	@touch $(STAMP) $(APP_STAMP)

$(APP_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[app]'
	@touch $(APP_STAMP)

# The reference app's browser side (@stytch/vanilla-js, from its package-lock.json). Without
# npm the SDK login page says so and its browser tests skip with the reason.
FRONTEND := reference_app/frontend
FRONTEND_STAMP := $(FRONTEND)/node_modules/.installed

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is not installed: the frontend SDK page and its browser tests will be skipped"; fi

# The Node SDK of the contract scenarios (contracts/node, from its package-lock.json); the TLS
# test's Node client uses it too. Without npm those tests skip with the reason.
NODE_CONTRACTS := contracts/node
NODE_CONTRACTS_STAMP := $(NODE_CONTRACTS)/node_modules/.installed

$(NODE_CONTRACTS_STAMP): $(NODE_CONTRACTS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(NODE_CONTRACTS) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is not installed: the Node SDK scenarios will be skipped"; fi

# The Java SDK scenarios (contracts/java: com.stytch.java:sdk from Maven Central, compiled with
# Maven into contracts/java/target, Maven's local repository in contracts/java/.m2; both
# gitignored). contracts/test_java_sdk.py runs the same goals when the build is stale. Without
# java or mvn those tests skip with the reason.
JAVA_CONTRACTS := contracts/java
JAVA_CONTRACTS_STAMP := $(JAVA_CONTRACTS)/target/.built

$(JAVA_CONTRACTS_STAMP): $(JAVA_CONTRACTS)/pom.xml $(shell find $(JAVA_CONTRACTS)/src -name '*.java' 2>/dev/null)
	@if command -v mvn >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then \
	  cd $(JAVA_CONTRACTS) && mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$$PWD/.m2/repository" \
	    compile dependency:build-classpath -Dmdep.outputFile="$$PWD/target/classpath.txt" \
	  && touch target/.built \
	  || echo "Maven could not build contracts/java: contracts/test_java_sdk.py retries and says why"; \
	else echo "java or mvn is not installed: the Java SDK scenarios will be skipped"; fi

install: $(STAMP) $(FRONTEND_STAMP) $(NODE_CONTRACTS_STAMP) $(JAVA_CONTRACTS_STAMP)

# The mock (:8080) and the reference app (:3000), wired to each other; Ctrl-C stops both.
run: $(APP_STAMP) $(FRONTEND_STAMP)
	$(PY) -m reference_app.devserver $(ARGS)

# The mock alone (ARGS="--port 9000 --open-projects" and so on).
mock: $(APP_STAMP)
	$(PY) -m mockserver $(ARGS)

# ruff (lint and format) and mypy, all clean.
lint: $(STAMP)
	$(PY) -m ruff check $(SOURCES)
	$(PY) -m ruff format --check $(SOURCES)
	$(PY) -m mypy mockserver reference_app

# Lint, then every test.
test: lint $(FRONTEND_STAMP) $(NODE_CONTRACTS_STAMP) $(JAVA_CONTRACTS_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory contracts-remote

# Lint, then the fast tier: everything but the tests marked slow (Schemathesis, real processes,
# real-time waits).
check: lint $(FRONTEND_STAMP)
	$(PY) -m pytest -m "not slow" -n 2 $(PYTEST_ARGS)

# The contract suite against the mock; SDK=<version> runs it with that Python SDK release
# in its own virtual environment (.venv-sdk-<version>).
contracts: $(STAMP)
	$(PY) contracts/tools/sdk_matrix.py contracts $(if $(SDK),--sdk $(SDK)) -- $(PYTEST_ARGS)

# The contract suite as against real Stytch (black box: no outbox, no clock, no reset), against
# a separate stytch-mock process, twice in a row without restarting it; each run must leave no
# organization behind.
contracts-remote: $(STAMP)
	$(PY) contracts/tools/remote.py rehearse --runs 2 -- $(PYTEST_ARGS)

# Replays the scenarios of a recording (STYTCH_CONTRACT_RECORD=DIR against Stytch) against
# the mock and prints every difference per operation: make fidelity-report RECORDING=DIR
fidelity-report: $(STAMP)
	@test -n "$(RECORDING)" || { echo "usage: make fidelity-report RECORDING=DIR"; exit 2; }
	$(PY) contracts/tools/remote.py report $(RECORDING)

# Every supported Python and Node SDK version x every scenario, as a table.
sdk-matrix: $(STAMP)
	$(PY) contracts/tools/sdk_matrix.py matrix

# Regenerate the scenario list and endpoint coverage table in contracts/README.md.
contracts-report: $(STAMP)
	$(PY) contracts/tools/coverage.py

clean:
	rm -rf $(VENV) .venv-sdk-* build *.egg-info .pytest_cache $(FRONTEND)/node_modules \
		$(JAVA_CONTRACTS)/target $(JAVA_CONTRACTS)/.m2
