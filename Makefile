# Two-command quick start: `make demo` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB := $(VENV)/demo.db
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/cmcc-corpus --db $(DEMO_DB) ingest data/samples --manifest data/samples/manifest.jsonl
	$(BIN)/cmcc-corpus --db $(DEMO_DB) list
	$(BIN)/cmcc-corpus --db $(DEMO_DB) search "كريات غات"
	$(BIN)/cmcc-corpus --db $(DEMO_DB) entities --type country
	$(BIN)/cmcc-corpus --db $(DEMO_DB) claims
	$(BIN)/cmcc-corpus --db $(DEMO_DB) align
	$(BIN)/cmcc-corpus --db $(DEMO_DB) compare
	$(BIN)/cmcc-corpus --db $(DEMO_DB) report --html $(VENV)/report.html

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks --with-extraction --sizes 1000,10000,100000 --repeats 5
	$(BIN)/python -m benchmarks.pairing --sizes 100,1000,10000
	$(BIN)/python -m benchmarks.compare_claims --claims 1000000

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
