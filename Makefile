# Two commands set everything up on a fresh machine: `make serve` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make serve PORT=9000` or PEELGRAPH_PORT=9000 make serve (the shell reads the variable when the recipe runs)
HOST ?= $${PEELGRAPH_HOST:-127.0.0.1}
PORT ?= $${PEELGRAPH_PORT:-8000}

.PHONY: setup browser office build serve test bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# torch first and pinned, so nothing pulls a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

build: $(STAMP)
	$(BIN)/peelgraph build

serve: build
	$(BIN)/peelgraph serve --host $(HOST) --port $(PORT)

# Debian's Chromium drives the web page's tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# LibreOffice renders the exported slides in a test (tests/artifacts/flagship_slide.png); about 15 s to install here.
office:
	@{ command -v soffice && command -v pdftoppm; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils >/dev/null; }

test: $(STAMP) browser office
	$(BIN)/ruff check graph search api ontology tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Benchmarks print figures with their baselines; they are not tests and take minutes.
bench: build
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/formats.py
	$(BIN)/python benchmarks/answers.py
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/team_qa.jsonl --no-cv
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/team_qa2.jsonl --no-cv
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/team_qa3.jsonl --no-cv
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/team_qa4.jsonl --no-cv
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/team_qa5.jsonl --no-cv
	rm -rf data/build/archive && $(BIN)/python benchmarks/archive.py data/build/archive
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/archive_qa.jsonl --corpus data/build/archive --no-cv
	$(BIN)/python benchmarks/answers.py --qa benchmarks/data/archive_qa2.jsonl --corpus data/build/archive --no-cv
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/load.py --clients 8 --seconds 30
	$(BIN)/python benchmarks/scale.py --sizes 10,50,200,500 --encoder hash --backend both

clean:
	rm -rf data/build
