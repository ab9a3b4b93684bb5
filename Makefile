# Two commands do all set-up: `make run` and `make test`; each creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint format bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed  ## start the app on http://localhost:8501
	$(PY) -m streamlit run app.py

test: $(VENV)/.installed  ## lint, format check, then the whole test suite (unit, app, browser)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

.PHONY: serve
N ?= 4
PORT ?= 8501
serve: $(VENV)/.installed  ## N streamlit processes behind HAProxy on http://localhost:$(PORT) (N > 1 needs PostgreSQL)
	$(PY) deploy/serve.py -n $(N) --port $(PORT)

bench: $(VENV)/.installed  ## benchmarks print ratios against baselines measured in the same run
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
