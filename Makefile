# Two commands on a fresh clone: `make demo` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NURTURE_DATABASE_URL ?= sqlite:///var/demo.db
export NURTURE_OUTBOX_DIR ?= var/outbox

.PHONY: demo test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs the package only; the tests add their own tools (pytest, ruff, mypy, ...).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed-test

demo: $(VENV)/.installed
	$(BIN)/nurture db upgrade
	$(BIN)/nurture demo --reset --workspace example

lint: $(VENV)/.installed-test
	$(BIN)/ruff check nurture tests example migrations
	$(BIN)/ruff format --check nurture tests example migrations
	$(BIN)/mypy

# pytest's exit code 5 (no test collected) counts as a failure.
test: lint
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) var
