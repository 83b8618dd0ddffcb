# stytch-b2b-mock: `make run` starts the mock and the reference app, `make test` runs every test.
# Both create .venv and install the project (with its dev extra) when needed.

PYTHON ?= python3
# Stytch's published OpenAPI turns on the fidelity checks (contracts/); they skip without it.
STYTCH_OPENAPI ?= $(abspath $(wildcard ../shared/spec/stytch-b2b-openapi.yml))
export STYTCH_OPENAPI
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test mock install clean contracts sdk-matrix contracts-report

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The reference app's browser side (@stytch/vanilla-js, from its package-lock.json). Without
# npm the SDK login page says so and its browser tests skip with the reason.
FRONTEND := reference_app/frontend
FRONTEND_STAMP := $(FRONTEND)/node_modules/.installed

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is not installed: the frontend SDK page and its browser tests will be skipped"; fi

install: $(STAMP) $(FRONTEND_STAMP)

# The mock (:8080) and the reference app (:3000), wired to each other; Ctrl-C stops both.
run: $(STAMP) $(FRONTEND_STAMP)
	$(PY) -m reference_app.devserver $(ARGS)

# The mock alone (ARGS="--port 9000 --open-projects" and so on).
mock: $(STAMP)
	$(PY) -m mockserver $(ARGS)

test: $(STAMP) $(FRONTEND_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The contract suite against the mock; SDK=<version> runs it with that Python SDK release
# in its own virtual environment (.venv-sdk-<version>).
contracts: $(STAMP)
	$(PY) contracts/tools/sdk_matrix.py contracts $(if $(SDK),--sdk $(SDK)) -- $(PYTEST_ARGS)

# Every supported Python and Node SDK version x every scenario, as a table.
sdk-matrix: $(STAMP)
	$(PY) contracts/tools/sdk_matrix.py matrix

# Regenerate the scenario list and endpoint coverage table in contracts/README.md.
contracts-report: $(STAMP)
	$(PY) contracts/tools/coverage.py

clean:
	rm -rf $(VENV) .venv-sdk-* build *.egg-info .pytest_cache
