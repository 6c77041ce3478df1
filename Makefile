# `make` alone lists the commands. The first use creates .venv and installs the suite into it.
PYTHON ?= python3
VENV ?= .venv
BIN ?= $(VENV)/bin
STAMP ?= $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | cksum | cut -d' ' -f1)
NAME ?=
PARAMS ?=
GRID ?=
SCHEDULER ?=
TIMEOUT ?=
OUT ?=
JOBS ?=
LAB_ARGS ?=
MIN_VENV ?= .venv-min
# pytest workers for make test and make test-fast (pytest-xdist): one per core by default.
# make test keeps each file, and each notebook's cells, in one worker (--dist loadfile); the
# fast tests do not depend on each other's order and are spread test by test (--dist load).
TEST_JOBS ?= auto
XDIST = -n $(TEST_JOBS) --dist loadfile
INSTALLER ?= uv
# The installers, pinned: uv (also pinned in pyproject.toml, [tool.uv] required-version) and pip.
UV_VERSION ?= 0.13.9
PIP_VERSION ?= 26.3
OUT_FLAG = $(if $(value OUT),--output-dir="$$AIJOBS_MAKE_OUT",)
JOBS_FLAG = $(if $(JOBS),-j $(JOBS),)
DRY_FLAG = $(if $(DRY),--dry-run,)
# V=1: say why a warm kernel or the build server was not used (aijobs -v)
V ?=
V_FLAG = $(if $(V),-v,)
# PARAMS, GRID, NAME, OUT, SURVEY, DATE, OEWS, INDEED, SCHEDULER and TIMEOUT reach aijobs
# through the environment, exactly as typed ($(value ...): make expands nothing, so "$HOME" stays "$HOME",
# and the shell reads each as one word, so an OUT with a space or a JSON value with its double
# quotes, such as {"normalization_rate":[0.05,0.15,0.3]}, arrives whole).
export AIJOBS_MAKE_PARAMS := $(value PARAMS)
export AIJOBS_MAKE_GRID := $(value GRID)
export AIJOBS_MAKE_NAME := $(value NAME)
export AIJOBS_MAKE_OUT := $(value OUT)
export AIJOBS_MAKE_SURVEY := $(value SURVEY)
export AIJOBS_MAKE_DATE := $(value DATE)
export AIJOBS_MAKE_SCHEDULER := $(value SCHEDULER)
export AIJOBS_MAKE_TIMEOUT := $(value TIMEOUT)
export AIJOBS_MAKE_OEWS := $(value OEWS)
export AIJOBS_MAKE_INDEED := $(value INDEED)
# make exports a variable given on its command line to every recipe's environment, expanding
# it first ($(shell ...) in it would run): these reach aijobs only as the AIJOBS_MAKE_ copies.
# Where NAME may hold several names (params, figures) the shell splits it into words, with
# globbing off (set -f): a word is only ever an argument, never a command.
unexport PARAMS GRID NAME OUT SURVEY DATE OEWS INDEED SCHEDULER TIMEOUT
# JupyterLab refuses to start as root without this flag.
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)

.DEFAULT_GOAL := help
.PHONY: help setup reports report sweep serve params list validate test test-fast test-min upgrade lint lab screenshots figures bench survey-derive sources-derive notebook-outputs clean

## help: list these commands
help:
	@echo "AI job market suite. Commands:"
	@awk '/^## /{line=substr($$0,4); i=index(line,": "); printf "  make %-12s %s\n", substr(line,1,i-1), substr(line,i+2)}' $(MAKEFILE_LIST)

# Bytecode is compiled at install (uv does not by default, and with PYTHONDONTWRITEBYTECODE set
# no run ever writes it): without it every process compiles pandas, plotly and the rest from
# source, and the CLI tests took twice as long (measured on a fresh clone).
# The lock is uv.lock: every package at an exact version with its hashes, for each Python and
# platform the suite supports. It is exported as hashed requirements for this interpreter and
# installed with the hashes checked (uv does it in about 9 s where pip takes about 50, measured
# on 2 cores; INSTALLER=pip uses pip). A lock out of date with pyproject.toml is an error (run
# `uv lock`, or make upgrade), never a silent fall-back to a fresh resolution.
$(STAMP): pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION) uv==$(UV_VERSION)
	$(BIN)/uv export --quiet --locked --extra dev --no-emit-project --no-header --python $(BIN)/python -o $(VENV)/requirements.txt
ifeq ($(INSTALLER),pip)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
else
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --require-hashes -r $(VENV)/requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
endif
	$(BIN)/python -m compileall -q src
	@rm -f $(VENV)/.installed-*
	@touch $@

## setup: create .venv and install the suite and its tools (the other commands do this too)
setup: $(STAMP)

## reports: run every notebook in notebooks/reports.yaml and write reports/<name>.html and reports/index.html
reports: $(STAMP)
	@if [ -n "$$AIJOBS_MAKE_PARAMS" ]; then echo "error: PARAMS applies to one report: make report NAME=<name> PARAMS=\"$$AIJOBS_MAKE_PARAMS\" (make list shows the names)" >&2; exit 2; fi
	$(BIN)/aijobs build $(JOBS_FLAG) $(OUT_FLAG) $(DRY_FLAG) $(V_FLAG)

## report: build one report, e.g. make report NAME=compensation_bands PARAMS="-p region_multiplier 0.8" (DRY=1 checks only; V=1 says why a warm kernel or the build server was not used)
report: $(STAMP)
	@test -n "$$AIJOBS_MAKE_NAME" || { echo 'error: say which report: make report NAME=<name> (see make list)' >&2; exit 2; }
	$(BIN)/aijobs build "$$AIJOBS_MAKE_NAME" --params="$$AIJOBS_MAKE_PARAMS" $(OUT_FLAG) $(DRY_FLAG) $(V_FLAG)

## sweep: one report for every combination of values, e.g. make sweep NAME=scenario_baseline GRID="-g normalization_rate 0.05,0.15,0.3 -g horizon_years 5,10" (SCHEDULER=tcp://host:8786 runs it on a dask cluster)
sweep: $(STAMP)
	@test -n "$$AIJOBS_MAKE_NAME" || { echo 'error: say which report: make sweep NAME=<name> GRID="-g NAME V1,V2" (see make list)' >&2; exit 2; }
	@test -n "$$AIJOBS_MAKE_GRID" || { echo "error: say what to sweep: make sweep NAME=$$AIJOBS_MAKE_NAME GRID=\"-g NAME V1,V2 -g NAME V1,V2\" (see make params)" >&2; exit 2; }
	$(BIN)/aijobs sweep "$$AIJOBS_MAKE_NAME" --grid-text="$$AIJOBS_MAKE_GRID" $(JOBS_FLAG) $(OUT_FLAG) $(DRY_FLAG) $(V_FLAG) $(if $(value SCHEDULER),--executor dask --scheduler="$$AIJOBS_MAKE_SCHEDULER",) $(if $(value TIMEOUT),--timeout="$$AIJOBS_MAKE_TIMEOUT",)

## serve: keep the build warm between commands in the foreground (make report starts one in the background by itself; AIJOBS_BUILD_SERVER=off never does; Ctrl-C stops it)
serve: $(STAMP)
	$(BIN)/aijobs serve

## params: list every report's parameters with type, value and meaning
params: $(STAMP)
	@set -f; $(BIN)/aijobs params $$AIJOBS_MAKE_NAME

## list: list the reports declared in notebooks/reports.yaml
list: $(STAMP)
	$(BIN)/aijobs list

## validate: check every table in data/ against its schema
validate: $(STAMP)
	$(BIN)/aijobs validate

## test: lint (ruff, deptry; mypy alongside the tests), then run every test (unit, notebooks through papermill and nbval, browser)
# mypy, the slow part of make lint (about 22 s of one core from a fresh clone, as in CI), runs
# while pytest does: the test workers leave a core idle for long stretches (waiting on kernels,
# servers and browsers). Its output follows the tests'; either failing fails make test.
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/deptry src
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & typing=$$!; \
	$(BIN)/python -m pytest $(XDIST); tests=$$?; \
	wait $$typing; typed=$$?; echo "mypy:"; cat $(VENV)/mypy.log; \
	test $$tests -eq 0 && test $$typed -eq 0

## upgrade: lock the newest versions the bounds allow in uv.lock, install them, then run every test
upgrade: $(STAMP)
	$(BIN)/uv lock --upgrade --python $(BIN)/python
	$(MAKE) setup
	$(MAKE) test

## test-min: install the lowest versions pyproject.toml allows into .venv-min, then run the fast tests and one report there
# uv's own resolution, lowest-direct: every direct dependency at the lowest version its bounds
# allow, the rest at what those need (the lock is not used).
test-min: $(STAMP)
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(BIN)/uv pip install --quiet --python $(MIN_VENV)/bin/python --resolution lowest-direct -e '.[dev]'
	$(BIN)/uv pip freeze --python $(MIN_VENV)/bin/python | grep -iE "^($$($(BIN)/python -c "import tomllib, re; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('|'.join(re.match(r'[A-Za-z0-9_.-]+', r).group(0).replace('_', '[-_]') for r in p['dependencies'] + p['optional-dependencies']['dev']))"))=="
	$(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider -m "not slow and not browser" tests
	AIJOBS_BUILD_SERVER=off $(MIN_VENV)/bin/aijobs build --force --output-dir $(MIN_VENV)/reports growth_rates compensation_bands

## test-fast: the tests that start no kernel and no browser (about half a minute), for use while working
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist load -m "not slow and not browser" tests

## lint: ruff over the package and tests; deptry: every package the code imports is declared; mypy: types
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/deptry src
	$(BIN)/mypy

## lab: open JupyterLab on notebooks/ with the suite's environment
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

## screenshots: full-page PNGs of every built page at 1400 and 390 px (needs chromium) into reports/screenshots/
screenshots: $(STAMP)
	$(BIN)/python -m aijobs.devtools.browser reports reports/screenshots

## figures: export every chart of the built reports (as built, never rebuilt; NAME=<name> for one report's) as PNG and SVG into reports/figures/
figures: $(STAMP)
	@set -f; $(BIN)/python -m aijobs.devtools.figure_export reports reports/figures $$AIJOBS_MAKE_NAME

## bench: time the build (naive loop, in-process floor, cold, one report, no-op), make test, page sizes, Monte Carlo, explorer, survey
bench: $(STAMP)
	$(BIN)/python -m aijobs.devtools.bench --engine
	$(BIN)/python -m aijobs.devtools.bench --tests
	$(BIN)/python -m aijobs.devtools.bench --monte-carlo
	$(BIN)/python -m aijobs.devtools.bench --explorer
	$(BIN)/python -m aijobs.devtools.bench --survey
	$(BIN)/python -m aijobs.devtools.bench

## survey-derive: rebuild data/derived/ (survey evidence) from a survey file, e.g. make survey-derive SURVEY=~/salaries.csv
survey-derive: $(STAMP)
	@test -n "$$AIJOBS_MAKE_SURVEY" || { echo 'error: say which survey file: make survey-derive SURVEY=<path to salaries.csv>' >&2; exit 2; }
	$(BIN)/aijobs survey-derive "$$AIJOBS_MAKE_SURVEY" $(if $(value DATE),--date="$$AIJOBS_MAKE_DATE",)

## sources-derive: rebuild data/derived/ OEWS and Indeed tables from ../shared (or OEWS=<folder> INDEED=<folder> for newer files of the same layout)
sources-derive: $(STAMP)
	$(BIN)/aijobs sources-derive $(if $(value OEWS),--oews="$$AIJOBS_MAKE_OEWS",) $(if $(value INDEED),--indeed="$$AIJOBS_MAKE_INDEED",) $(if $(value DATE),--date="$$AIJOBS_MAKE_DATE",)

## notebook-outputs: re-run the notebooks and store the outputs that nbval checks (after a deliberate change)
notebook-outputs: $(STAMP)
	$(BIN)/python -m aijobs.devtools.notebook_outputs

## clean: remove built reports (keeps .venv)
clean:
	rm -rf reports/*.html reports/plotly.min.js reports/_failed reports/screenshots reports/figures reports/.aijobs-build.*
