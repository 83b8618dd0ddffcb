# stytch-b2b-mock: `make run` starts the mock and the reference app, `make test` runs every test.
# Both create .venv and install the project (with its dev extra) when needed.

PYTHON ?= python3
# Stytch's published OpenAPI turns on the fidelity checks (contracts/); they skip without it.
STYTCH_OPENAPI ?= $(abspath $(wildcard ../shared/spec/stytch-b2b-openapi.yml))
export STYTCH_OPENAPI
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test mock install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The mock (:8080) and the reference app (:3000), wired to each other; Ctrl-C stops both.
run: $(STAMP)
	$(PY) -m reference_app.devserver $(ARGS)

# The mock alone (ARGS="--port 9000 --open-projects" and so on).
mock: $(STAMP)
	$(PY) -m mockserver $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
