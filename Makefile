# The two commands: `make demo` runs the product with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test lint pytest pytest-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/omnicanal demo

test: $(VENV)/.installed-dev lint pytest pytest-postgres

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy omnicanal
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --dist loadgroup

# The same suite on PostgreSQL, when one answers (CI has one on 127.0.0.1:5432).
pytest-postgres: $(VENV)/.installed-dev
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 --dist loadgroup; \
	else \
		echo "SKIPPED: the PostgreSQL pass, no server answers at $(PG_TEST_URL)"; \
	fi

clean:
	rm -rf $(VENV) var
