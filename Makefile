# make demo: set up, start the simulator, tour it.  make test: lint, type-check, tests.  make test-fast: without browsers and crawls.
PORT ?= 8800
DATA ?= data
REPORT ?= report
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test test-fast lint typecheck pytest bench notebooks cluster clean cron-install cron-remove

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@# this checkout on the venv's path, so notebooks (their kernels start in notebooks/) import tiktok
	$(PY) -c 'import os, sysconfig; open(os.path.join(sysconfig.get_path("purelib"), "tiktok-checkout.pth"), "w").write(os.getcwd())'
	touch $@

demo: setup
	@PORT=$(PORT) PY=$(PY) bash scripts/demo.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

# Two workers (pytest-xdist): most tests wait on a crawl, a browser or a simulator, so two at once
# use the two cores; a file's tests stay in one worker, so its module fixtures (simulators) start once.
pytest: setup
	$(VENV)/bin/pytest -n 2 --dist loadfile

test: lint typecheck pytest

# The inner loop: lint, types and the in-process tests (no browser, no crawl process). CI runs `make test`.
test-fast: lint typecheck
	$(VENV)/bin/pytest -n 2 --dist loadfile -m "not browser and not crawl"

# Every benchmark, its output in bench/last-run.log, then the README's table rewritten from that one run.
bench: setup
	@PY=$(PY) bash scripts/bench.sh

# N workers on one crawl through a local redis-server, against the simulator (README "Many machines").
cluster: setup
	@N=$(or $(N),3) PY=$(PY) bash scripts/cluster.sh

notebooks: setup
	@PY=$(PY) bash scripts/run-notebooks.sh $(DATA) $(REPORT)/notebooks

cron-install: setup
	@bash scripts/cron-install.sh install

cron-remove:
	@bash scripts/cron-install.sh remove

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
