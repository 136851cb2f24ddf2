# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint typecheck bench clean

run:
	bash scripts/setup.sh runtime
	$(PY) -m services.demo
	$(PY) scripts/serve.py --server.port $(PORT) --server.address 0.0.0.0  # streamlit run app.py, warmed up

test:
	bash scripts/setup.sh dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

bench:
	bash scripts/setup.sh dev
	$(PY) -m benchmarks.matching city regency

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
