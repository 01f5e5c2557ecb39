# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1

.PHONY: run test setup lint

run: $(INSTALLED)
	$(PYTHON) -m bot.cli.run

test: $(INSTALLED)
	$(PYTHON) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

setup: $(INSTALLED)

# torch is installed first and pinned: left to sentence-transformers, pip would pull a
# multi-GB CUDA build. 2.13.0 is the CPU build.
$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet torch==2.13.0
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)
