# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamps are named after pyproject.toml's checksum, so editing it reinstalls. `make run`
# needs only the runtime dependencies; `make test` adds the test extras, which include them.
PYPROJECT_SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(PYPROJECT_SUM)
TEST_STAMP := $(VENV)/.installed-test-$(PYPROJECT_SUM)

.PHONY: run test lint typecheck install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-runtime-*
	touch $(RUNTIME_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(RUNTIME_STAMP) $(TEST_STAMP)

install: $(TEST_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/nudge migrate
	@echo "Phone simulator: http://127.0.0.1:8000/simulator   Dashboard: http://127.0.0.1:8000/"
	@echo "Or text from a terminal: $(BIN)/nudge text JOIN   (then YES, HELP, STOP)"
	$(BIN)/nudge serve --host 127.0.0.1 --port 8000

lint: $(TEST_STAMP)
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy service

test: $(TEST_STAMP) lint typecheck
	$(BIN)/nudge catalog check > /dev/null
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
